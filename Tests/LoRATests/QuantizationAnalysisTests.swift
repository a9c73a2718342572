import Foundation
import LoRA
import Testing

/// Lloyd–Max and the chapter measurements against closed-form oracles.
@Suite struct QuantizationAnalysisTests {
    /// Two levels on N(0,1): the optimum is ±√(2/π) with MSE 1 − 2/π (Max 1960).
    @Test func twoLevelsOnANormalAreTheHalfMeans() {
        var g = SeededGenerator(seed: 3)
        let x = (0..<200_000).map { _ in Float(g.nextNormal()) }
        let fit = LloydMax.fit(x, initial: [-0.1, 0.3])
        let expected = (2 / Double.pi).squareRoot()
        #expect(abs(fit.levels[0] + expected) < 0.01 && abs(fit.levels[1] - expected) < 0.01, "\(fit.levels)")
        #expect(abs(fit.meanSquaredError - (1 - 2 / Double.pi)) < 0.01)
        #expect(abs(LloydMax.meanSquaredError(x, levels: fit.levels) - fit.meanSquaredError) < 1e-9)
    }

    /// On uniform data in [0, 1] the optimal L levels are the cell centres (2k+1)/(2L), MSE 1/(12L²).
    @Test func uniformDataGivesEvenlySpacedLevels() {
        let n = 100_000
        let x = (0..<n).map { Float((Double($0) + 0.5) / Double(n)) }
        let fit = LloydMax.fit(x, initial: [0.0, 0.1, 0.2, 0.9])
        for (k, c) in fit.levels.enumerated() { #expect(abs(c - Double(2 * k + 1) / 8) < 1e-3, "\(fit.levels)") }
        #expect(abs(fit.meanSquaredError - 1.0 / 192) < 1e-5)
    }

    @Test func entropyAndCounts() throws {
        #expect(QuantizationAnalysis.entropyBits([5, 5, 5, 5]) == 2)
        #expect(QuantizationAnalysis.entropyBits([7, 0, 0]) == 0)
        let q = try QuantizedTensor(quantizing: Matrix([[1.0, -1.0, 0.0]]))
        var expected = [Int](repeating: 0, count: 16)
        expected[15] = 1; expected[0] = 1; expected[7] = 1
        #expect(QuantizationAnalysis.codeCounts(q) == expected)
        #expect(QuantizationAnalysis.codeCounts(normalized: [1, -1, 0], codebook: .nf4) == expected)
        #expect(QuantizationAnalysis.normalized([2, -4, 1, 0, 0], blocksize: 2) == [0.5, -1, 1, 0, 0])
        let e = QuantizationAnalysis.errors([1, 2, 3], [1, 2.5, 2])
        #expect(e.maxAbsolute == 1 && e.meanAbsolute == 0.5 && abs(e.meanSquared - 1.25 / 3) < 1e-12)
    }
}
