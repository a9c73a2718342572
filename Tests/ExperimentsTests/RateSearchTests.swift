import Experiments
import Foundation
import Notebook
import Testing

/// ``searchRates`` on runs whose score is a known bowl in log-rate, so the answer is known.
@Suite struct RateSearchTests {
    static let ladder = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]

    /// Two "seeds" per rate, scored by the squared distance of log10(rate) from log10(best).
    static func search(start: [Double], best: Double, maxExtensions: Int = 2) -> (RateSearch<Double>, [Double]) {
        var called: [Double] = []
        let result = searchRates(start: start, ladder: ladder, maxExtensions: maxExtensions, score: { $0 }) { rate in
            called.append(rate)
            let d = log10(rate) - log10(best)
            return [d * d, d * d + 0.01]
        }
        return (result, called)
    }

    @Test func aBestInsideTheStartIsKeptWithoutExtending() {
        let (result, called) = Self.search(start: [1e-3, 3e-3, 1e-2], best: 3e-3)
        #expect(called == [1e-3, 3e-3, 1e-2])
        #expect(result.choice.rate == 3e-3 && result.choice.isInterior)
        #expect(result.chosenRuns.count == 2)
    }

    @Test func aBestAtAnEndExtendsAlongTheLadderUntilInside() {
        let (result, called) = Self.search(start: [1e-3, 3e-3, 1e-2], best: 3e-2)
        #expect(called == [1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
        #expect(result.grid == [1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
        #expect(result.choice.rate == 3e-2 && result.choice.isInterior)
        let (down, _) = Self.search(start: [1e-3, 3e-3, 1e-2], best: 3e-4)
        #expect(down.grid.first == 1e-4 && down.choice.rate == 3e-4 && down.choice.isInterior)
    }

    @Test func extensionsStopAtTheLimitAndAtTheLadderEnd() {
        let (limited, _) = Self.search(start: [1e-4, 3e-4, 1e-3], best: 1, maxExtensions: 2)
        #expect(limited.grid.count == 5 && limited.choice.rate == 1e-2 && !limited.choice.isInterior)
        let (atEnd, called) = Self.search(start: [1e-2, 3e-2, 1e-1], best: 1)
        #expect(called == [1e-2, 3e-2, 1e-1] && atEnd.choice.rate == 1e-1 && !atEnd.choice.isInterior)
    }
}
