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

/// The n-gram baseline is a normalised, Witten–Bell-smoothed model.
@Suite struct ByteNGramTests {
    @Test func everyDistributionSumsToOne() throws {
        let model = try ByteNGram(order: 3, documents: ["abracadabra", "abba", "cab"])
        for context in [[], Array("ab".utf8), Array("zz".utf8), Array("c".utf8)] as [[UInt8]] {
            let p = model.distribution(after: context)
            #expect(p.count == ByteNGram.symbolCount)
            #expect(abs(p.reduce(0, +) - 1) < 1e-12, "context \(context)")
            #expect(p.allSatisfy { $0 > 0 })
        }
    }

    /// Order 1 is a unigram over bytes and the end symbol, interpolated with the uniform:
    /// P(w) = (c(w) + T/257) / (N + T).
    @Test func unigramMatchesItsClosedForm() throws {
        let model = try ByteNGram(order: 1, documents: ["aab"])  // a:2 b:1 end:1 → N = 4, T = 3
        let p = model.distribution(after: [])
        let share: Double = 3.0 / 257
        let (pa, pEnd, pz): (Double, Double, Double) = (p[97], p[256], p[122])
        #expect(abs(pa - (2 + share) / 7) < 1e-15)
        #expect(abs(pEnd - (1 + share) / 7) < 1e-15)
        #expect(abs(pz - share / 7) < 1e-15)
        // bits("ab") = −log₂ P(a) − log₂ P(b) − log₂ P(end)
        let expected: Double = -(Foundation.log2(pa) + Foundation.log2(p[98]) + Foundation.log2(pEnd))
        #expect(abs(model.bits(of: "ab") - expected) < 1e-9)
    }

    @Test func longerContextsFitTheTrainingTextBetter() throws {
        let documents = try Corpus.documents(.proverbs, .train)
        let bits = try (1...4).map { try ByteNGram(order: $0, documents: documents).bitsPerByte(documents) }
        #expect(zip(bits, bits.dropFirst()).allSatisfy { $0 > $1 }, "\(bits)")
        #expect(bits[0] < 8 && bits[0] > 3)
    }

    @Test func ordersOutsideTheRangeAreRefusedByName() {
        #expect(throws: CorpusError.malformed("ByteNGram", "order 0 is outside 1…7")) { try ByteNGram(order: 0, documents: []) }
        #expect(throws: CorpusError.self) { try ByteNGram(order: 8, documents: []) }
    }
}
