#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LoRA
import Testing

/// Gradient checks (central differences in Double, relative error ≤ 1e-6) for every op of the
/// transformer and for the whole model, with and without LoRA layers.
@Suite struct ModelGradientTests {
    let tolerance = GradientCheck.defaultTolerance

    /// Σ c ⊙ y: a fixed random projection turns any output into a scalar loss with ∂L/∂y = c.
    func projection(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<Double> {
        var g = SeededGenerator(seed: seed)
        return .normal(rows, columns, using: &g)
    }

    func dot(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { (a .* b).sum }

    @Test func embeddingGradient() {
        var g = SeededGenerator(seed: 1)
        var e = Embedding<Double>(count: 5, dimension: 3, std: 1, using: &g)
        let indices = [0, 3, 3, 1, 4, 3]
        let c = projection(6, 3, seed: 2)
        let analytic = e.backward(c, indices: indices)
        let report = GradientCheck.check({ e.weight = $0[0]; return dot(e.forward(indices), c) }, at: [e.weight], analytic: [analytic])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        #expect(analytic.row(2).allSatisfy { $0 == 0 })  // index 2 never used
    }

    @Test func rmsNormGradient() {
        var g = SeededGenerator(seed: 3)
        var norm = RMSNorm<Double>(dimension: 6)
        norm.weight = .normal(1, 6, using: &g)
        let x = Matrix<Double>.normal(4, 6, using: &g)
        let c = projection(4, 6, seed: 4)
        var rng = SeededGenerator(seed: 0)
        let (_, cache) = norm.forward(x, training: &rng)
        let grads = norm.backward(c, cache: cache)
        let report = GradientCheck.check({ inputs in
            var n = norm
            n.weight = inputs[1]
            return dot(n.forward(inputs[0]), c)
        }, at: [x, norm.weight], analytic: [grads.input, grads.weight!])
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }

    @Test func geluGradient() {
        var g = SeededGenerator(seed: 5)
        let x = Matrix<Double>.normal(5, 7, std: 2, using: &g)
        let c = projection(5, 7, seed: 6)
        let analytic = GELU.backward(input: x, outputGradient: c)
        let report = GradientCheck.check({ dot(GELU.forward($0[0]), c) }, at: [x], analytic: [analytic])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        // gelu(x) ≈ x for large x and ≈ 0 for very negative x (independent of the formula's derivative).
        #expect(abs(GELU.forward(Matrix<Double>([[6]]))[0, 0] - 6) < 1e-6)
        #expect(abs(GELU.forward(Matrix<Double>([[-6]]))[0, 0]) < 1e-6)
    }

    @Test func causalSoftmaxGradient() {
        var g = SeededGenerator(seed: 7)
        let s = Matrix<Double>.normal(8, 4, using: &g)  // two (4, 4) blocks
        let c = projection(8, 4, seed: 8)
        var p = s
        CausalSoftmax.forward(&p)
        var analytic = c
        CausalSoftmax.backward(probabilities: p, gradient: &analytic)
        let report = GradientCheck.check({ var q = $0[0]; CausalSoftmax.forward(&q); return dot(q, c) }, at: [s], analytic: [analytic])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        // Rows sum to one and the future gets zero probability.
        for i in 0..<8 {
            #expect(abs(p.row(i).reduce(0, +) - 1) < 1e-12)
            for j in ((i % 4) + 1)..<4 { #expect(p[i, j] == 0) }
        }
    }

    @Test func attentionGradient() {
        var g = SeededGenerator(seed: 9)
        let (t, heads) = (3, 2)
        let q = Matrix<Double>.normal(6, 4, using: &g), k = Matrix<Double>.normal(6, 4, using: &g), v = Matrix<Double>.normal(6, 4, using: &g)
        let c = projection(6, 4, seed: 10)
        let (_, cache) = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: heads, sequenceLength: t)
        let grads = ScaledDotProductAttention.backward(outputGradient: c, query: q, key: k, value: v, cache: cache, heads: heads, sequenceLength: t)
        let report = GradientCheck.check({
            dot(ScaledDotProductAttention.forward(query: $0[0], key: $0[1], value: $0[2], heads: heads, sequenceLength: t).output, c)
        }, at: [q, k, v], analytic: [grads.query, grads.key, grads.value])
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }

    @Test func attentionIsCausalAndMatchesNaiveLoops() {
        var g = SeededGenerator(seed: 11)
        let (t, heads, d) = (4, 2, 6)
        let q = Matrix<Double>.normal(8, d, using: &g), k = Matrix<Double>.normal(8, d, using: &g), v = Matrix<Double>.normal(8, d, using: &g)
        let out = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: heads, sequenceLength: t).output
        // Independent oracle: explicit loops, one (sequence, head, query) at a time.
        let dh = d / heads
        for b in 0..<2 { for h in 0..<heads { for i in 0..<t {
            let row = b * t + i
            let scores = (0...i).map { j in (0..<dh).reduce(0.0) { $0 + q[row, h * dh + $1] * k[b * t + j, h * dh + $1] } / Double(dh).squareRoot() }
            let m = scores.max()!
            let e = scores.map { exp($0 - m) }
            let z = e.reduce(0, +)
            for c in 0..<dh {
                let expected = (0...i).reduce(0.0) { $0 + e[$1] / z * v[b * t + $1, h * dh + c] }
                #expect(abs(out[row, h * dh + c] - expected) < 1e-12)
            }
        } } }
    }

    @Test func crossEntropyGradient() {
        var g = SeededGenerator(seed: 12)
        let z = Matrix<Double>.normal(5, 4, using: &g)
        let targets = [1, CrossEntropy.ignoreIndex, 3, 0, CrossEntropy.ignoreIndex]
        let (loss, analytic, _) = CrossEntropy.lossAndGradient(logits: z, targets: targets)
        let report = GradientCheck.check({ CrossEntropy.lossAndGradient(logits: $0[0], targets: targets).loss }, at: [z], analytic: [analytic])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        // Oracle: −mean log softmax over the three counted rows.
        var expected = 0.0
        for (i, y) in [(0, 1), (2, 3), (3, 0)] {
            let total: Double = z.row(i).map { exp($0) }.reduce(0, +)
            expected -= (z[i, y] - log(total)) / 3
        }
        #expect(abs(loss - expected) < 1e-12)
        #expect(analytic.row(1).allSatisfy { $0 == 0 })
    }

    /// A tiny model; every parameter is nudged so that no gradient is trivially zero.
    func tinyModel(seed: UInt64 = 21) throws -> TransformerModel<Double> {
        let config = TransformerConfiguration(vocabularySize: 7, contextLength: 4, modelDimension: 4, headCount: 2, layerCount: 2, mlpDimension: 6, embeddingStd: 1)
        return try TransformerModel<Double>(configuration: config, seed: seed)
    }

    func checkModel(_ model: TransformerModel<Double>) -> GradientCheckReport {
        let batch = TokenBatch(tokens: [1, 2, 3, 4, 0, 6, 5, 5], targets: [2, 3, CrossEntropy.ignoreIndex, 1, 6, 5, 5, 0], batchSize: 2, sequenceLength: 4)
        var g = SeededGenerator(seed: 1)
        let grads = model.lossAndGradients(batch, training: &g).gradients
        let trainable = model.namedParameters.filter(\.isTrainable)
        #expect(Set(grads.names) == Set(trainable.map(\.name)))
        return GradientCheck.check({ inputs in
            var m = model
            var index = 0
            m.updateTrainableParameters { _, tensor in tensor = inputs[index]; index += 1 }
            let logits = m.logits(tokens: batch.tokens, sequenceLength: 4)
            return CrossEntropy.lossAndGradient(logits: logits, targets: batch.targets).loss
        }, at: trainableInOrder(model), analytic: trainableNamesInOrder(model).map { grads[$0]! })
    }

    func trainableInOrder(_ m: TransformerModel<Double>) -> [Matrix<Double>] {
        var copy = m, out: [Matrix<Double>] = []
        copy.updateTrainableParameters { _, t in out.append(t) }
        return out
    }

    func trainableNamesInOrder(_ m: TransformerModel<Double>) -> [String] {
        var copy = m, out: [String] = []
        copy.updateTrainableParameters { n, _ in out.append(n) }
        return out
    }

    @Test func wholeModelGradient() throws {
        var model = try tinyModel()
        var g = SeededGenerator(seed: 22)
        model.updateTrainableParameters { name, t in
            if name.hasSuffix("layernorm.weight") || name == "norm.weight" { t = t + Matrix.normal(t.rows, t.columns, std: 0.3, using: &g) }
        }
        let report = checkModel(model)
        #expect(report.relativeErrors.count == 2 + 2 * 8 + 2)
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }

    @Test func wholeModelGradientWithLoRA() throws {
        var model = try tinyModel()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj", "down_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 5)
        // Make B non-zero so that A's gradient is not identically zero.
        var g = SeededGenerator(seed: 23)
        model.updateTrainableParameters { name, t in
            if name.hasSuffix("lora_B.weight") { t = Matrix.normal(t.rows, t.columns, std: 0.5, using: &g) }
        }
        let names = trainableNamesInOrder(model)
        #expect(names.count == 12 && names.allSatisfy { $0.contains(".lora_") })
        let report = checkModel(model)
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }
}
