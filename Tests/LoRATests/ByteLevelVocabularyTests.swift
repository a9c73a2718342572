import Foundation
import LoRA
import Testing

/// The package's own byte vocabulary: its file is the committed one that `tokenizers` loaded
/// (make_fixtures.py recorded tokenizers' ids for it), and it encodes text as its bytes.
@Suite struct ByteLevelVocabularyTests {
    static let vocabulary = try! ByteLevelVocabulary(beginningOfSequence: "<|begin_of_text|>")

    /// With `WRITE_BYTELEVEL_FIXTURE=1` in the environment this test (re)writes the committed
    /// file in the source tree first; then rerun make_fixtures.py so `tokenizers` checks it.
    @Test func writesTheCommittedFile() throws {
        if ProcessInfo.processInfo.environment["WRITE_BYTELEVEL_FIXTURE"] == "1" {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer/bytelevel")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Self.vocabulary.write(to: folder.appendingPathComponent("tokenizer.json"))
            return
        }
        let committed = try TokenizerFixtures.json("bytelevel")
        #expect(Array(Self.vocabulary.json.utf8) == committed, "rerun make_fixtures.py after changing the file's format")
    }

    @Test func encodesBytesAndSpecialTokens() throws {
        let tokenizer = try Self.vocabulary.tokenizer()
        let text = "héllo 👍<|end_of_text|>"
        let bytes = Array("héllo 👍".utf8).map(Int.init)
        #expect(tokenizer.encode(text) == [256] + bytes + [257])
        #expect(tokenizer.decode(tokenizer.encode(text)) == "<|begin_of_text|>" + text)
        #expect(tokenizer.vocabularySize == 258)
        #expect(tokenizer.beginningOfSequenceID == 256)
        #expect(tokenizer.specialTokenID("<|end_of_text|>") == 257)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bytevocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tokenizer.json")
        try Self.vocabulary.write(to: url)
        let read = try BPETokenizer(contentsOf: folder)
        #expect(read.encode("abc") == [256, 97, 98, 99])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["tokenizer.json"])
    }

    @Test func refusesBadSpecialTokens() {
        #expect(throws: TokenizerError.self) { try ByteLevelVocabulary(specialTokens: ["<a>", "<a>"]) }
        #expect(throws: TokenizerError.self) { try ByteLevelVocabulary(specialTokens: [""]) }
        #expect(throws: TokenizerError.self) { try ByteLevelVocabulary(specialTokens: ["<a>"], beginningOfSequence: "<b>") }
    }

    @Test func byteTableIsGPT2s() {
        let table = ByteLevelAlphabet.characters
        #expect(Set(table).count == 256)
        #expect(table[0x20] == "Ġ" && table[0x0A] == "Ċ" && table[0x41] == "A" && table[0xAD] == "\u{143}")
        for byte in 0..<256 { #expect(ByteLevelAlphabet.byte(for: table[byte]) == UInt8(byte)) }
        #expect(ByteLevelAlphabet.byte(for: " ") == nil)
    }
}
