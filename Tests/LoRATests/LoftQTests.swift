import LoRA
import Testing

@Suite struct LoftQTests {
    static func weight() -> Matrix<Float> {
        var g = SeededGenerator(seed: 12)
        return .normal(48, 64, std: 0.05, using: &g)
    }

    /// T = 1 quantizes W itself, and s·B·A is the best rank-r approximation of W − NF4(W), so the
    /// error is the tail of that spectrum; more iterations never do worse here and do better.
    @Test func oneIterationIsNF4PlusTheTopOfItsError() throws {
        let w = Self.weight()
        let one = try LoftQ.initialize(w, rank: 8, scale: 2, iterations: 1)
        let plain = try QuantizedTensor(quantizing: w)
        #expect(one.quantized == plain)
        let sigma = try (w - plain.dequantized()).svd().singularValues.map(\.doubleValue)
        let tail = sigma[8...].reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(one.errors[0] - tail) <= 1e-4 * tail, "\(one.errors[0]) vs \(tail)")
        // s·B·A is that approximation whatever s is (A and B split √(σ/s)).
        let delta = one.b.matmul(one.a, alpha: 2)
        #expect(((w - plain.dequantized()) - delta).frobeniusNorm <= tail * (1 + 1e-4))
        let five = try LoftQ.initialize(w, rank: 8, scale: 2, iterations: 5)
        #expect(five.errors.count == 5)
        #expect(five.errors.last! < one.errors[0], "\(five.errors)")
        #expect(one.errors[0] < (w - plain.dequantized()).frobeniusNorm)
    }

    /// The injected model computes Q + s·B·A in the targets, with Q 4-bit; other linears are NF4.
    @Test func injectionPutsQAndTheFactorsInPlace() throws {
        let suite = TaskSuite(alphabetSize: 8, length: 4, seed: 1)
        let base = try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 1), seed: 1)
        var model = base
        let (names, errors) = try model.injectLoftQ(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 4, alpha: 8), iterations: 3, seed: 2)
        #expect(names.count == 2 && errors.values.allSatisfy { $0.count == 3 })
        for path in names {
            let layer = try #require(model[linear: path] as? QLoRALinear)
            let w = (base[linear: path] as! Linear<Float>).weight
            let approximation = layer.base.denseWeight + layer.branch.deltaWeight
            #expect(abs((w - approximation).frobeniusNorm - errors[path]!.last!) <= 1e-5)
        }
        #expect(model[linear: "layers.0.self_attn.k_proj"] is QuantizedLinear)
        #expect(model[linear: "lm_head"] is Linear<Float>)
        #expect(throws: LoRAError.rankTooLarge(rank: 17, limit: 16)) {
            try LoftQ.initialize(.zeros(16, 16), rank: 17, scale: 1, iterations: 1)
        }
    }
}
