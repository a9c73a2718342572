import Foundation
import LoRA
import Testing

/// The package's tokenizer against Hugging Face `tokenizers` (the fixture README names the
/// version): exact ids, exact decoded strings, on texts with accents, Cyrillic, CJK, long
/// numbers, whitespace runs, tabs, CRLF, contractions, emoji with ZWJ and skin tones, and
/// special tokens in the middle of text.
@Suite struct TokenizerFixtureTests {
    /// The trained tokenizers, the package's byte vocabulary, and a hand-made vocabulary that
    /// lacks most bytes (`unk_token` per byte, fused, or none: unknown bytes dropped).
    static let tokenizers = ["gpt2", "llama3", "digits_prefix_space", "bytelevel", "unknown_bytes", "unknown_bytes_fused", "unknown_bytes_dropped"]

    @Test(arguments: tokenizers)
    func idsAndDecodingMatchTokenizers(_ name: String) throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json(name))
        let cases = TokenizerFixtures.cases(name)
        let texts = name.hasPrefix("unknown_bytes") ? TokenizerFixtures.smallTexts : TokenizerFixtures.texts
        #expect(cases.count == texts.count)
        for (text, expected) in zip(texts, cases) {
            let ids = tokenizer.encode(text)
            #expect(ids == expected.ids, "\(name): \(text.debugDescription)")
            #expect(tokenizer.encode(text, addingSpecialTokens: false) == expected.idsWithoutSpecial, "\(name): \(text.debugDescription)")
            #expect(tokenizer.decode(expected.ids) == expected.decoded, "\(name): \(text.debugDescription)")
            #expect(tokenizer.decode(expected.ids, skippingSpecialTokens: true) == expected.decodedSkippingSpecial, "\(name): \(text.debugDescription)")
            if let each = expected.eachIDDecoded {
                #expect(expected.ids.map { tokenizer.decode([$0]) } == each, "\(name) each id: \(text.debugDescription)")
            }
        }
    }

    /// Without a prefix space, decoding gives back the text exactly (special tokens included;
    /// not around gpt2's `<sep>`, whose `lstrip`/`rstrip` swallow the spaces beside it).
    @Test(arguments: ["gpt2", "llama3", "bytelevel"])
    func roundTrip(_ name: String) throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json(name))
        for text in TokenizerFixtures.texts where !text.contains("<sep>") {
            #expect(tokenizer.decode(tokenizer.encode(text, addingSpecialTokens: false)) == text, "\(name): \(text.debugDescription)")
        }
    }

    @Test(arguments: [("gpt2", SplitPattern.gpt2), ("llama3", .llama3), ("qwen2", .qwen2)])
    func splitsMatchTheRegex(_ name: String, _ pattern: SplitPattern) {
        for (text, expected) in zip(TokenizerFixtures.texts, TokenizerFixtures.splits(name)) {
            #expect(pattern.split(text) == expected, "\(name): \(text.debugDescription)")
        }
    }

    @Test func specialTokensByName() throws {
        let llama = try BPETokenizer(json: TokenizerFixtures.json("llama3"))
        #expect(llama.beginningOfSequenceID == llama.specialTokenID("<|begin_of_text|>"))
        #expect(llama.beginningOfSequenceID != nil)
        let eos = try #require(llama.specialTokenID("<|end_of_text|>"))
        #expect(llama.encode("a<|end_of_text|>b", addingSpecialTokens: false).contains(eos))
        #expect(llama.isSpecial(eos))
        #expect(llama.token(for: eos) == "<|end_of_text|>")
        let gpt2 = try BPETokenizer(json: TokenizerFixtures.json("gpt2"))
        #expect(gpt2.beginningOfSequenceID == nil)
        #expect(gpt2.specialTokenID("[NOTE]") == nil, "an added token that is not special")
        #expect(gpt2.id(of: "[NOTE]") != nil)
    }

    /// Every fixture file loads from its folder as from its bytes.
    @Test func loadsFromFolderAndFile() throws {
        let folder = TokenizerFixtures.root.appendingPathComponent("llama3")
        let a = try BPETokenizer(contentsOf: folder)
        let b = try BPETokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        let text = TokenizerFixtures.texts.last!
        #expect(a.encode(text) == b.encode(text))
        #expect(a.vocabularySize == 475)
    }
}

extension TokenizerFixtureTests {
    /// The package's own trained tokenizer file, as `tokenizers` encodes with it.
    @Test func writtenByUsMatchesTokenizers() throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json("written_by_us"))
        for (text, expected) in zip(TokenizerFixtures.texts, TokenizerFixtures.cases("written_by_us")) {
            #expect(tokenizer.encode(text) == expected.ids, "\(text.debugDescription)")
            #expect(tokenizer.decode(expected.ids, skippingSpecialTokens: true) == expected.decodedSkippingSpecial)
        }
    }
}
