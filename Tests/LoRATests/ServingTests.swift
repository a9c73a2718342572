import Foundation
import LoRA
import Testing

/// Many adapters on one frozen base, unmerged, with a mixed batch (PEFT's `adapter_names=`).
@Suite struct ServingTests {
    static let suite = TaskSuite(alphabetSize: 8, length: 4, seed: 1)

    /// A base and two adapted copies with non-zero B (different targets and ranks on purpose).
    static func models() throws -> (base: TransformerModel<Float>, a: TransformerModel<Float>, b: TransformerModel<Float>) {
        let base = try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 2), seed: 1)
        func adapted(_ targets: [String], rank: Int, seed: UInt64) throws -> TransformerModel<Float> {
            var m = base
            try m.injectLoRA(targets: .names(targets), hyperparameters: .init(rank: rank, alpha: Double(2 * rank)), seed: seed)
            var g = SeededGenerator(seed: seed + 100)
            m.updateTrainableParameters { name, value in
                if name.hasSuffix("lora_B.weight") { value = .normal(value.rows, value.columns, std: 0.3, using: &g) }
            }
            return m
        }
        return (base, try adapted(["q_proj", "v_proj"], rank: 4, seed: 2), try adapted(["v_proj", "up_proj"], rank: 2, seed: 3))
    }

    static func sequences(_ count: Int) -> (tokens: [Int], t: Int) {
        var g = SeededGenerator(seed: 9)
        let batch = SequenceTask.batch(from: suite.pretraining, size: count, using: &g)
        return (batch.tokens, batch.sequenceLength)
    }

    /// The rows of sequence `i` of logits (batch·T, vocab).
    static func rows(_ logits: Matrix<Float>, sequence i: Int, t: Int) -> Matrix<Float> {
        Matrix(rows: t, columns: logits.columns, storage: Array(logits.storage[(i * t * logits.columns)..<((i + 1) * t * logits.columns)]))
    }

    /// A batch routed [a, b, base, a, b] gives, per sequence, the logits of running that adapter
    /// (or the base) alone on the same sequences. Tolerance 1e-5 of the logit scale: the base
    /// product runs on 5 sequences at once instead of 2 or 1, and a BLAS may round rows
    /// differently with the batch size; the branch products run on the same rows as alone.
    @Test func mixedBatchEqualsEachAdapterAlone() throws {
        let (base, a, b) = try Self.models()
        var server = base
        try server.addServedAdapter("a", from: a)
        try server.addServedAdapter("b", from: b)
        #expect(server.servedAdapterNames == ["a", "b"])
        let (tokens, t) = Self.sequences(5)
        let route: [String?] = ["a", "b", nil, "a", "b"]
        let mixed = try server.logits(tokens: tokens, sequenceLength: t, adapters: route)
        let models: [String?: TransformerModel<Float>] = ["a": a, "b": b, .none: base]
        var worst = 0.0
        for (name, model) in models {
            let indices = route.indices.filter { route[$0] == name }
            let sub = indices.flatMap { tokens[($0 * t)..<(($0 + 1) * t)] }
            let alone = model.logits(tokens: sub, sequenceLength: t)
            for (k, i) in indices.enumerated() {
                worst = max(worst, Self.rows(mixed, sequence: i, t: t).maxAbsDifference(Self.rows(alone, sequence: k, t: t)))
            }
        }
        #expect(worst <= 1e-5 * Double(mixed.maxAbs), "max difference \(worst)")
        // The adapters matter: a and b differ from the base on their sequences.
        #expect(Self.rows(mixed, sequence: 0, t: t).maxAbsDifference(Self.rows(base.logits(tokens: tokens, sequenceLength: t), sequence: 0, t: t)) > 1e-2)
    }

    /// Adding and removing adapters never writes the base weights; a removed adapter's rows can
    /// no longer be requested, and a slot left with no adapter is its plain base again.
    @Test func hotSwappingLeavesTheBaseUntouched() throws {
        let (base, a, b) = try Self.models()
        func baseWeights(_ m: TransformerModel<Float>) -> [String: Matrix<Float>] {
            Dictionary(uniqueKeysWithValues: m.namedParameters.filter { !$0.name.contains("lora_") }.map { ($0.name, $0.value) })
        }
        var server = base
        try server.addServedAdapter("a", from: a)
        #expect(baseWeights(server) == baseWeights(base))
        try server.addServedAdapter("b", from: b)
        try server.removeServedAdapter("a")
        #expect(baseWeights(server) == baseWeights(base))
        #expect(server.servedAdapterNames == ["b"])
        #expect(throws: ServingError.unknownAdapter("a")) { try server.routing(["a"], sequenceLength: 9) }
        #expect(throws: ServingError.duplicateAdapter("b")) { try server.addServedAdapter("b", from: b) }
        // q_proj was adapted by a only: it is a plain Linear again.
        #expect(server[linear: "layers.0.self_attn.q_proj"] is Linear<Float>)
        let (tokens, t) = Self.sequences(2)
        let served = try server.logits(tokens: tokens, sequenceLength: t, adapters: ["b", "b"])
        #expect(served.maxAbsDifference(b.logits(tokens: tokens, sequenceLength: t)) <= 1e-5 * Double(served.maxAbs))
        try server.removeServedAdapter("b")
        #expect(server.logits(tokens: tokens, sequenceLength: t) == base.logits(tokens: tokens, sequenceLength: t))
    }

    /// An adapter read from PEFT-format files serves like the model it was saved from; DoRA is refused.
    @Test func servesAdaptersFromFilesAndRefusesDoRA() throws {
        let (base, a, _) = try Self.models()
        let dir = try makeTemporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        try a.saveAdapter(to: dir)
        var server = base
        try server.addServedAdapter("a", loaded: try AdapterFiles.read(from: dir))
        let (tokens, t) = Self.sequences(2)
        let served = try server.logits(tokens: tokens, sequenceLength: t, adapters: ["a", "a"])
        #expect(served.maxAbsDifference(a.logits(tokens: tokens, sequenceLength: t)) <= 1e-5 * Double(served.maxAbs))
        var dora = base
        try dora.injectLoRA(targets: .names(["q_proj"]), hyperparameters: .init(rank: 2, useDoRA: true), seed: 1)
        #expect(throws: ServingError.unsupportedVariant(module: "layers.0.self_attn.q_proj")) { try server.addServedAdapter("d", from: dora) }
    }

    /// The input gradient through a served layer is the sum of the base's and each routed branch's.
    @Test func inputGradientMatchesCentralDifferences() throws {
        var g = SeededGenerator(seed: 4)
        let base = Linear<Double>(inFeatures: 6, outFeatures: 5, using: &g)
        let p = try LoRABranch<Double>(a: .normal(2, 6, using: &g), b: .normal(5, 2, using: &g), hyperparameters: .init(rank: 2, alpha: 4), inFeatures: 6, outFeatures: 5)
        let q = try LoRABranch<Double>(a: .normal(3, 6, using: &g), b: .normal(5, 3, using: &g), hyperparameters: .init(rank: 3, alpha: 3), inFeatures: 6, outFeatures: 5)
        let layer = try MultiAdapterLinear(base: base).adding("p", branch: p).adding("q", branch: q).routing(["q", nil, "p", "q"])
        let x = Matrix<Double>.normal(4, 6, using: &g), r = Matrix<Double>.normal(4, 5, using: &g)
        var rng = SeededGenerator(seed: 1)
        let dx = layer.backward(r, cache: layer.forward(x, training: &rng).cache).input
        let report = GradientCheck.check({ weightedSum(layer.forward($0[0]), r) }, at: [x], analytic: [dx])
        #expect(report.passes(), "\(report)")
    }
}
