import Foundation
import LoRA
import Testing

/// A tokenizer the package trained and wrote: the committed `written_by_us/tokenizer.json`, which
/// `tokenizers` loaded (make_fixtures.py recorded its ids), and every fixture written back and
/// read again encodes as before.
@Suite struct TokenizerWritingTests {
    /// The llama3-style tokenizer the package trains itself, with its special tokens and BOS.
    static func trained() throws -> BPETokenizer {
        let result = BPETrainer.train(try BPETrainerTests.corpus(), preTokenizer: .llama3, vocabularySize: 400, minimumFrequency: 2,
                                      specialTokens: ["<|begin_of_text|>", "<|end_of_text|>"])
        return try BPETokenizer(
            vocabulary: result.vocabulary, merges: result.merges, preTokenizer: .llama3,
            addedTokens: [AddedToken(content: "<|begin_of_text|>", id: 0, special: true), AddedToken(content: "<|end_of_text|>", id: 1, special: true)],
            template: PostProcessorTemplate(items: [.special(name: "<|begin_of_text|>", ids: [0]), .sequence]), ignoreMerges: true)
    }

    /// With `WRITE_TRAINED_FIXTURE=1` this test (re)writes the committed file in the source tree.
    @Test func writesTheCommittedFile() throws {
        let tokenizer = try Self.trained()
        if ProcessInfo.processInfo.environment["WRITE_TRAINED_FIXTURE"] == "1" {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer/written_by_us")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try tokenizer.write(to: folder.appendingPathComponent("tokenizer.json"))
            return
        }
        #expect(Array(tokenizer.json.utf8) == (try TokenizerFixtures.json("written_by_us")), "rerun make_fixtures.py after changing the format")
    }

    @Test(arguments: ["gpt2", "llama3", "digits_prefix_space", "bytelevel", "unknown_bytes_fused"])
    func writtenBackReadsTheSame(_ name: String) throws {
        let original = try BPETokenizer(json: TokenizerFixtures.json(name))
        let again = try BPETokenizer(json: Array(original.json.utf8))
        #expect(again.json == original.json)
        for text in TokenizerFixtures.texts {
            #expect(again.encode(text) == original.encode(text), "\(name): \(text.debugDescription)")
        }
    }
}
