import LoRA
import Testing

/// QuantizedLinear (frozen 4-bit layer) against Linear on the dequantized weight, and its input
/// gradient against central differences.
@Suite struct QuantizedLinearTests {
    /// Odd sizes and a small blocksize so that tiles and blocks straddle rows; with a bias.
    static func makeLayer(doubleQuantization: Bool = true, tileRows: Int = 4) throws -> QuantizedLinear {
        var g = SeededGenerator(seed: 42)
        let base = Linear<Float>(inFeatures: 23, outFeatures: 11, using: &g)
        var layer = try QuantizedLinear(quantizing: base, blocksize: 32, doubleQuantization: doubleQuantization)
        layer.tileRows = tileRows
        return layer
    }

    @Test(arguments: [false, true])
    func agreesWithLinearOnTheDequantizedWeight(doubleQuantization: Bool) throws {
        for tile in [1, 4, 11, 64] {
            let q = try Self.makeLayer(doubleQuantization: doubleQuantization, tileRows: tile)
            let linear = q.dequantized
            #expect(linear.weight == q.weight.dequantized() && linear.bias == q.bias && !linear.isTrainable)
            var g = SeededGenerator(seed: 7)
            let x = Matrix<Float>.normal(5, 23, using: &g)
            let dy = Matrix<Float>.normal(5, 11, using: &g)
            // Float32, different summation order (tiles vs one GEMM): 1e-5 absolute + 1e-5 relative.
            let y = q.forward(x)
            #expect(y.maxAbs > 0)
            #expect(allClose(y, linear.forward(x), atol: 1e-5, rtol: 1e-5))
            let reference = linear.backward(dy, cache: InputCache(input: x))
            #expect(reference.weight == nil && reference.bias == nil)
            #expect(allClose(q.backward(dy, cache: InputCache(input: x)).input, reference.input, atol: 1e-5, rtol: 1e-5))
        }
        // An empty batch is an empty result.
        let q = try Self.makeLayer(doubleQuantization: doubleQuantization)
        #expect(q.forward(.zeros(0, 23)).rows == 0 && q.backward(.zeros(0, 11), cache: InputCache(input: .zeros(0, 23))).input.rows == 0)
    }

    /// Central differences in Double on L = Σ G ⊙ (x·Wᵀ + b), W = dequant(W4) (exact in Double).
    /// The analytic gradient is Float32, so the tolerance is 1e-5 (norm-wise relative), not
    /// GradientCheck's 1e-6: float32 rounding over sums of 11 terms.
    @Test func inputGradientMatchesCentralDifferences() throws {
        let q = try Self.makeLayer()
        var g = SeededGenerator(seed: 17)
        let x = Matrix<Float>.normal(4, 23, using: &g)
        let weights = Matrix<Float>.normal(4, 11, using: &g)  // ∂L/∂y
        let w = q.weight.dequantized().converted(to: Double.self)
        let bias = q.bias!.converted(to: Double.self)
        let gy = weights.converted(to: Double.self)
        let loss: ([Matrix<Double>]) -> Double = { p in
            var y = p[0].matmul(w, transposeB: true)
            for i in 0..<y.rows { for j in 0..<y.columns { y[i, j] += bias[0, j] } }
            return (y .* gy).sum
        }
        let report = GradientCheck.check(loss, at: [x.converted()], analytic: [q.backward(weights, cache: InputCache(input: x)).input.converted()])
        #expect(report.passes(tolerance: 1e-5), "\(report)")
    }

    @Test func wrongBiasIsAnError() throws {
        var g = SeededGenerator(seed: 3)
        let w = try QuantizedTensor(quantizing: .normal(8, 16, using: &g), blocksize: 64, codebook: .nf4, doubleQuantization: false)
        #expect(throws: LoRAError.self) { try QuantizedLinear(weight: w, bias: .zeros(1, 16)) }
        #expect(try QuantizedLinear(weight: w, bias: .zeros(1, 8)).outFeatures == 8)
    }

    /// QLoRALinear is this base plus LoRA's branch: with B = 0 its output is the base's.
    @Test func qloraLinearIsThisBasePlusTheBranch() throws {
        var g = SeededGenerator(seed: 42)
        let base = Linear<Float>(inFeatures: 23, outFeatures: 11, using: &g)
        let q = try QLoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 3, alpha: 6), blocksize: 32, using: &g)
        let x = Matrix<Float>.normal(5, 23, using: &g)
        #expect(q.forward(x) == q.base.forward(x))
        #expect(q.weight == q.base.weight && q.bias == q.base.bias)
        let separate = try QuantizedLinear(quantizing: base, blocksize: 32)
        #expect(separate.weight == q.weight)
    }
}
