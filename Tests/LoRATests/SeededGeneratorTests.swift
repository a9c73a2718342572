import LoRA
import Testing

@Suite struct SeededGeneratorTests {
    /// Golden values: xoshiro256** seeded by SplitMix64(42). If this fails, every chapter's
    /// printed numbers change; update the goldens only on purpose.
    @Test func goldenValuesForSeed42() {
        var g = SeededGenerator(seed: 42)
        let first = (0..<4).map { _ in g.next() }
        #expect(first == Self.golden)
    }

    static let golden: [UInt64] = [0x15780B2E0C2EC716, 0x6104D9866D113A7E, 0xAE17533239E499A1, 0xECB8AD4703B360A1]

    @Test func sameSeedSameStreamDifferentSeedDifferent() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1), c = SeededGenerator(seed: 2)
        let xa = (0..<100).map { _ in a.nextNormal() }
        let xb = (0..<100).map { _ in b.nextNormal() }
        let xc = (0..<100).map { _ in c.nextNormal() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func uniformAndNormalMoments() {
        var g = SeededGenerator(seed: 5)
        let n = 200_000
        let u = (0..<n).map { _ in g.nextUnit() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let uMean = u.reduce(0, +) / Double(n)
        #expect(abs(uMean - 0.5) < 0.005)
        let z = (0..<n).map { _ in g.nextNormal(mean: 1, std: 2) }
        let zMean = z.reduce(0, +) / Double(n)
        let zVar = z.reduce(0) { $0 + ($1 - zMean) * ($1 - zMean) } / Double(n)
        #expect(abs(zMean - 1) < 0.02)
        #expect(abs(zVar - 4) < 0.05)
        let ints = (0..<10_000).map { _ in g.nextInt(below: 10) }
        #expect(Set(ints) == Set(0..<10))
    }
}
