import Foundation
import LoRA
import Testing

/// Encoding speed on about 1 MB of text (not a timed test: it asserts only that the ids agree
/// across sizes, and prints the rates). Run with
/// `TOKENIZER_BENCH=1 swift test --skip-build --filter TokenizerThroughputTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOKENIZER_BENCH"] == "1"))
struct TokenizerThroughputTests {
    /// The corpus 550 times with a numbered heading (≈ 1 MB; the same text make_fixtures.py can time).
    static func megabyte(_ copies: Int = 550) throws -> String {
        let corpus = try String(contentsOf: TokenizerFixtures.root.appendingPathComponent("corpus.txt"), encoding: .utf8)
        return (0..<copies).map { "Section \($0)\n" + corpus }.joined()
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(arguments: ["gpt2", "llama3"])
    func encodeRate(_ name: String) throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json(name))
        for copies in [55, 550] {
            let text = try Self.megabyte(copies)
            var ids: [Int] = []
            let time = Self.seconds { ids = tokenizer.encode(text, addingSpecialTokens: false) }
            print("tokenizer \(name): \(text.utf8.count) bytes → \(ids.count) tokens in \(String(format: "%.3f", time)) s: \(String(format: "%.0f", Double(ids.count) / time)) tokens/s, \(String(format: "%.2f", Double(text.utf8.count) / time / 1e6)) MB/s")
            #expect(tokenizer.decode(ids) == text)
        }
    }

    /// One word of 100 KB and of 1 MB (no pre-token cache can help): the merges' cost per byte
    /// should grow no faster than log n.
    @Test func oneLongWord() throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json("gpt2"))
        for bytes in [100_000, 1_000_000] {
            let word = String(repeating: "thetokenizertrainsmerges", count: bytes / 24)
            var ids: [Int] = []
            let time = Self.seconds { ids = tokenizer.encode(word, addingSpecialTokens: false) }
            print("tokenizer gpt2, one word of \(word.utf8.count) bytes → \(ids.count) tokens in \(String(format: "%.3f", time)) s: \(String(format: "%.0f", Double(word.utf8.count) / time)) bytes/s")
            #expect(tokenizer.decode(ids) == word)
        }
    }
}
