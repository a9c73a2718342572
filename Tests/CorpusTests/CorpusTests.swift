import Foundation
import Testing
@testable import Corpus

/// The committed snapshot is what its README says, split by its stated rule.
@Suite struct CorpusTests {
    /// `| \`name\` | documents | bytes | \`sha256\` |` rows of the README's file table.
    static func readmeRows() throws -> [(file: String, documents: Int, bytes: Int, sha256: String)] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Corpus/README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4, cells[0].hasSuffix(".txt`"), let n = Int(cells[1]), let b = Int(cells[2]) else { return nil }
            return (String(cells[0].dropFirst().dropLast()), n, b, String(cells[3].dropFirst().dropLast()))
        }
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks (56 bytes pad into a second block).
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func everyFileMatchesTheReadme() throws {
        let rows = try Self.readmeRows()
        #expect(rows.count == CorpusCollection.allCases.count * CorpusSplit.allCases.count)
        for collection in CorpusCollection.allCases {
            for split in CorpusSplit.allCases {
                let name = Corpus.fileName(collection, split)
                let row = try #require(rows.first { $0.file == name }, "README has no row for \(name)")
                let text = try Corpus.text(collection, split)
                #expect(text.utf8.count == row.bytes, "\(name) bytes")
                #expect(SHA256.hex(text.utf8) == row.sha256, "\(name) hash")
                #expect(try Corpus.documents(collection, split).count == row.documents, "\(name) documents")
            }
        }
    }

    /// With n documents in all, positions 8, 18, … are validation and 9, 19, … test.
    @Test func splitSizesFollowTheRule() throws {
        for collection in CorpusCollection.allCases {
            let sizes = try CorpusSplit.allCases.map { try Corpus.documents(collection, $0).count }
            let n = sizes.reduce(0, +)
            let expected = CorpusSplit.allCases.map { split in (0..<n).count { Corpus.split(ofDocumentAt: $0) == split } }
            #expect(sizes == expected, "\(collection)")
        }
    }

    @Test func documentsAreCleanAndTheVoicesDisjointFromTheSource() throws {
        var byCollection: [CorpusCollection: Set<String>] = [:]
        for collection in CorpusCollection.allCases {
            for split in CorpusSplit.allCases {
                for document in try Corpus.documents(collection, split) {
                    #expect(!document.hasPrefix("\n") && !document.hasSuffix("\n"))
                    #expect(!document.split(separator: "\n", omittingEmptySubsequences: false).contains { $0 == "%" || $0.hasSuffix(" ") })
                    byCollection[collection, default: []].insert(document)
                }
            }
        }
        let source = byCollection[.source] ?? []
        #expect(source.count > 10_000)
        for voice in [CorpusCollection.startrek, .proverbs] {
            #expect(source.isDisjoint(with: byCollection[voice] ?? []), "\(voice) leaks into source")
        }
    }

    @Test func proverbsIsTheKingJamesText() throws {
        let first = try Corpus.documents(.proverbs, .train).first
        #expect(first == "The proverbs of Solomon the son of David, king of Israel;")
    }
}
