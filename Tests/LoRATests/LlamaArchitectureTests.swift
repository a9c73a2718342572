#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LoRA
import Testing

/// The LLaMA pieces (RoPE, SwiGLU, grouped-query attention, the tied head) as configuration of the
/// one transformer: gradient checks in Double against central differences (relative error ≤ 1e-6,
/// ``GradientCheck/defaultTolerance``), independent oracles for the forward passes, validation.
@Suite struct LlamaArchitectureTests {
    let tolerance = GradientCheck.defaultTolerance

    /// Σ c ⊙ y: a fixed random projection turns any output into a scalar loss with ∂L/∂y = c.
    func projection(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<Double> {
        var g = SeededGenerator(seed: seed)
        return .normal(rows, columns, using: &g)
    }

    func dot(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { (a .* b).sum }

    // MARK: RoPE

    @Test func ropeGradient() {
        var g = SeededGenerator(seed: 31)
        let rope = RotaryEmbedding<Double>(headDimension: 4, theta: 100)
        let x = Matrix<Double>.normal(6, 8, using: &g)  // 6 rows, 2 heads of width 4
        let positions = [0, 1, 2, 5, 3, 9]
        let c = projection(6, 8, seed: 32)
        let analytic = rope.rotate(c, positions: positions, inverse: true)
        let report = GradientCheck.check({ dot(rope.rotate($0[0], positions: positions), c) }, at: [x], analytic: [analytic])
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }

    /// Oracle: transformers' formulas written out with the C library's pow, cos and sin:
    /// inv_freq = θ^(−2i/d_h), y = x·cos + rotate_half(x)·sin, emb = cat(freqs, freqs).
    @Test func ropeMatchesRotateHalfDefinition() {
        var g = SeededGenerator(seed: 33)
        let (dh, theta) = (6, 500.0)
        let rope = RotaryEmbedding<Double>(headDimension: dh, theta: theta)
        let x = Matrix<Double>.normal(4, 2 * dh, using: &g)
        let positions = [0, 3, 7, 100]
        let y = rope.rotate(x, positions: positions)
        let half = dh / 2
        for r in 0..<4 {
            for head in 0..<2 {
                let v = (0..<dh).map { x[r, head * dh + $0] }
                let rotateHalf = (0..<dh).map { $0 < half ? -v[$0 + half] : v[$0 - half] }
                for j in 0..<dh {
                    let angle = Double(positions[r]) * pow(theta, -Double(2 * (j % half)) / Double(dh))
                    let expected = v[j] * cos(angle) + rotateHalf[j] * sin(angle)
                    #expect(abs(y[r, head * dh + j] - expected) < 1e-12)
                }
            }
        }
        // Position 0 is the identity; the rotation keeps each head's length.
        #expect((0..<(2 * dh)).allSatisfy { y[0, $0] == x[0, $0] })
        let norm = { (m: Matrix<Double>, r: Int) in (0..<dh).reduce(0.0) { $0 + m[r, $1] * m[r, $1] } }
        #expect(abs(norm(y, 3) - norm(x, 3)) < 1e-12)
    }

    /// What RoPE is for: ⟨rope(q, p), rope(k, p′)⟩ depends on p − p′ only.
    @Test func ropeScoresDependOnRelativePosition() {
        var g = SeededGenerator(seed: 34)
        let rope = RotaryEmbedding<Double>(headDimension: 8, theta: 10_000)
        let q = Matrix<Double>.normal(1, 8, using: &g), k = Matrix<Double>.normal(1, 8, using: &g)
        func score(_ p: Int, _ pk: Int) -> Double { dot(rope.rotate(q, positions: [p]), rope.rotate(k, positions: [pk])) }
        #expect(abs(score(5, 2) - score(13, 10)) < 1e-12)
        #expect(abs(score(5, 2) - score(5, 3)) > 1e-6)  // and it does depend on it
    }

    /// The Float table is computed in Float as transformers does (ω, p·ω and cos/sin each rounded
    /// to float32): within 2 ulp-ish of the Double one, and exactly the same bits on every run.
    @Test func ropeFloatTableIsCloseToDouble() {
        let f = RotaryEmbedding<Float>(headDimension: 16, theta: 10_000).table(positions: 0..<64)
        let d = RotaryEmbedding<Double>(headDimension: 16, theta: 10_000).table(positions: 0..<64)
        for i in f.cosines.indices {
            #expect(abs(Double(f.cosines[i]) - d.cosines[i]) < 2e-5)
            #expect(abs(Double(f.sines[i]) - d.sines[i]) < 2e-5)
        }
    }

    // MARK: SwiGLU

    @Test func swigluGradient() {
        var g = SeededGenerator(seed: 35)
        let gate = Matrix<Double>.normal(5, 6, std: 2, using: &g), up = Matrix<Double>.normal(5, 6, using: &g)
        let c = projection(5, 6, seed: 36)
        let grads = SwiGLU.backward(gate: gate, up: up, outputGradient: c)
        let report = GradientCheck.check({ dot(SwiGLU.forward(gate: $0[0], up: $0[1]), c) }, at: [gate, up], analytic: [grads.gate, grads.up])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        // Oracle: silu(x) = x·σ(x) with the C library's exp.
        let z = SwiGLU.forward(gate: gate, up: up)
        for i in 0..<gate.count {
            let x = gate.storage[i]
            #expect(abs(z.storage[i] - x / (1 + exp(-x)) * up.storage[i]) < 1e-12)
        }
        #expect(abs(SwiGLU.silu(-200.0)) < 1e-80 && SwiGLU.silu(200.0) == 200)
    }

    // MARK: Grouped-query attention

    /// Query head h reads key/value head h / (H/KV): the same output as full attention on K and V
    /// with each KV head repeated (transformers' repeat_kv), bit for bit.
    func repeated(_ m: Matrix<Double>, heads: Int, keyValueHeads: Int, headDimension dh: Int) -> Matrix<Double> {
        Matrix(rows: m.rows, columns: heads * dh) { r, c in m[r, (c / dh) / (heads / keyValueHeads) * dh + c % dh] }
    }

    @Test func groupedQueryAttentionGradient() {
        var g = SeededGenerator(seed: 37)
        let (t, heads, kv, dh) = (3, 4, 2, 2)
        let q = Matrix<Double>.normal(6, heads * dh, using: &g)
        let k = Matrix<Double>.normal(6, kv * dh, using: &g), v = Matrix<Double>.normal(6, kv * dh, using: &g)
        let c = projection(6, heads * dh, seed: 38)
        let (_, cache) = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: heads, keyValueHeads: kv, sequenceLength: t)
        let grads = ScaledDotProductAttention.backward(outputGradient: c, query: q, key: k, value: v, cache: cache,
                                                       heads: heads, keyValueHeads: kv, sequenceLength: t)
        #expect(grads.key.columns == kv * dh && grads.value.columns == kv * dh)
        let report = GradientCheck.check({
            dot(ScaledDotProductAttention.forward(query: $0[0], key: $0[1], value: $0[2], heads: heads, keyValueHeads: kv, sequenceLength: t).output, c)
        }, at: [q, k, v], analytic: [grads.query, grads.key, grads.value])
        #expect(report.passes(tolerance: tolerance), "\(report)")
        let grouped = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: heads, keyValueHeads: kv, sequenceLength: t).output
        let full = ScaledDotProductAttention.forward(
            query: q, key: repeated(k, heads: heads, keyValueHeads: kv, headDimension: dh),
            value: repeated(v, heads: heads, keyValueHeads: kv, headDimension: dh), heads: heads, sequenceLength: t).output
        #expect(grouped.storage == full.storage)
    }

