import Foundation

/// The comparison of two arms measured over seeds, decided by code from the numbers.
///
/// ```
/// compare   d = mean(a) − mean(b), and its 95% confidence interval (95% CI) [lo, hi], one of
///             Welch:  SE_d = √(SE_a² + SE_b²), Welch's degrees of freedom
///                     (independent arms)
///             paired: d_i = a_i − b_i per seed, SE_d = sd(d_i)/√n, n − 1 degrees of freedom
///                     (arms that share each seed's randomness: data order, initialisation,
///                     evaluation set, or one arm computed from the other's run)
///           ratio (losses): the same on d_i = ln a_i − ln b_i, printed as the ratio e^d, and a
///             margin that is a factor f (|ln ratio| < ln f): a loss margin must scale with the loss
///
/// decide    both means ≥ ceiling (≤ floor)            → both at the ceiling (floor): cannot compare
///           [lo, hi] inside (−margin, +margin):
///               lo > 0                                 → close, higher by less than the margin
///               hi < 0                                 → close, lower by less than the margin
///               otherwise                              → close ("close to")
///           lo > 0                                     → a is higher
///           hi < 0                                     → a is lower
///           otherwise                                  → inconclusive ("cannot separate")
/// ```
/// Equivalence and direction are decided together: an interval inside the margin is "close"
/// whatever side of 0 it lies on, and the side is said as well. The margin is the smallest
/// difference the chapter calls meaningful, fixed before the runs and stated next to the verdict.
/// Welch's degrees of freedom are rounded down, which widens its interval. With shared seeds,
/// Welch is not necessarily the wider of the two: it ignores the correlation between the arms,
/// which narrows the paired interval when positive and widens it when negative.

/// What a 95% interval says against 0 and ±margin (and the arms against a ceiling or floor).
public enum Comparison: String, Sendable, Equatable, CaseIterable {
    /// The first quantity is larger: the interval lies above 0 and is not inside the margin.
    case higher
    /// The first quantity is smaller: the interval lies below 0 and is not inside the margin.
    case lower
    /// The interval lies inside ±margin and contains 0.
    case equivalent
    /// The interval lies inside (0, margin): close, and higher by less than the margin.
    case equivalentHigher
    /// The interval lies inside (−margin, 0): close, and lower by less than the margin.
    case equivalentLower
    /// The interval contains 0 and reaches past the margin: the data cannot say.
    case inconclusive
    /// Both arms sit at the metric's ceiling: no room to differ, nothing to compare.
    case bothAtCeiling
    /// Both arms sit at the metric's floor.
    case bothAtFloor

    /// The rule on an interval [low, high] with `margin` > 0 (saturation is decided before it).
    public static func decide(low: Double, high: Double, margin: Double) -> Comparison {
        precondition(low <= high && margin > 0, "Comparison.decide: needs low ≤ high and margin > 0, got [\(low), \(high)], \(margin)")
        if low > -margin && high < margin {
            if low > 0 { return .equivalentHigher }
            if high < 0 { return .equivalentLower }
            return .equivalent
        }
        if low > 0 { return .higher }
        if high < 0 { return .lower }
        return .inconclusive
    }

    /// Whether the verdict is "close" (with or without a side).
    public var isEquivalent: Bool { self == .equivalent || self == .equivalentHigher || self == .equivalentLower }
}

/// Where a bounded metric stops telling arms apart: means at or above `ceiling` (or at or below
/// `floor`) in both arms are a saturated test, not a finding.
public struct Saturation: Sendable, Equatable {
    /// Both means ≤ this: at the floor.
    public let floor: Double
    /// Both means ≥ this: at the ceiling.
    public let ceiling: Double

    /// Bounds for a metric.
    public init(floor: Double, ceiling: Double) {
        precondition(floor < ceiling, "Saturation: floor \(floor) must be below ceiling \(ceiling)")
        self.floor = floor
        self.ceiling = ceiling
    }

    /// Accuracy as a fraction: 0.5% from either end. One miss in 200 examples is the resolution
    /// of the pages' held-out sets, so closer than that the metric has no room left.
    public static let accuracy = Saturation(floor: 0.005, ceiling: 0.995)
    /// Accuracy in percent (the same bounds).
    public static let percent = Saturation(floor: 0.5, ceiling: 99.5)

