import Foundation
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

    /// The rule on every position of an interval against 0 and ±margin (m = 1): each of the
    /// six interval outcomes, and its boundaries (an end exactly on ±m is not inside).
    @Test func everyIntervalPosition() {
        let cases: [(Double, Double, Comparison)] = [
            (-0.5, 0.5, .equivalent),         // inside, contains 0
            (0.1, 0.9, .equivalentHigher),    // inside, above 0: close, and higher
            (-0.9, -0.1, .equivalentLower),   // inside, below 0: close, and lower (the old rule said "lower")
            (0.5, 1.5, .higher),              // above 0, reaching past +m
            (1.2, 2.0, .higher),              // above +m entirely
            (-1.5, -0.5, .lower),
            (-2.0, -1.2, .lower),
            (-0.5, 1.5, .inconclusive),       // contains 0, past +m
            (-1.5, 0.5, .inconclusive),
            (-2.0, 2.0, .inconclusive),
            (0.1, 1.0, .higher),              // touches +m: not inside
            (-1.0, 0.5, .inconclusive),
            (0.0, 0.5, .equivalent),          // touches 0: does not exclude it
        ]
        for (low, high, expected) in cases {
            #expect(Comparison.decide(low: low, high: high, margin: 1) == expected, "[\(low), \(high)]")
            let d = Difference(value: (low + high) / 2, halfWidth95: (high - low) / 2, interval: .paired, margin: 1)
            #expect(d.comparison == expected && abs(d.low - low) < 1e-12 && abs(d.high - high) < 1e-12)
        }
        // Saturation comes first, whatever the interval says.
        for (low, high, _) in cases {
            let d = Difference(value: (low + high) / 2, halfWidth95: (high - low) / 2, interval: .welch, margin: 1, saturated: .bothAtCeiling)
            #expect(d.comparison == .bothAtCeiling)
        }
    }

    /// Each outcome, driven by data that must produce it, and its sentence.
    @Test func everyComparisonOutcome() {
        let base = Estimate([0.90, 0.91, 0.89, 0.90, 0.90])
        let higher = Estimate([0.95, 0.96, 0.94, 0.95, 0.95])
        let same = Estimate([0.901, 0.899, 0.900, 0.902, 0.898])
        let slightlyLower = Estimate([0.885, 0.886, 0.884, 0.885, 0.885])
        let slightlyHigher = Estimate([0.915, 0.916, 0.914, 0.915, 0.915])
        let noisy = Estimate([0.70, 1.00, 0.85, 0.99, 0.80])
        let top = Estimate([1.0, 0.995, 1.0, 1.0, 1.0]), top2 = Estimate([1.0, 1.0, 1.0, 1.0, 1.0])
        let bottom = Estimate([0.0, 0.0, 0.005, 0.0, 0.0]), bottom2 = Estimate([0.0, 0.0, 0.0, 0.0, 0.0])
        let outcomes: [(Difference, Comparison, String, String)] = [
            (Difference(higher, base, margin: 0.01), .higher, "LoRA beats full FT", "loss LoRA trails loss full FT"),
            (Difference(base, higher, margin: 0.01), .lower, "LoRA trails full FT", "loss LoRA beats loss full FT"),
            (Difference(same, base, margin: 0.02), .equivalent, "LoRA is close to full FT", "loss LoRA is close to loss full FT"),
            (Difference(slightlyLower, base, margin: 0.05), .equivalentLower, "LoRA is close to full FT, and lower by less than the margin",
             "loss LoRA is close to loss full FT, and lower by less than the margin"),
            (Difference(slightlyHigher, base, margin: 0.05), .equivalentHigher, "LoRA is close to full FT, and higher by less than the margin",
             "loss LoRA is close to loss full FT, and higher by less than the margin"),
            (Difference(noisy, base, margin: 0.02), .inconclusive, "the seeds cannot separate LoRA and full FT",
             "the seeds cannot separate loss LoRA and loss full FT"),
            (Difference(top, top2, margin: 0.02, saturation: .accuracy), .bothAtCeiling, "LoRA and full FT are both at the ceiling: cannot compare",
             "loss LoRA and loss full FT are both at the ceiling: cannot compare"),
            (Difference(bottom, bottom2, margin: 0.02, saturation: .accuracy), .bothAtFloor, "LoRA and full FT are both at the floor: cannot compare",
             "loss LoRA and loss full FT are both at the floor: cannot compare"),
        ]
        #expect(Set(outcomes.map(\.1)) == Set(Comparison.allCases), "every outcome is driven")
        for (d, comparison, sentence, lossSentence) in outcomes {
            #expect(d.comparison == comparison)
            #expect(Verdict.sentence("LoRA", "full FT", d) == sentence)
            #expect(Verdict.sentence("loss LoRA", "loss full FT", d, higherIsBetter: false) == lossSentence)
        }
        // The case the old precedence got wrong: 0.0161 ± 0.0085 against a margin of 0.05 was
        // "lower" ("trails") though the whole interval lies inside the margin.
        let page = Difference(value: -0.0161, halfWidth95: 0.0085, interval: .welch, margin: 0.05)
        #expect(page.comparison == .equivalentLower)
        #expect(Verdict.sentence("LoRA", "full fine-tuning", page) == "LoRA is close to full fine-tuning, and lower by less than the margin")
        // Without a saturation, the same top scores are simply close.
        #expect(Difference(top, top2, margin: 0.02).comparison == .equivalent)
        // One arm at the ceiling is not saturation.
        #expect(Difference(top, base, margin: 0.02, saturation: .accuracy).comparison == .higher)
        #expect(Difference(paired: [100, 100, 99.8], [100, 100, 100], margin: 3, saturation: .percent).comparison == .bothAtCeiling)
    }

    /// Losses compared as ratios: the margin is a factor, so it scales with the loss; a ±0.05
    /// absolute margin would call every loss below 0.05 "close" by construction.
    @Test func ratioOfLosses() {
        let a = [0.0010, 0.0012, 0.0011, 0.0009, 0.0010]
        let halved = a.map { $0 / 2 }
        let d = Difference(pairedRatio: halved, a, factor: 1.1)
        #expect(d.measure == .ratio && d.interval == .paired)
        #expect(abs(d.value - Foundation.log(0.5)) < 1e-12 && d.halfWidth95 < 1e-12)
        #expect(d.comparison == .lower)
        #expect(Verdict.sentence("A", "B", d, higherIsBetter: false) == "A beats B")
        #expect(Difference(paired: halved, a, margin: 0.05).comparison == .equivalentLower, "the absolute margin hides a halving")
        let nearly = zip(a, [1.01, 0.99, 1.02, 1.0, 0.98]).map { $0 * $1 }
        #expect(Difference(pairedRatio: nearly, a, factor: 1.1).comparison == .equivalent)
        #expect(d.summary(3) == "ratio 0.500, 95% CI [0.500, 0.500], paired by seed; margin ×1.10")
    }

    @Test func summaryPrintsTheIntervalNotPlusMinus() {
        let d = Difference(value: -0.0161, halfWidth95: 0.0085, interval: .welch, margin: 0.05)
        #expect(d.summary(4) == "difference -0.0161, 95% CI [-0.0246, -0.0076], Welch; margin ±0.0500")
        #expect(d.summary(1, scale: 100, unit: "points", marginDigits: 0) == "difference -1.6 points, 95% CI [-2.5, -0.8], Welch; margin ±5")
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
        #expect(Verdict.trend(from: low, to: Estimate([0.72, 0.73, 0.74, 0.72, 0.73]), margin: 0.05) == "plateaus (rising by less than the margin)")
        #expect(Verdict.trend(from: low, to: Estimate([0.68, 0.69, 0.70, 0.68, 0.69]), margin: 0.05) == "plateaus (falling by less than the margin)")
        let top = Estimate([1, 1, 1, 0.995, 1])
        #expect(Verdict.trend(from: top, to: top, margin: 0.02, saturation: .accuracy) == "at the ceiling at both points: cannot tell")
        #expect(Verdict.trend(from: top, to: top, margin: 0.02) == "plateaus", "without saturation a ceiling reads as a plateau")
        let zero = Estimate([0, 0, 0, 0, 0])
        #expect(Verdict.trend(from: zero, to: zero, margin: 0.02, saturation: .accuracy) == "at the floor at both points: cannot tell")
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

@Suite struct PerByteDifferenceTests {
    /// Hand arithmetic: d = (2, −1, 5) over bytes (5, 10, 10): value 6/25 = 0.24; residuals
    /// e = (0.8, −3.4, 2.6), Σe² = 18.96, SE = √(3/2 · 18.96)/25, half-width t₀.₉₇₅(2) · SE.
    @Test func matchesTheRatioEstimatorByHand() {
        let d = Difference(perByte: [10, 20, 30], [8, 21, 25], bytes: [5, 10, 10], margin: 0.5)
        #expect(abs(d.value - 0.24) < 1e-12)
        let se = (1.5 * 18.96).squareRoot() / 25
        #expect(abs(d.halfWidth95 - studentT975(degreesOfFreedom: 2) * se) < 1e-12)
        #expect(d.interval == .pairedByDocument && d.measure == .difference)
        #expect(d.summary(3, unit: "bits/byte").contains("paired by document; margin ±0.500"))
    }

    /// Equal per-byte rates in every document: the interval collapses to the value.
    @Test func proportionalDocumentsHaveNoSpread() {
        let d = Difference(perByte: [12, 24, 36], [10, 20, 30], bytes: [10, 20, 30], margin: 0.05)
        #expect(abs(d.value - 0.2) < 1e-12 && d.halfWidth95 < 1e-12)
        #expect(d.comparison == Comparison.decide(low: d.low, high: d.high, margin: 0.05))
    }
}
