/// The Lloyd–Max scalar quantizer: the levels that minimise the mean squared error on given data.
///
/// ```
/// repeat:   tₖ = (cₖ + cₖ₊₁)/2                    (each value goes to its nearest level)
///           cₖ = mean{ x : tₖ₋₁ < x ≤ tₖ }         (each level moves to the mean of its cell)
/// ```
/// Each round can only lower Σ (x − c(x))², so the error decreases to a local minimum (Lloyd 1982,
/// "Least squares quantization in PCM"; Max 1960). Used to show that NF4, whose levels give equal
/// probability mass rather than least squares, is not the minimum-error 4-bit code.
///
/// Works on sorted data with prefix sums, so one round costs O(L·log n) for L levels.
public enum LloydMax {
    /// The fitted levels (ascending) and their mean squared error on the fitting data.
    public struct Fit: Sendable, Equatable {
        /// The levels cₖ, ascending.
        public let levels: [Double]
        /// mean (x − c(x))² on the data the levels were fitted to.
        public let meanSquaredError: Double
        /// Rounds run.
        public let iterations: Int
    }

    /// Fits `initial.count` levels to `values` by Lloyd's iteration, starting from `initial`.
    ///
    /// A cell that ends up empty keeps its level. Stops after `maxIterations` rounds or when no
    /// level moves by more than `tolerance`.
    /// - Precondition: `values` is non-empty and `initial` has at least one level.
    public static func fit(_ values: [Float], initial: [Double], maxIterations: Int = 500, tolerance: Double = 1e-12) -> Fit {
        precondition(!values.isEmpty && !initial.isEmpty, "LloydMax.fit: needs values (\(values.count)) and initial levels (\(initial.count))")
        let x = values.map(Double.init).sorted()
        var prefix = [Double](repeating: 0, count: x.count + 1)
        var prefixSquares = [Double](repeating: 0, count: x.count + 1)
        for i in 0..<x.count {
            prefix[i + 1] = prefix[i] + x[i]
            prefixSquares[i + 1] = prefixSquares[i] + x[i] * x[i]
        }
        var levels = initial.sorted()
        var rounds = 0
        while rounds < maxIterations {
            rounds += 1
            let cuts = cells(x, levels)
            var moved = 0.0
            for k in levels.indices where cuts[k + 1] > cuts[k] {
                let mean = (prefix[cuts[k + 1]] - prefix[cuts[k]]) / Double(cuts[k + 1] - cuts[k])
                moved = max(moved, abs(mean - levels[k]))
                levels[k] = mean
            }
            if moved <= tolerance { break }
        }
        // Σ (x − c)² over a cell = Σx² − 2cΣx + n·c².
        let cuts = cells(x, levels)
        var total = 0.0
        for k in levels.indices {
            let (lo, hi) = (cuts[k], cuts[k + 1])
            let c = levels[k]
            total += (prefixSquares[hi] - prefixSquares[lo]) - 2 * c * (prefix[hi] - prefix[lo]) + Double(hi - lo) * c * c
        }
        return Fit(levels: levels, meanSquaredError: max(0, total) / Double(x.count), iterations: rounds)
    }

    /// Cell boundaries in sorted `x`: level k owns x[cuts[k]..<cuts[k+1]] (values ≤ the midpoint go down).
    static func cells(_ x: [Double], _ levels: [Double]) -> [Int] {
        var cuts = [0]
        for k in 0..<(levels.count - 1) {
            let t = (levels[k] + levels[k + 1]) / 2
            // first index with x > t
            var lo = cuts.last!, hi = x.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if x[mid] > t { hi = mid } else { lo = mid + 1 }
            }
            cuts.append(lo)
        }
        cuts.append(x.count)
        return cuts
    }

    /// Mean squared error of rounding each value to its nearest level (ties to the lower level).
    /// - Precondition: `levels` is non-empty.
    public static func meanSquaredError(_ values: [Float], levels: [Double]) -> Double {
        precondition(!levels.isEmpty, "LloydMax.meanSquaredError: no levels")
        let sorted = levels.sorted()
        let midpoints = zip(sorted, sorted.dropFirst()).map { ($0 + $1) / 2 }
        var total = 0.0
        for v in values {
            let x = Double(v)
            var lo = 0, hi = midpoints.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if x > midpoints[mid] { lo = mid + 1 } else { hi = mid }
            }
            let e = x - sorted[lo]
            total += e * e
        }
        return values.isEmpty ? 0 : total / Double(values.count)
    }
}