    // MARK: The whole LLaMA model

    func llamaConfiguration(tied: Bool) -> TransformerConfiguration {
        var c = TransformerConfiguration.llama(vocabularySize: 7, contextLength: 4, modelDimension: 8, headCount: 4, keyValueHeadCount: 2,
                                               layerCount: 2, mlpDimension: 6, ropeTheta: 10, normEpsilon: 1e-6, tieWordEmbeddings: tied)
        c.embeddingStd = 1
        return c
    }

    /// A tiny LLaMA in Double with every norm gain nudged, so no gradient is trivially symmetric.
    func llama(tied: Bool, seed: UInt64 = 41) throws -> TransformerModel<Double> {
        var model = try TransformerModel<Double>(configuration: llamaConfiguration(tied: tied), seed: seed)
        var g = SeededGenerator(seed: 42)
        model.updateTrainableParameters { name, t in
            if name.hasSuffix("norm.weight") { t = t + Matrix.normal(t.rows, t.columns, std: 0.3, using: &g) }
        }
        return model
    }

    func checkModel(_ model: TransformerModel<Double>) -> GradientCheckReport {
        let batch = TokenBatch(tokens: [1, 2, 3, 4, 0, 6, 5, 5], targets: [2, 3, CrossEntropy.ignoreIndex, 1, 6, 5, 5, 0], batchSize: 2, sequenceLength: 4)
        var g = SeededGenerator(seed: 1)
        let grads = model.lossAndGradients(batch, training: &g).gradients
        var copy = model
        var names: [String] = [], values: [Matrix<Double>] = []
        copy.updateTrainableParameters { n, t in names.append(n); values.append(t) }
        #expect(Set(grads.names) == Set(names))
        return GradientCheck.check({ inputs in
            var m = model
            var index = 0
            m.updateTrainableParameters { _, tensor in tensor = inputs[index]; index += 1 }
            return CrossEntropy.lossAndGradient(logits: m.logits(tokens: batch.tokens, sequenceLength: 4), targets: batch.targets).loss
        }, at: values, analytic: names.map { grads[$0]! })
    }