    /// Which bound both means share, if any.
    func saturated(_ a: Double, _ b: Double) -> Comparison? {
        if a >= ceiling && b >= ceiling { return .bothAtCeiling }
        if a <= floor && b <= floor { return .bothAtFloor }
        return nil
    }
}

/// The difference of two arms and its verdict.
public struct Difference: Sendable, Equatable {
    /// Which 95% interval a difference uses.
    public enum Interval: String, Sendable, Equatable, CaseIterable {
        /// Welch's interval for two independent samples (from their estimates).
        case welch
        /// The one-sample interval of the per-seed differences a_i − b_i (seed i's two runs paired).
        case paired
        /// Two models scored on the same documents: the interval of a per-byte ratio estimate
        /// over documents (``Difference/init(perByte:_:bytes:margin:)``). Its uncertainty is the
        /// sampling of documents, not of training runs.
        case pairedByDocument

        /// How a page names it: "Welch", "paired by seed" or "paired by document".
        public var name: String {
            switch self {
            case .welch: "Welch"
            case .paired: "paired by seed"
            case .pairedByDocument: "paired by document"
            }
        }
    }

    /// What is compared: a − b, or ln(a/b) (a relative comparison, for losses).
    public enum Measure: String, Sendable, Equatable, CaseIterable {
        /// a − b, with an absolute margin.
        case difference
        /// ln a − ln b, printed as the ratio a/b, with a margin that is a factor.
        case ratio
    }

    /// mean(a) − mean(b), or the mean of ln(aᵢ/bᵢ) for ``Measure/ratio``.
    public let value: Double
    /// Half-width of its 95% interval (``interval`` says which), on the scale of ``value``.
    public let halfWidth95: Double
    /// The interval the verdict was decided by.
    public let interval: Interval
    /// Difference or log-ratio.
    public let measure: Measure
    /// The margin within which the two count as equivalent, on the scale of ``value`` (for a
    /// ratio: ln f).
    public let margin: Double
    /// The verdict.
    public let comparison: Comparison

    /// Lower end of the 95% interval (on the scale of ``value``).
    public var low: Double { value - halfWidth95 }
    /// Upper end of the 95% interval.
    public var high: Double { value + halfWidth95 }

    /// `a` against `b` by Welch's interval (the arms independent), with the equivalence
    /// `margin` (> 0) and, for a bounded metric, its `saturation`. An estimate with zero
    /// standard error is a known constant: the interval is then the other arm's one-sample interval.
    public init(_ a: Estimate, _ b: Estimate, margin: Double, saturation: Saturation? = nil) {
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
        self.init(value: a.mean - b.mean, halfWidth95: studentT975(degreesOfFreedom: df) * se, interval: .welch, measure: .difference,
                  margin: margin, saturated: saturation?.saturated(a.mean, b.mean))
    }

    /// `a` against `b` paired by seed: `a[i]` and `b[i]` are seed i's two runs. The interval is
    /// mean(d) ± t₀.₉₇₅(n − 1)·sd(d)/√n over d_i = a_i − b_i, with the equivalence `margin` (> 0).
    /// - Precondition: equally many values (at least two), all finite.
    public init(paired a: [Double], _ b: [Double], margin: Double, saturation: Saturation? = nil) {
        precondition(margin > 0, "Difference: margin must be positive, got \(margin)")
        precondition(a.count == b.count, "Difference(paired:): \(a.count) values against \(b.count); pairs need one of each per seed")
        let differences = Estimate(zip(a, b).map { $0 - $1 })
        let mean = { (x: [Double]) in x.reduce(0, +) / Double(x.count) }
        self.init(value: differences.mean, halfWidth95: differences.halfWidth95, interval: .paired, measure: .difference,
                  margin: margin, saturated: saturation?.saturated(mean(a), mean(b)))
    }

