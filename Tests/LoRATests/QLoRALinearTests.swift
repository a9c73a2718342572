import LoRA
import Testing

/// QLoRALinear against LoRALinear on the dequantized weight, and against central differences.
@Suite struct QLoRALinearTests {
    /// A layer with a non-zero B (so every gradient path is exercised) and odd sizes so that
    /// tiles and blocks straddle rows.
    static func makeLayer(dropout: Double = 0, doubleQuantization: Bool = true, tileRows: Int = 4) throws -> QLoRALinear {
        var g = SeededGenerator(seed: 42)
        let base = Linear<Float>(inFeatures: 23, outFeatures: 11, using: &g)
        var layer = try QLoRALinear(
            base: base, hyperparameters: LoRAHyperparameters(rank: 3, alpha: 6, dropout: dropout),
            blocksize: 32, doubleQuantization: doubleQuantization, using: &g)
        layer.b = .normal(11, 3, std: 0.5, using: &g)
        layer.tileRows = tileRows
        return layer
    }

    /// The same adapter as a LoRALinear over the dequantized weight.
    static func reference<S: BLASScalar>(_ q: QLoRALinear, _: S.Type) throws -> LoRALinear<Linear<S>> {
        let base = Linear<S>(weight: q.weight.dequantized().converted(), bias: q.bias?.converted())
        return try LoRALinear(base: base, a: q.a.converted(), b: q.b.converted(), hyperparameters: q.hyperparameters)
    }

    @Test(arguments: [0.0, 0.3])
    func agreesWithLoRALinearOnTheDequantizedWeight(dropout: Double) throws {
        for dq in [false, true] {
            let q = try Self.makeLayer(dropout: dropout, doubleQuantization: dq)
            let lora = try Self.reference(q, Float.self)
            var g = SeededGenerator(seed: 7)
            let x = Matrix<Float>.normal(5, 23, using: &g)
            let dy = Matrix<Float>.normal(5, 11, using: &g)
            var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
            let (y1, c1) = q.forward(x, training: &g1)
            let (y2, c2) = lora.forward(x, training: &g2)
            // Float32, different summation order (tiles vs one GEMM): 1e-5 relative.
            #expect(allClose(y1, y2, atol: 1e-5, rtol: 1e-5))
            #expect(allClose(q.forward(x), lora.forward(x), atol: 1e-5, rtol: 1e-5))
            let d1 = q.backward(dy, cache: c1)
            let d2 = lora.backward(dy, cache: c2)
            #expect(allClose(d1.input, d2.input, atol: 1e-5, rtol: 1e-5))
            #expect(allClose(d1.a, d2.a, atol: 1e-5, rtol: 1e-5))
            #expect(allClose(d1.b, d2.b, atol: 1e-5, rtol: 1e-5))
        }
    }

    /// Central differences in Double on L = Σ G ⊙ y(x, A, B) with the dequantized weight (exact
    /// in Double). The analytic gradients are Float32, so the tolerance is 1e-5 (norm-wise
    /// relative), not GradientCheck's 1e-6: float32 rounding over sums of 23 terms.
    @Test func gradientsMatchCentralDifferences() throws {
        let q = try Self.makeLayer()
        var g = SeededGenerator(seed: 17)
        let x = Matrix<Float>.normal(4, 23, using: &g)
        let weights = Matrix<Float>.normal(4, 11, using: &g)  // L = Σ weights ⊙ y, so ∂L/∂y = weights
        var rng = SeededGenerator(seed: 1)
        let (_, cache) = q.forward(x, training: &rng)
        let grads = q.backward(weights, cache: cache)
        let w = q.weight.dequantized().converted(to: Double.self)
        let bias = q.bias!.converted(to: Double.self)
        let s = q.hyperparameters.scale
        let gy = weights.converted(to: Double.self)
        let loss: ([Matrix<Double>]) -> Double = { p in
            let (x, a, b) = (p[0], p[1], p[2])
            var y = x.matmul(w, transposeB: true)
            for i in 0..<y.rows { for j in 0..<y.columns { y[i, j] += bias[0, j] } }
            Matrix.gemm(x.matmul(a, transposeB: true), b, transposeB: true, alpha: s, beta: 1, into: &y)
            return (y .* gy).sum
        }
        let report = GradientCheck.check(
            loss, at: [x.converted(), q.a.converted(), q.b.converted()],
            analytic: [grads.input.converted(), grads.a.converted(), grads.b.converted()])
        #expect(report.passes(tolerance: 1e-5), "\(report)")
    }

    @Test func tileSizeDoesNotChangeResults() throws {
        var g = SeededGenerator(seed: 5)
        let x = Matrix<Float>.normal(6, 23, using: &g)
        var outputs = [Matrix<Float>]()
        for tile in [1, 3, 4, 11, 64] {
            var q = try Self.makeLayer()
            q.tileRows = tile
            outputs.append(q.forward(x))
        }
        for o in outputs.dropFirst() { #expect(allClose(o, outputs[0], atol: 1e-6, rtol: 1e-6)) }
    }

    @Test func mergingReportsTheRequantizationError() throws {
        let q = try Self.makeLayer()
        var g = SeededGenerator(seed: 21)
        let probe = Matrix<Float>.normal(8, 23, using: &g)
        let (merged, report) = try q.mergedWeight(probe: probe)
        #expect(merged.rows == 11 && merged.columns == 23 && merged.blocksize == 32 && merged.isDoubleQuantized)
        // Independent recomputation of the weight error.
        var target = q.weight.dequantized()
        target.add(q.deltaWeight, scaledBy: 1)
        let direct = try QuantizedTensor(quantizing: target, blocksize: 32, doubleQuantization: true)
        #expect(direct == merged)
        let diff = merged.dequantized() - target
        #expect(abs(report.maxWeightError - Double(diff.maxAbs)) < 1e-7)
        let flipped = (0..<q.weight.count).filter { q.weight.code(at: $0) != merged.code(at: $0) }.count
        #expect(report.flippedCodeFraction == Double(flipped) / Double(q.weight.count))
        #expect(report.flippedCodeFraction > 0 && report.flippedCodeFraction < 1)
        // The output error is the weight error pushed through the probe.
        let merged32 = Linear<Float>(weight: merged.dequantized(), bias: q.bias).forward(probe)
        let expectedOut = (merged32 - q.forward(probe)).maxAbs
        #expect(abs(report.maxOutputError! - Double(expectedOut)) < 1e-5)
        // With B = 0 nothing changes.
        var zero = q
        zero.b = .zeros(11, 3)
        let (same, r0) = try zero.mergedWeight()
        #expect(same.packed == q.weight.packed && r0.flippedCodeFraction == 0)
    }

    @Test func badConfigurationsThrow() throws {
        let q = try Self.makeLayer()
        #expect(throws: LoRAError.self) {
            try QLoRALinear(weight: q.weight, bias: nil, a: .zeros(2, 23), b: q.b, hyperparameters: q.hyperparameters)
        }
        var g = SeededGenerator(seed: 1)
        var base = Linear<Float>(inFeatures: 8, outFeatures: 4, using: &g)
        base.weight[0, 0] = .infinity
        #expect(throws: QuantizationError.nonFiniteValue(index: 0, value: .infinity)) {
            try QLoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 2), blocksize: 32, using: &g)
        }
    }
}
