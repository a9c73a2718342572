import Foundation

extension BPETokenizer {
    /// The fields of a `tokenizer.json` this package reads; any other top-level field is refused.
    static let topLevelFields: Set<String> = [
        "version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model",
    ]

    /// Reads the `tokenizer.json` at `url` (a file, or a folder holding one).
    /// - Throws: ``TokenizerError`` naming the file and the field: kind ``TokenizerError/Kind/io``
    ///   when it cannot be read, else as ``init(json:)``.
    public init(contentsOf url: URL) throws(TokenizerError) {
        var file = url
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            file = url.appendingPathComponent("tokenizer.json")
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw TokenizerError(kind: .io, problem: "cannot read the file (\(error.localizedDescription))", path: file.path)
        }
        do {
            try self.init(json: [UInt8](data))
        } catch {
            var located = error
            located.path = file.path
            throw located
        }
    }

    /// Reads a `tokenizer.json` of the byte-level BPE family from its bytes.
    ///
    /// Read: a `BPE` model (`vocab`, `merges` as `"a b"` strings or `["a", "b"]` pairs,
    /// `unk_token`, `fuse_unk`, `ignore_merges`), the pre-tokenizers `ByteLevel`, `Split` with a
    /// ``SplitPattern`` and `Digits` (alone or in a `Sequence` ending in `ByteLevel`), the
    /// `ByteLevel` decoder, `added_tokens`, and the post-processors `ByteLevel` and
    /// `TemplateProcessing` (alone or in a `Sequence`). Refused by name: other models (Unigram,
    /// WordPiece, WordLevel), any normalizer, other pre-tokenizers and decoders, `dropout`,
    /// `continuing_subword_prefix`, `end_of_word_suffix`, `byte_fallback`, `single_word` added
    /// tokens, truncation, padding, and any field this package does not know.
    /// - Throws: ``TokenizerError`` naming the field.
    public init(json bytes: [UInt8]) throws(TokenizerError) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw TokenizerError(kind: .notJSON, problem: "the file is not UTF-8 text")
        }
        let tree: HeaderJSON
        do {
            tree = try HeaderJSONParser.parse(bytes)
        } catch {
            throw TokenizerError(kind: .notJSON, problem: "not valid JSON at byte \(error.offset): \(error.message)")
        }
        let top = try TokenizerJSONObject(tree, path: "")
        try top.requireOnly(Self.topLevelFields, what: "the file")
        for key in ["truncation", "padding", "normalizer"] {
            if let value = top.value(key) {
                throw TokenizerError(kind: .unsupported, field: key, problem: "this package has no \(key)", found: TokenizerJSONReading.describe(value))
            }
        }
        let model = try TokenizerJSONObject(top.required("model"), path: "model")
        let (vocabulary, merges) = try TokenizerJSONReading.vocabularyAndMerges(model)
        let addedTokens = try TokenizerJSONReading.addedTokens(top.array("added_tokens") ?? [])
        let preTokenizer = try TokenizerJSONReading.preTokenizer(top.required("pre_tokenizer"))
        try TokenizerJSONReading.checkDecoder(top.value("decoder"))
        let template = try TokenizerJSONReading.template(top.value("post_processor"))
        try self.init(
            vocabulary: vocabulary, merges: merges, preTokenizer: preTokenizer, addedTokens: addedTokens, template: template,
            unknownToken: model.string("unk_token"), fuseUnknown: model.bool("fuse_unk", default: false),
            ignoreMerges: model.bool("ignore_merges", default: false))
    }
}

/// The readers of the parts of a `tokenizer.json`.
enum TokenizerJSONReading {
    /// A value's `type` when it is an object with one, else its JSON type, for messages.
    static func describe(_ value: HeaderJSON) -> String {
        if case .object(let pairs) = value {
            for pair in pairs where pair.key == "type" {
                if case .string(let name) = pair.value { return "type \(quote(name))" }
            }
        }
        if case .string(let s) = value { return quote(s) }
        return value.typeName
    }