    /// Two models' bits on the same documents, compared per byte: the value is
    /// (Σ a_i − Σ b_i) / Σ bytes_i (bits per byte of a minus that of b, over the whole set), and
    /// its interval is the ratio estimator's: with d_i = a_i − b_i and e_i = d_i − value · bytes_i,
    /// SE = √(n/(n − 1) · Σ e_i²) / Σ bytes_i, half-width t₀.₉₇₅(n − 1) · SE (Cochran 1977, §6.3).
    /// - Precondition: equally many values (at least two), positive total bytes.
    public init(perByte a: [Double], _ b: [Double], bytes: [Int], margin: Double) {
        precondition(margin > 0, "Difference: margin must be positive, got \(margin)")
        precondition(a.count == b.count && b.count == bytes.count && a.count >= 2, "Difference(perByte:): needs as many values of each as documents (at least two)")
        let totalBytes = Double(bytes.reduce(0, +))
        precondition(totalBytes > 0, "Difference(perByte:): no bytes")
        let differences = zip(a, b).map { $0 - $1 }
        let value = differences.reduce(0, +) / totalBytes
        var squares = 0.0
        for (d, n) in zip(differences, bytes) {
            let e = d - value * Double(n)
            squares += e * e
        }
        let n = Double(a.count)
        let se = (n / (n - 1) * squares).squareRoot() / totalBytes
        self.init(value: value, halfWidth95: studentT975(degreesOfFreedom: a.count - 1) * se, interval: .pairedByDocument,
                  measure: .difference, margin: margin)
    }

    /// Positive quantities (losses) compared relatively, paired by seed: the interval of
    /// d_i = ln a_i − ln b_i, equivalent when the whole ratio interval lies within a `factor`
    /// (> 1) either way, i.e. inside (1/factor, factor).
    /// - Precondition: equally many positive values (at least two).
    public init(pairedRatio a: [Double], _ b: [Double], factor: Double) {
        precondition(factor > 1, "Difference(pairedRatio:): the margin is a factor > 1, got \(factor)")
        precondition(a.count == b.count && (a + b).allSatisfy { $0 > 0 }, "Difference(pairedRatio:): needs equally many positive values, got \(a) and \(b)")
        let logs = Estimate(zip(a, b).map { Foundation.log($0) - Foundation.log($1) })
        self.init(value: logs.mean, halfWidth95: logs.halfWidth95, interval: .paired, measure: .ratio, margin: Foundation.log(factor), saturated: nil)
    }

    /// The verdict of the interval `value ± halfWidth95` against 0 and ±`margin`, unless the
    /// arms are `saturated` (what ``Saturation`` found). Public so that a page checker can
    /// re-decide a printed interval by the same rule.
    public init(value: Double, halfWidth95: Double, interval: Interval, measure: Measure = .difference, margin: Double,
                saturated: Comparison? = nil) {
        precondition(saturated == nil || saturated == .bothAtCeiling || saturated == .bothAtFloor, "Difference: saturated is a ceiling or a floor")
        self.value = value
        self.halfWidth95 = halfWidth95
        self.interval = interval
        self.measure = measure
        self.margin = margin
        comparison = saturated ?? Comparison.decide(low: value - halfWidth95, high: value + halfWidth95, margin: margin)
    }

    /// What a verdict line prints after the sentence, at `digits` digits (`scale` multiplies
    /// values and margin, `unit` follows the value):
    /// "difference −1.6 points, 95% CI [−2.5, −0.8], paired by seed; margin ±5.0", or for a
    /// ratio "ratio 0.931, 95% CI [0.880, 0.985], paired by seed; margin ×1.10".
    public func summary(_ digits: Int, scale: Double = 1, unit: String = "", marginDigits: Int? = nil) -> String {
        let u = unit.isEmpty ? "" : " " + unit
        switch measure {
        case .difference:
            return "difference \(fmt(value * scale, digits))\(u), 95% CI [\(fmt(low * scale, digits)), \(fmt(high * scale, digits))], "
                + "\(interval.name); margin ±\(fmt(margin * scale, marginDigits ?? digits))"
        case .ratio:
            return "ratio \(fmt(Foundation.exp(value), digits)), 95% CI [\(fmt(Foundation.exp(low), digits)), \(fmt(Foundation.exp(high), digits))], "
                + "\(interval.name); margin ×\(fmt(Foundation.exp(margin), marginDigits ?? 2))"
        }
    }
}
