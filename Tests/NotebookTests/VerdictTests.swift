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