    /// Whether `value` is the number 0 (`dropout: 0.0` is no dropout).
    static func isZero(_ value: HeaderJSON) -> Bool {
        guard case .number(let text) = value else { return false }
        return Double(text) == 0
    }

    static let modelFields: Set<String> = [
        "type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback",
        "ignore_merges", "vocab", "merges",
    ]

    /// `model`: a BPE's vocabulary and merges, its other settings checked.
    static func vocabularyAndMerges(_ model: TokenizerJSONObject) throws(TokenizerError) -> ([String: Int], [BPEMerge.Pair]) {
        let type = try model.type()
        guard type == "BPE" else {
            throw TokenizerError(kind: .unsupported, field: "model.type", problem: "this package reads only the byte-level BPE model", found: quote(type))
        }
        try model.requireOnly(modelFields, what: "the BPE model")
        if let dropout = model.value("dropout"), !isZero(dropout) {
            throw TokenizerError(kind: .unsupported, field: "model.dropout", problem: "BPE dropout is not supported", found: dropout.typeName)
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model.value(key) {
                throw TokenizerError(kind: .unsupported, field: "model.\(key)", problem: "byte-level BPE has no \(key)", found: describe(value))
            }
        }
        if try model.bool("byte_fallback", default: false) {
            throw TokenizerError(kind: .unsupported, field: "model.byte_fallback", problem: "byte fallback (SentencePiece-style <0xNN> tokens) is not supported", found: "true")
        }
        let vocabulary = try model.idsByName("vocab")
        guard let lines = try model.array("merges") else {
            throw TokenizerError(kind: .missingField, field: "model.merges", problem: "the field is missing")
        }
        var merges: [BPEMerge.Pair] = []
        merges.reserveCapacity(lines.count)
        var pairForm: Bool?
        for (rank, line) in lines.enumerated() {
            let field = "model.merges[\(rank)]"
            let isPair: Bool
            switch line {
            case .string(let text):
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TokenizerError(kind: .invalidField, field: field, problem: "a merge written as a string is two tokens separated by one space", found: quote(text))
                }
                merges.append(BPEMerge.Pair(String(parts[0]), String(parts[1])))
                isPair = false
            case .array(let items):
                guard items.count == 2, case .string(let left) = items[0], case .string(let right) = items[1] else {
                    throw TokenizerError(kind: .invalidField, field: field, problem: "a merge written as a list is two strings", found: "\(items.count) items")
                }
                merges.append(BPEMerge.Pair(left, right))
                isPair = true
            default:
                throw TokenizerError(kind: .invalidField, field: field, problem: "expected \"a b\" or [\"a\", \"b\"]", found: line.typeName)
            }
            if let form = pairForm, form != isPair {
                throw TokenizerError(kind: .invalidField, field: field, problem: "the merges mix the \"a b\" and [\"a\", \"b\"] forms")
            }
            pairForm = isPair
        }
        return (vocabulary, merges)
    }

    static let addedTokenFields: Set<String> = ["id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"]

    /// `added_tokens`.
    static func addedTokens(_ items: [HeaderJSON]) throws(TokenizerError) -> [AddedToken] {
        var tokens: [AddedToken] = []
        for (index, item) in items.enumerated() {
            let object = try TokenizerJSONObject(item, path: "added_tokens[\(index)]")
            try object.requireOnly(addedTokenFields, what: "an added token")
            guard let content = try object.string("content") else {
                throw TokenizerError(kind: .missingField, field: object.field("content"), problem: "the field is missing")
            }
            if try object.bool("single_word", default: false) {
                throw TokenizerError(kind: .unsupported, field: object.field("single_word"), problem: "single-word added tokens are not supported", found: quote(content))
            }
            let special = try object.bool("special", default: false)
            tokens.append(AddedToken(
                content: content, id: try object.index("id"), special: special,
                normalized: try object.bool("normalized", default: !special),
                leftStrip: try object.bool("lstrip", default: false), rightStrip: try object.bool("rstrip", default: false)))
        }
        return tokens
    }
}
