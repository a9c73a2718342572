import LoRA
import Testing

/// A LoRA layer in Double with B made non-zero so every gradient is exercised.
func makeLoRA(
    rank: Int = 3, dropout: Double = 0, scaling: LoRAScaling = .standard,
    initialization: LoRAInitialization = .kaimingUniform, seed: UInt64 = 5
) throws -> LoRALinear<Linear<Double>> {
    var g = SeededGenerator(seed: seed)
    let base = Linear<Double>(inFeatures: 6, outFeatures: 5, using: &g)
    let hp = LoRAHyperparameters(rank: rank, alpha: 4, dropout: dropout, scaling: scaling, initialization: initialization)
    var layer = try LoRALinear(base: base, hyperparameters: hp, using: &g)
    layer.b = .normal(5, rank, using: &g)
    return layer
}

@Suite struct LoRALinearTests {
    struct GradCase: Sendable, CustomStringConvertible {
        let dropout: Double
        let scaling: LoRAScaling
        var description: String { "dropout \(dropout), \(scaling)" }
    }

    @Test(arguments: [
        GradCase(dropout: 0, scaling: .standard), GradCase(dropout: 0, scaling: .rankStabilized),
        GradCase(dropout: 0.3, scaling: .standard), GradCase(dropout: 0.3, scaling: .rankStabilized),
    ])
    func gradientsMatchCentralDifferences(_ c: GradCase) throws {
        let layer = try makeLoRA(dropout: c.dropout, scaling: c.scaling)
        var g = SeededGenerator(seed: 99)
        let x = Matrix<Double>.normal(4, 6, using: &g)
        let r = Matrix<Double>.normal(4, 5, using: &g)
        // The same generator state for every evaluation gives the same dropout mask.
        let maskSeed = SeededGenerator(seed: 1234)
        var rng = maskSeed
        let (_, cache) = layer.forward(x, training: &rng)
        if c.dropout > 0 { #expect(cache.branch.mask != nil) }
        let grads = layer.backward(r, cache: cache)
        let report = GradientCheck.check({ p in
            var l = layer
            l.a = p[1]
            l.b = p[2]
            var rng = maskSeed
            return weightedSum(l.forward(p[0], training: &rng).output, r)
        }, at: [x, layer.a, layer.b], analytic: [grads.input, grads.a, grads.b])
        #expect(report.passes(tolerance: 1e-6), "\(report)")
    }

    @Test(arguments: [LoRAInitialization.kaimingUniform, .gaussian, .swappedZeroA])
    func zeroProductInitLeavesOutputExactlyUnchanged(_ scheme: LoRAInitialization) throws {
        var g = SeededGenerator(seed: 8)
        let base = Linear<Float>(inFeatures: 16, outFeatures: 12, using: &g)
        let layer = try LoRALinear(base: base, hyperparameters: .init(rank: 4, initialization: scheme), using: &g)
        let x = Matrix<Float>.normal(7, 16, using: &g)
        #expect(layer.forward(x) == base.forward(x))
        #expect(layer.deltaWeight.maxAbs == 0)
    }

    @Test func whichFactorGetsAGradientAtStepZero() throws {
        var g = SeededGenerator(seed: 2)
        let base = Linear<Double>(inFeatures: 8, outFeatures: 6, using: &g)
        let x = Matrix<Double>.normal(5, 8, using: &g)
        let dy = Matrix<Double>.normal(5, 6, using: &g)
        func gradients(_ scheme: LoRAInitialization) throws -> LayerGradients<Double> {
            var rng = SeededGenerator(seed: 3)
            let layer = try LoRALinear(base: base, hyperparameters: .init(rank: 2, initialization: scheme), using: &rng)
            return layer.backward(dy, cache: layer.forward(x, training: &rng).cache)
        }
        let standard = try gradients(.kaimingUniform)   // B = 0: only B moves first
        #expect(standard.a.maxAbs == 0 && standard.b.maxAbs > 0)
        let swapped = try gradients(.swappedZeroA)      // A = 0: only A moves first
        #expect(swapped.a.maxAbs > 0 && swapped.b.maxAbs == 0)
    }

    @Test func defaultInitBoundsAndGaussianStd() throws {
        var g = SeededGenerator(seed: 4)
        let base = Linear<Double>(inFeatures: 400, outFeatures: 300, using: &g)
        let k = try LoRALinear(base: base, hyperparameters: .init(rank: 16), using: &g)
        let bound = 1 / 400.0.squareRoot()
        #expect(k.a.maxAbs <= bound && k.a.maxAbs > 0.95 * bound)
        #expect(k.b.maxAbs == 0)
        let gauss = try LoRALinear(base: base, hyperparameters: .init(rank: 16, initialization: .gaussian), using: &g)
        let std = (gauss.a.storage.reduce(0) { $0 + $1 * $1 } / Double(gauss.a.count)).squareRoot()
        #expect(abs(std - 1.0 / 16) < 0.002)
    }

    @Test func pissaLeavesOutputUnchangedAndHoldsTopSingularDirections() throws {
        var g = SeededGenerator(seed: 6)
        let base = Linear<Double>(inFeatures: 10, outFeatures: 8, using: &g)
        let layer = try LoRALinear(base: base, hyperparameters: .init(rank: 3, alpha: 6, initialization: .pissa), using: &g)
        let x = Matrix<Double>.normal(4, 10, using: &g)
        #expect(layer.forward(x).maxAbsDifference(base.forward(x)) < 1e-12)
        let top = try base.weight.svd().singularValues
        let adapter = try layer.deltaWeight.svd().singularValues
        for i in 0..<3 { #expect(abs(top[i] - adapter[i]) < 1e-10) }
        // The residual keeps the remaining spectrum.
        let residual = try layer.base.weight.svd().singularValues
        #expect(abs(residual[0] - top[3]) < 1e-10)
    }

    @Test func invalidConfigurationsThrowClearErrors() {
        var g = SeededGenerator(seed: 1)
        let base = Linear<Float>(inFeatures: 6, outFeatures: 4, using: &g)
        let bad: [(LoRAHyperparameters, String)] = [
            (.init(rank: 0), "rank r must be positive"),
            (.init(rank: -2), "rank r must be positive"),
            (.init(rank: 5), "exceeds min(in, out) = 4"),
            (.init(rank: 2, alpha: 0), "alpha must be a positive"),
            (.init(rank: 2, alpha: .nan), "alpha must be a positive"),
            (.init(rank: 2, dropout: 1), "dropout must be in [0, 1)"),
            (.init(rank: 2, dropout: -0.1), "dropout must be in [0, 1)"),
        ]
        for (hp, message) in bad {
            do {
                _ = try LoRALinear(base: base, hyperparameters: hp, using: &g)
                Issue.record("expected \(hp) to throw")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func scalingFactors() {
        #expect(LoRAHyperparameters(rank: 16, alpha: 32).scale == 2)
        #expect(LoRAHyperparameters(rank: 16, alpha: 32, scaling: .rankStabilized).scale == 8)
        #expect(LoRAHyperparameters().scale == 1)  // PEFT defaults r = 8, α = 8
    }

    @Test func dropoutMaskIsInvertedAndSeeded() {
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        let m1 = Dropout.mask(rows: 200, columns: 100, p: 0.25, Double.self, using: &g1)!
        let m2 = Dropout.mask(rows: 200, columns: 100, p: 0.25, Double.self, using: &g2)!
        #expect(m1 == m2)
        #expect(Set(m1.storage) == [0, 1 / 0.75])
        #expect(abs(m1.mean - 1) < 0.02)
        var g3 = SeededGenerator(seed: 9)
        #expect(Dropout.mask(rows: 2, columns: 2, p: 0, Double.self, using: &g3) == nil)
    }
}
