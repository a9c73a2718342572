import LoRA
import Testing

@Suite struct PagedAdamWTests {
    static func tensors(seed: UInt64) -> [Matrix<Float>] {
        var g = SeededGenerator(seed: seed)
        // Two paged tensors (≥ 100,000 elements) and two small ones.
        return [.normal(400, 300, using: &g), .normal(8, 16, using: &g), .normal(250, 500, using: &g), .normal(1, 7, using: &g)]
    }

    static func gradients(for p: [Matrix<Float>], step: Int) -> [Matrix<Float>] {
        var g = SeededGenerator(seed: UInt64(1000 + step))
        return p.map { x in x.map { 0.1 * $0 + Float(g.nextNormal()) } }
    }

    @Test func adamWMatchesTheFormulaInDouble() {
        let config = AdamWConfiguration(learningRate: 0.01, weightDecay: 0.1)
        var opt = AdamW<Float>(configuration: config)
        var p = [Matrix<Float>([[0.5, -1.5, 2.0]])]
        var (theta, m, v) = (p[0].storage.map(Double.init), [0.0, 0, 0], [0.0, 0, 0])
        for t in 1...5 {
            let g = Matrix<Float>([[Float(t) * 0.1, -0.3, 0.7]])
            opt.step(parameters: &p, gradients: [g])
            for i in 0..<3 {
                let gi = Double(g.storage[i])
                theta[i] *= 1 - 0.01 * 0.1
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                let mhat = m[i] / (1 - pow(0.9, Double(t))), vhat = v[i] / (1 - pow(0.999, Double(t)))
                theta[i] -= 0.01 * mhat / (vhat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<3 { #expect(abs(Double(p[0].storage[i]) - theta[i]) < 1e-6) }
    }

    @Test func pagedEqualsPlainBitForBitOver100Steps() throws {
        var plain = Self.tensors(seed: 1)
        var paged = plain
        var a = AdamW<Float>(configuration: AdamWConfiguration(learningRate: 1e-3))
        // Each big state is 2 · 120,000 · 4 = 960,000 or 2 · 125,000 · 4 = 1,000,000 bytes; the
        // budget holds one of them, so every step pages both.
        var b = try PagedAdamW<Float>(configuration: AdamWConfiguration(learningRate: 1e-3), budgetBytes: 1_200_000)
        for step in 0..<100 {
            let g = Self.gradients(for: plain, step: step)
            a.step(parameters: &plain, gradients: g)
            try b.step(parameters: &paged, gradients: g)
        }
        for (x, y) in zip(plain, paged) { #expect(x.storage.map(\.bitPattern) == y.storage.map(\.bitPattern)) }
        for i in 0..<4 {
            #expect(a.firstMoment(i) == b.firstMoment(i) && a.secondMoment(i) == b.secondMoment(i))
        }
        let c = b.counters
        #expect(c.pagesIn > 0 && c.pagesOut > 0)
        // Two faults every step (the first step's fault in fresh state); two evictions every step
        // except the first, which evicts only tensor 0 (960,000 bytes) to make room for tensor 2.
        #expect(c.bytesIn == 100 * 1_960_000)
        #expect(c.bytesOut == 960_000 + 99 * 1_960_000)
        #expect(c.pagesIn == 100 * (235 + 245))
        #expect(c.peakDeviceBytes <= 1_200_000)
    }

    @Test func aBudgetThatHoldsEverythingNeverEvicts() throws {
        var p = Self.tensors(seed: 2)
        var b = try PagedAdamW<Float>(budgetBytes: 4_000_000)
        for step in 0..<5 { try b.step(parameters: &p, gradients: Self.gradients(for: p, step: step)) }
        #expect(b.counters.pagesOut == 0 && b.counters.bytesIn == 1_960_000)
    }

    @Test func badConfigurationsThrow() throws {
        #expect(throws: PagingError.self) { try PagedAdamW<Float>(budgetBytes: 0) }
        var p = Self.tensors(seed: 3)
        var b = try PagedAdamW<Float>(budgetBytes: 500_000)
        #expect(throws: PagingError.stateLargerThanBudget(tensor: 0, bytes: 960_000, budget: 500_000)) {
            try b.step(parameters: &p, gradients: Self.gradients(for: p, step: 0))
        }
    }
}

private func pow(_ x: Double, _ n: Double) -> Double { (0..<Int(n)).reduce(1) { p, _ in p * x } }