    @Test(arguments: [false, true]) func wholeLlamaGradient(tied: Bool) throws {
        let model = try llama(tied: tied)
        let names = model.namedParameters.map(\.name)
        // embed_tokens, 2 × (2 norms + 7 linears), norm, and lm_head unless tied.
        #expect(names.count == 1 + 2 * 9 + 1 + (tied ? 0 : 1))
        #expect(!names.contains { $0.hasPrefix("embed_positions") })
        #expect(names.contains("lm_head.weight") == !tied)
        let report = checkModel(model)
        #expect(report.passes(tolerance: tolerance), "\(report)")
    }

    @Test func llamaShapesAndNamesAreTransformers() throws {
        let model = try TransformerModel<Float>(configuration: llamaConfiguration(tied: false), seed: 1)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, [$0.value.rows, $0.value.columns]) })
        #expect(shapes["embed_tokens.weight"] == [7, 8])
        #expect(shapes["layers.0.self_attn.q_proj.weight"] == [8, 8])
        #expect(shapes["layers.0.self_attn.k_proj.weight"] == [4, 8])  // KV·d_h = 2·2
        #expect(shapes["layers.0.self_attn.v_proj.weight"] == [4, 8])
        #expect(shapes["layers.0.self_attn.o_proj.weight"] == [8, 8])
        #expect(shapes["layers.1.mlp.gate_proj.weight"] == [6, 8])
        #expect(shapes["layers.1.mlp.up_proj.weight"] == [6, 8])
        #expect(shapes["layers.1.mlp.down_proj.weight"] == [8, 6])
        #expect(shapes["layers.1.input_layernorm.weight"] == [1, 8])
        #expect(shapes["norm.weight"] == [1, 8] && shapes["lm_head.weight"] == [7, 8])
        #expect(model.norm.epsilon == 1e-6 && model.layers[1].postAttentionLayernorm.epsilon == 1e-6)
        #expect(model.linearLayerNames == (0..<2).flatMap { l in
            ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"].map { "layers.\(l).\($0)" }
        } + ["lm_head"])
    }

    /// The tied head computes with the embedding table itself: changing E changes the logits of
    /// a token through both the lookup and the head, and the untied model with lm_head = E agrees.
    @Test func tiedHeadEqualsUntiedHeadHoldingTheTable() throws {
        let tied = try llama(tied: true)
        var untied = try llama(tied: false)
        // Same blocks and tables: copy the tied model's parameters by name, then lm_head = E.
        let values = Dictionary(uniqueKeysWithValues: tied.namedParameters.map { ($0.name, $0.value) })
        untied.visitParameters { name, value, _ in value = values[name] ?? tied.embedTokens.weight }
        let tokens = [1, 2, 3, 4, 0, 6, 5, 5]
        #expect(tied.logits(tokens: tokens, sequenceLength: 4).storage == untied.logits(tokens: tokens, sequenceLength: 4).storage)
    }

    // MARK: Configuration

    @Test func validationNamesTheProblem() {
        func error(_ c: TransformerConfiguration) -> LoRAError? {
            do { try c.validate(); return nil } catch { return error }
        }
        let ok = TransformerConfiguration.llama(vocabularySize: 10, contextLength: 8, modelDimension: 16, headCount: 4, keyValueHeadCount: 2, layerCount: 1, mlpDimension: 32)
        #expect(error(ok) == nil)
        var c = ok
        c.keyValueHeadCount = 3
        #expect(error(c) == .keyValueHeadsDoNotDivide(headCount: 4, keyValueHeadCount: 3))
        c.keyValueHeadCount = 0
        #expect(error(c) == .modelSize(field: "keyValueHeadCount", value: 0))
        c = ok
        c.positionEncoding = .rotary(theta: 0)
        #expect(error(c) == .modelSetting(field: "ropeTheta", value: 0))
        c.positionEncoding = .rotary(theta: .infinity)
        #expect(error(c) == .modelSetting(field: "ropeTheta", value: .infinity))
        c = ok
        c.normEpsilon = -1
        #expect(error(c) == .modelSetting(field: "normEpsilon", value: -1))
        c = TransformerConfiguration.llama(vocabularySize: 10, contextLength: 8, modelDimension: 12, headCount: 4, layerCount: 1, mlpDimension: 32)
        #expect(error(c) == .rotaryHeadDimensionOdd(headDimension: 3))
        c.positionEncoding = .learned  // learned positions do not rotate pairs: an odd d_h is fine
        #expect(error(c) == nil)
        #expect(throws: LoRAError.keyValueHeadsDoNotDivide(headCount: 4, keyValueHeadCount: 3)) {
            try TransformerModel<Float>(configuration: .llama(vocabularySize: 10, contextLength: 8, modelDimension: 16, headCount: 4, keyValueHeadCount: 3, layerCount: 1, mlpDimension: 32), seed: 1)
        }
    }

    @Test func defaultsAreTheMiniatureAndOldJSONDecodes() throws {
        let c = TransformerConfiguration(vocabularySize: 10, contextLength: 4)
        #expect(c.keyValueHeadCount == c.headCount && c.positionEncoding == .learned && c.feedForward == .gelu)
        #expect(c.normEpsilon == 1e-5 && !c.tieWordEmbeddings)
        let old = #"{"vocabularySize":10,"contextLength":4,"modelDimension":64,"headCount":4,"layerCount":2,"mlpDimension":256,"embeddingStd":0.1}"#
        #expect(try JSONDecoder().decode(TransformerConfiguration.self, from: Data(old.utf8)) == c)
        let l = TransformerConfiguration.llama(vocabularySize: 10, contextLength: 8, modelDimension: 16, headCount: 4, keyValueHeadCount: 2,
                                               layerCount: 1, mlpDimension: 32, ropeTheta: 5e5, normEpsilon: 1e-5, tieWordEmbeddings: true)
        #expect(try JSONDecoder().decode(TransformerConfiguration.self, from: JSONEncoder().encode(l)) == l)
        #expect(l.positionEncoding == .rotary(theta: 5e5) && l.feedForward == .swiglu && l.keyValueDimension == 8)
    }
}
