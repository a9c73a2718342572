import Corpus
import Foundation
import LoRA
import Testing
import TinyLlama

/// The committed tiny LLaMA is what `make pretrain` makes: its files match their sums, the
/// tokenizer is the one training makes today, the first 20 optimizer steps rerun here give the
/// weights whose digest the run logged, and the committed weights are the run's final weights.
@Suite(.serialized) struct PretrainingTests {
    static let folder = Result { try TinyLlama.committedCheckpointFolder }

    /// The log's `digest <step> <sha>` lines, by step.
    static func loggedDigests() throws -> [Int: String] {
        var digests: [Int: String] = [:]
        for line in try TinyLlama.committedLog() where line.hasPrefix("digest\t") {
            let fields = line.split(separator: "\t")
            digests[Int(fields[1])!] = String(fields[2])
        }
        return digests
    }

    @Test func committedFilesMatchTheirSums() throws {
        let folder = try Self.folder.get()
        let sums = String(decoding: try Data(contentsOf: folder.appendingPathComponent(TinyLlama.sumsFileName)), as: UTF8.self)
        let lines = sums.split(separator: "\n")
        #expect(lines.count == 4, "\(sums)")
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            let data = try Data(contentsOf: folder.appendingPathComponent(String(parts[1])))
            #expect(SHA256.hex(data) == String(parts[0]), "\(parts[1])")
        }
    }

    @Test func committedWeightsAreTheRunsFinalWeights() throws {
        let (model, _) = try TinyLlama.load()
        #expect(model.configuration == TinyLlama.configuration)
        let digests = try Self.loggedDigests()
        let last = try #require(digests.keys.max())
        #expect(last == PretrainingPlan.standard.steps, "the committed run is not the standard plan's")
        #expect(TinyLlama.weightDigest(model) == digests[last])
    }

    @Test func theFirstTwentyStepsAreReproducedBitForBit() throws {
        let expected = try #require(try Self.loggedDigests()[PretrainingPlan.checkedStep])
        var pretraining = try Pretraining(plan: .standard)
        // The tokenizer trained today is byte for byte the committed one.
        let committed = try Data(contentsOf: try Self.folder.get().appendingPathComponent("tokenizer.json"))
        #expect(Array(pretraining.tokenizer.json.utf8) == Array(committed))
        var digest: String?
        pretraining.run { progress, model in
            guard progress.step == PretrainingPlan.checkedStep else { return .continue }
            digest = TinyLlama.weightDigest(model)
            return .stop
        }
        #expect(digest == expected)
    }

    /// The digest is sensitive to one bit of one weight (so the comparison above can fail).
    @Test func theDigestSeesOneBit() throws {
        var (model, _) = try TinyLlama.load()
        let before = TinyLlama.weightDigest(model)
        var flipped = false
        model.updateTrainableParameters { _, value in
            guard !flipped else { return }
            value[0, 0] = Float(bitPattern: value[0, 0].bitPattern ^ 1)
            flipped = true
        }
        #expect(flipped)
        #expect(TinyLlama.weightDigest(model) != before)
    }
}
