import Notebook
import Testing

@Suite struct VerdictTests {
    @Test func estimateIsMeanAndStandardError() {
        let e = Estimate([1, 2, 3, 4, 5])
        #expect(e.mean == 3)
        #expect(abs(e.standardError - (2.5 / 5).squareRoot()) < 1e-15)
        #expect(abs(e.halfWidth95 - 2.776 * e.standardError) < 1e-12)
        #expect(e.formatted(2) == "3.00 ± 0.71")
    }

    /// Each outcome, driven by data that must produce it.
    @Test func everyComparisonOutcome() {
        let base = Estimate([0.90, 0.91, 0.89, 0.90, 0.90])
        let higher = Estimate([0.95, 0.96, 0.94, 0.95, 0.95])
        let same = Estimate([0.901, 0.899, 0.900, 0.902, 0.898])
        let noisy = Estimate([0.70, 1.00, 0.85, 0.99, 0.80])
        #expect(Difference(higher, base, margin: 0.01).comparison == .higher)
        #expect(Difference(base, higher, margin: 0.01).comparison == .lower)
        #expect(Difference(same, base, margin: 0.02).comparison == .equivalent)
        #expect(Difference(noisy, base, margin: 0.02).comparison == .inconclusive)
        #expect(Verdict.sentence("LoRA", "full FT", Difference(higher, base, margin: 0.01)) == "LoRA beats full FT")
        #expect(Verdict.sentence("LoRA", "full FT", Difference(base, higher, margin: 0.01)) == "LoRA trails full FT")
        #expect(Verdict.sentence("loss A", "loss B", Difference(base, higher, margin: 0.01), higherIsBetter: false) == "loss A beats loss B")
        #expect(Verdict.sentence("LoRA", "full FT", Difference(same, base, margin: 0.02)) == "LoRA is close to full FT")
        #expect(Verdict.sentence("LoRA", "full FT", Difference(noisy, base, margin: 0.02)) == "the seeds cannot separate LoRA and full FT")
    }

    /// Pairing by seed: the interval of the per-seed differences, which the seed-to-seed spread
    /// both arms share does not widen; Welch on the same numbers cannot separate them.
    @Test func pairedBySeed() {
        let a = [0.80, 0.90, 0.70, 0.85, 0.95]
        let shift = [0.030, 0.031, 0.029, 0.030, 0.030]
        let b = zip(a, shift).map { $0 - $1 }
        let paired = Difference(paired: a, b, margin: 0.01)
        #expect(paired.interval == .paired && paired.interval.name == "paired by seed")
        #expect(abs(paired.value - 0.03) < 1e-12)
        // sd of the differences: √((0.001² + 0.001²)/4); SE = sd/√5; t₀.₉₇₅(4) = 2.776.
        #expect(abs(paired.halfWidth95 - 2.776 * (2e-6 / 4).squareRoot() / 5.0.squareRoot()) < 1e-12)
        #expect(paired.comparison == .higher)
        #expect(Difference(paired: b, a, margin: 0.01).comparison == .lower)
        let welch = Difference(Estimate(a), Estimate(b), margin: 0.01)
        #expect(welch.interval == .welch && welch.interval.name == "Welch")
        #expect(abs(welch.value - paired.value) < 1e-12 && welch.comparison == .inconclusive)
        // The pairing is by position: the same values paired the wrong way round are not separated.
        #expect(Difference(paired: a, Array(b.reversed()), margin: 0.01).comparison == .inconclusive)
        // Close pairs are equivalent within the margin.
        let nearly = zip(a, [0.001, -0.001, 0.0005, 0.0, -0.0005]).map { $0 + $1 }
        #expect(Difference(paired: nearly, a, margin: 0.01).comparison == .equivalent)
        #expect(Difference(Estimate(nearly), Estimate(a), margin: 0.01).comparison == .inconclusive)
    }

    @Test func everyTrendOutcome() {
        let low = Estimate([0.70, 0.71, 0.72, 0.70, 0.71])
        let high = Estimate([0.80, 0.81, 0.82, 0.80, 0.81])
        let flat = Estimate([0.701, 0.709, 0.712, 0.705, 0.708])
        let wild = Estimate([0.5, 0.9, 0.6, 0.95, 0.7])
        #expect(Verdict.trend(from: low, to: high, margin: 0.02) == "still rising")
        #expect(Verdict.trend(from: high, to: low, margin: 0.02) == "falling")
        #expect(Verdict.trend(from: low, to: flat, margin: 0.02) == "plateaus")
        #expect(Verdict.trend(from: low, to: wild, margin: 0.02) == "no clear trend")
    }

    @Test func learningRateChoiceFlagsAGridEdge() {
        let e = { (m: Double) in Estimate(mean: m, standardError: 0.01, count: 5) }
        let interior = LearningRateChoice(grid: [1e-4, 3e-4, 1e-3], scores: [e(0.5), e(0.9), e(0.7)], higherIsBetter: true)
        #expect(interior.rate == 3e-4 && interior.isInterior)
        let edge = LearningRateChoice(grid: [1e-4, 3e-4, 1e-3], scores: [e(0.5), e(0.7), e(0.9)], higherIsBetter: true)
        #expect(edge.rate == 1e-3 && !edge.isInterior)
        let lowLoss = LearningRateChoice(grid: [1e-4, 3e-4, 1e-3], scores: [e(0.5), e(0.2), e(0.9)], higherIsBetter: false)
        #expect(lowLoss.index == 1 && lowLoss.isInterior)
    }

    @Test func studentQuantiles() {
        #expect(studentT975(degreesOfFreedom: 4) == 2.776)
        #expect(abs(studentT975(degreesOfFreedom: 60) - 2.000) < 0.003)
        #expect(abs(studentT975(degreesOfFreedom: 1000) - 1.962) < 0.003)
    }
}
