import Foundation
import LoRA
import Testing

/// Every `tokenizer.json` setting the package lacks is refused by name, and a malformed or
/// inconsistent file is refused with the field at fault (edits of the llama3 fixture).
@Suite struct TokenizerRefusalTests {
    /// Loads the llama3 fixture after `edit`, expecting an error of `kind` on `field`.
    func expectRefusal(_ kind: TokenizerError.Kind, field: String?, _ edit: (inout [String: Any]) -> Void,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        var json = try TokenizerFixtures.dictionary("llama3")
        edit(&json)
        let bytes = try TokenizerFixtures.bytes(json)
        do {
            _ = try BPETokenizer(json: bytes)
            Issue.record("loaded; expected \(kind) on \(field ?? "the file")", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        }
    }

    static func edit(_ json: inout [String: Any], _ key: String, _ body: (inout [String: Any]) -> Void) {
        var part = json[key] as! [String: Any]
        body(&part)
        json[key] = part
    }

    @Test func otherModelsAreRefusedByName() throws {
        try expectRefusal(.unsupported, field: "model.type") { Self.edit(&$0, "model") { $0["type"] = "Unigram" } }
        try expectRefusal(.unsupported, field: "model.type") { Self.edit(&$0, "model") { $0["type"] = "WordPiece" } }
    }

    @Test func bpeSettingsThePackageLacksAreRefused() throws {
        try expectRefusal(.unsupported, field: "model.dropout") { Self.edit(&$0, "model") { $0["dropout"] = 0.1 } }
        try expectRefusal(.unsupported, field: "model.continuing_subword_prefix") { Self.edit(&$0, "model") { $0["continuing_subword_prefix"] = "##" } }
        try expectRefusal(.unsupported, field: "model.end_of_word_suffix") { Self.edit(&$0, "model") { $0["end_of_word_suffix"] = "</w>" } }
        try expectRefusal(.unsupported, field: "model.byte_fallback") { Self.edit(&$0, "model") { $0["byte_fallback"] = true } }
        try expectRefusal(.unsupported, field: "model.frobnicate") { Self.edit(&$0, "model") { $0["frobnicate"] = 1 } }
        // dropout 0 is no dropout
        var json = try TokenizerFixtures.dictionary("llama3")
        Self.edit(&json, "model") { $0["dropout"] = 0.0 }
        _ = try BPETokenizer(json: TokenizerFixtures.bytes(json))
    }

    @Test func pipelinePartsThePackageLacksAreRefused() throws {
        try expectRefusal(.unsupported, field: "normalizer") { $0["normalizer"] = ["type": "NFC"] }
        try expectRefusal(.unsupported, field: "truncation") { $0["truncation"] = ["max_length": 8] }
        try expectRefusal(.unsupported, field: "pre_tokenizer.type") { $0["pre_tokenizer"] = ["type": "Metaspace"] }
        try expectRefusal(.unsupported, field: "pre_tokenizer") { $0["pre_tokenizer"] = ["type": "Digits", "individual_digits": true] }
        try expectRefusal(.unsupported, field: "decoder.type") { $0["decoder"] = ["type": "WordPiece"] }
        try expectRefusal(.unsupported, field: "decoder") { $0["decoder"] = NSNull() }
        try expectRefusal(.unsupported, field: "post_processor.type") { $0["post_processor"] = ["type": "BertProcessing"] }
        try expectRefusal(.unsupported, field: "added_tokens[0].single_word") { json in
            var tokens = json["added_tokens"] as! [[String: Any]]
            tokens[0]["single_word"] = true
            json["added_tokens"] = tokens
        }
    }

    @Test func unknownSplitPatternsAreRefusedByTheirText() throws {
        func setSplit(_ json: inout [String: Any], _ body: (inout [String: Any]) -> Void) {
            Self.edit(&json, "pre_tokenizer") { pre in
                var steps = pre["pretokenizers"] as! [[String: Any]]
                body(&steps[0])
                pre["pretokenizers"] = steps
            }
        }
        try expectRefusal(.unknownPattern, field: "pre_tokenizer.pretokenizers[0].pattern.Regex") { setSplit(&$0) { $0["pattern"] = ["Regex": "\\w+"] } }
        try expectRefusal(.unsupported, field: "pre_tokenizer.pretokenizers[0].behavior") { setSplit(&$0) { $0["behavior"] = "Removed" } }
        try expectRefusal(.unsupported, field: "pre_tokenizer.pretokenizers[0].invert") { setSplit(&$0) { $0["invert"] = true } }
        try expectRefusal(.unsupported, field: "pre_tokenizer.pretokenizers[0].pattern.String") { setSplit(&$0) { $0["pattern"] = ["String": " "] } }
    }

    @Test func inconsistentVocabulariesAreRefused() throws {
        try expectRefusal(.inconsistentVocabulary, field: "model.merges[3]") { json in
            Self.edit(&json, "model") { model in
                var merges = model["merges"] as! [[String]]
                merges[3] = ["zz-not-a-token", "e"]
                model["merges"] = merges
            }
        }
        try expectRefusal(.inconsistentVocabulary, field: "model.merges[5]") { json in
            Self.edit(&json, "model") { model in
                var merges = model["merges"] as! [[String]]
                merges[5] = merges[0]
                model["merges"] = merges
            }
        }
        try expectRefusal(.inconsistentVocabulary, field: "model.vocab") { json in
            Self.edit(&json, "model") { model in
                var vocab = model["vocab"] as! [String: Int]
                vocab["Ġ"] = vocab["a"]
                model["vocab"] = vocab
            }
        }
        try expectRefusal(.inconsistentVocabulary, field: "model.unk_token") { Self.edit(&$0, "model") { $0["unk_token"] = "<unk>" } }
        try expectRefusal(.invalidField, field: "model.merges[0]") { Self.edit(&$0, "model") { $0["merges"] = ["a b c"] } }
        try expectRefusal(.invalidField, field: "model.merges[1]") { Self.edit(&$0, "model") { $0["merges"] = [["Ġ", "t"], "h e"] } }
        try expectRefusal(.missingField, field: "model.merges") { Self.edit(&$0, "model") { $0["merges"] = nil } }
    }

    @Test func malformedFilesAreRefused() throws {
        #expect(throws: TokenizerError(kind: .notJSON, problem: "the file is not UTF-8 text")) { try BPETokenizer(json: [0xFF, 0xFE]) }
        do {
            _ = try BPETokenizer(json: Array("{\"model\": ".utf8))
            Issue.record("loaded a truncated file")
        } catch {
            #expect(error.kind == .notJSON)
        }
        let missing = URL(fileURLWithPath: "/nonexistent/tokenizer.json")
        do {
            _ = try BPETokenizer(contentsOf: missing)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.kind == .io && error.path == missing.path)
        }
    }
}
