/// Comparative sentences decided by code from the numbers: every "beats", "close to", "no
/// clear difference", "plateaus" or "still rising" a chapter prints comes from here, never
/// from typed prose.
///
/// ```
/// estimate     mean ± standard error over n ≥ 2 seeds; 95% interval = mean ± t₀.₉₇₅(n−1)·SE
/// compare      d = mean(a) − mean(b), and its 95% interval, one of
///                Welch:  SE_d = √(SE_a² + SE_b²), Welch's degrees of freedom
///                        (independent arms)
///                paired: d_i = a_i − b_i per seed, SE_d = sd(d_i)/√n, n − 1 degrees of freedom
///                        (arms that share each seed's randomness: data order, initialisation,
///                        evaluation set, or one arm computed from the other's run)
///              95% interval of d entirely above 0   → a is higher
///              entirely below 0                     → a is lower
///              entirely inside (−margin, +margin)   → equivalent ("close to")
///              otherwise                            → inconclusive (the data cannot say)
/// ```
/// The margin is the smallest difference the chapter calls meaningful, stated on the page next
/// to the verdict. Welch's degrees of freedom are rounded down, which widens the interval
/// (conservative). Which interval a comparison uses is the chapter's choice, made at the call
/// (``Difference/init(_:_:margin:)`` or ``Difference/init(paired:_:margin:)``) and kept in
/// ``Difference/interval`` so the page can say it.
///
/// Pairing is valid whenever seed i's two runs are paired by design and the pairs are
/// independent across seeds; it gains when the arms share randomness (their per-seed
/// differences vary less than either arm). Welch assumes the arms independent: with shared
/// seeds it is still conservative, but can be far too wide (a merged model against the very
/// run it was merged from).

/// A quantity measured over several seeds: its mean and the standard error of the mean.
public struct Estimate: Sendable, Equatable {
    /// The sample mean.
    public let mean: Double
    /// s/√n, with s the sample standard deviation (n − 1 in the denominator).
    public let standardError: Double
    /// Number of seeds.
    public let count: Int

    /// The estimate from one value per seed.
    /// - Precondition: at least two values, all finite.
    public init(_ samples: [Double]) {
        precondition(samples.count >= 2 && samples.allSatisfy(\.isFinite), "Estimate: needs ≥ 2 finite samples, got \(samples)")
        let n = Double(samples.count)
        let mean = samples.reduce(0, +) / n
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        self.mean = mean
        self.standardError = (variance / n).squareRoot()
        self.count = samples.count
    }

    /// An estimate from given summary numbers.
    public init(mean: Double, standardError: Double, count: Int) {
        self.mean = mean
        self.standardError = standardError
        self.count = count
    }

    /// Half the width of the two-sided 95% interval: t₀.₉₇₅(n − 1) · SE.
    public var halfWidth95: Double { studentT975(degreesOfFreedom: count - 1) * standardError }

    /// `mean ± SE` at `digits` digits after the point (the page says it is a standard error).
    public func formatted(_ digits: Int, scale: Double = 1) -> String {
        fmt(mean * scale, digits) + " ± " + fmt(standardError * scale, digits)
    }
}

/// What the 95% interval of a difference says.
public enum Comparison: String, Sendable, Equatable, CaseIterable {
    /// The first quantity is larger (interval above 0).
    case higher
    /// The first quantity is smaller (interval below 0).
    case lower
    /// The difference lies within ± the margin (interval inside it).
    case equivalent
    /// Neither: the interval straddles 0 and reaches past the margin.
    case inconclusive
}

/// The difference of two estimates and its verdict.
public struct Difference: Sendable, Equatable {
    /// Which 95% interval a difference uses.
    public enum Interval: String, Sendable, Equatable, CaseIterable {
        /// Welch's interval for two independent samples (from their estimates).
        case welch
        /// The one-sample interval of the per-seed differences a_i − b_i (seed i's two runs paired).
        case paired

        /// How a page names it: "Welch" or "paired by seed".
        public var name: String {
            switch self {
            case .welch: "Welch"
            case .paired: "paired by seed"
            }
        }
    }

    /// mean(a) − mean(b).
    public let value: Double
    /// Half-width of its 95% interval (``interval`` says which).
    public let halfWidth95: Double
    /// The interval the verdict was decided by.
    public let interval: Interval
    /// The margin within which the two count as equivalent.
    public let margin: Double
    /// The verdict.
    public let comparison: Comparison

    /// `a` against `b` by Welch's interval (the arms independent), with the equivalence
    /// `margin` (> 0). An estimate with zero standard error is a known constant: the interval
    /// is then the other arm's one-sample interval.
    public init(_ a: Estimate, _ b: Estimate, margin: Double) {
        precondition(margin > 0, "Difference: margin must be positive, got \(margin)")
        let (va, vb) = (a.standardError * a.standardError, b.standardError * b.standardError)
        let se = (va + vb).squareRoot()
        // Welch–Satterthwaite degrees of freedom, rounded down (at least 1).
        let df: Int
        if se == 0 {
            df = a.count + b.count - 2
        } else {
            let denominator = va * va / Double(max(1, a.count - 1)) + vb * vb / Double(max(1, b.count - 1))
            df = max(1, Int(((va + vb) * (va + vb) / denominator).rounded(.down)))
        }
        self.init(value: a.mean - b.mean, halfWidth95: studentT975(degreesOfFreedom: df) * se, interval: .welch, margin: margin)
    }

    /// `a` against `b` paired by seed: `a[i]` and `b[i]` are seed i's two runs. The interval is
    /// mean(d) ± t₀.₉₇₅(n − 1)·sd(d)/√n over d_i = a_i − b_i, with the equivalence `margin` (> 0).
    /// - Precondition: equally many values (at least two), all finite.
    public init(paired a: [Double], _ b: [Double], margin: Double) {
        precondition(margin > 0, "Difference: margin must be positive, got \(margin)")
        precondition(a.count == b.count, "Difference(paired:): \(a.count) values against \(b.count); pairs need one of each per seed")
        let differences = Estimate(zip(a, b).map { $0 - $1 })
        self.init(value: differences.mean, halfWidth95: differences.halfWidth95, interval: .paired, margin: margin)
    }

    /// The verdict of the interval value ± halfWidth95 against 0 and ±margin.
    private init(value: Double, halfWidth95: Double, interval: Interval, margin: Double) {
        self.value = value
        self.halfWidth95 = halfWidth95
        self.interval = interval
        self.margin = margin
        let (low, high) = (value - halfWidth95, value + halfWidth95)
        if low > 0 {
            comparison = .higher
        } else if high < 0 {
            comparison = .lower
        } else if low > -margin && high < margin {
            comparison = .equivalent
        } else {
            comparison = .inconclusive
        }
    }

    /// `d ± h` (95% interval) at `digits` digits.
    public func formatted(_ digits: Int, scale: Double = 1) -> String {
        fmt(value * scale, digits) + " ± " + fmt(halfWidth95 * scale, digits)
    }
}

/// Sentences for verdicts.
public enum Verdict {
    /// "A beats B", "A is close to B", "A trails B" or "the seeds cannot separate A and B",
    /// for a quantity where `higherIsBetter` says which way is good.
    public static func sentence(_ a: String, _ b: String, _ d: Difference, higherIsBetter: Bool = true) -> String {
        switch (d.comparison, higherIsBetter) {
        case (.higher, true), (.lower, false): "\(a) beats \(b)"
        case (.higher, false), (.lower, true): "\(a) trails \(b)"
        case (.equivalent, _): "\(a) is close to \(b)"
        case (.inconclusive, _): "the seeds cannot separate \(a) and \(b)"
        }
    }

    /// "still rising", "plateaus" or "falling" (or "no clear trend") from a curve's last two
    /// points: the difference later − earlier against `margin`.
    public static func trend(from earlier: Estimate, to later: Estimate, margin: Double) -> String {
        switch Difference(later, earlier, margin: margin).comparison {
        case .higher: "still rising"
        case .lower: "falling"
        case .equivalent: "plateaus"
        case .inconclusive: "no clear trend"
        }
    }
}

/// Picks the best learning rate of a grid from one estimate per rate.
public struct LearningRateChoice: Sendable, Equatable {
    /// Index of the best rate in the grid.
    public let index: Int
    /// The best rate.
    public let rate: Double
    /// Whether the best is inside the grid (not its first or last point). A best at an end
    /// means the grid does not bracket the optimum and must be extended.
    public let isInterior: Bool

    /// The rate whose estimate's mean is best (ties: the first).
    public init(grid: [Double], scores: [Estimate], higherIsBetter: Bool) {
        precondition(grid.count == scores.count && grid.count >= 1, "LearningRateChoice: \(grid.count) rates, \(scores.count) scores")
        var best = 0
        for i in scores.indices.dropFirst() {
            let better = higherIsBetter ? scores[i].mean > scores[best].mean : scores[i].mean < scores[best].mean
            if better { best = i }
        }
        index = best
        rate = grid[best]
        isInterior = best > 0 && best < grid.count - 1
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95%).
///
/// Exact to 3 decimals for df ≤ 30 (the standard table), then t ≈ z + (z³ + z)/(4·df) with
/// z = 1.959964 (the first term of the Cornish–Fisher expansion), within 0.003 of the exact value.
public func studentT975(degreesOfFreedom df: Int) -> Double {
    let table: [Double] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]
    precondition(df >= 1, "studentT975: degrees of freedom must be ≥ 1, got \(df)")
    if df <= table.count { return table[df - 1] }
    let z = 1.959964
    return z + (z * z * z + z) / (4 * Double(df))
}
