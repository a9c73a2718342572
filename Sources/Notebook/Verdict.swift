/// Comparative sentences decided by code from the numbers: every "beats", "close to",
/// "cannot separate", "plateaus", "still rising" or "cannot compare" a chapter prints comes from
/// here (over a ``Difference``), never from typed prose.
///
/// ```
/// comparison          higher is better           lower is better (losses, steps)
/// higher              A beats B                  A trails B
/// lower               A trails B                 A beats B
/// equivalent          A is close to B            A is close to B
/// equivalentHigher    A is close to B, and higher by less than the margin
/// equivalentLower     A is close to B, and lower by less than the margin
/// inconclusive        the seeds cannot separate A and B
/// bothAtCeiling       A and B are both at the ceiling: cannot compare
/// bothAtFloor         A and B are both at the floor: cannot compare
/// ```
public enum Verdict {
    /// The sentence for `d` = A − B, for a quantity where `higherIsBetter` says which way is good.
    public static func sentence(_ a: String, _ b: String, _ d: Difference, higherIsBetter: Bool = true) -> String {
        switch (d.comparison, higherIsBetter) {
        case (.higher, true), (.lower, false): "\(a) beats \(b)"
        case (.higher, false), (.lower, true): "\(a) trails \(b)"
        case (.equivalent, _): "\(a) is close to \(b)"
        case (.equivalentHigher, _): "\(a) is close to \(b), and higher by less than the margin"
        case (.equivalentLower, _): "\(a) is close to \(b), and lower by less than the margin"
        case (.inconclusive, _): "the seeds cannot separate \(a) and \(b)"
        case (.bothAtCeiling, _): "\(a) and \(b) are both at the ceiling: cannot compare"
        case (.bothAtFloor, _): "\(a) and \(b) are both at the floor: cannot compare"
        }
    }

    /// A curve's step from an earlier to a later point, `d` = later − earlier: "still rising",
    /// "falling", "plateaus" (with its side when the interval excludes 0), "no clear trend", or
    /// "at the ceiling at both points: cannot tell" (floor likewise).
    public static func trend(_ d: Difference) -> String {
        switch d.comparison {
        case .higher: "still rising"
        case .lower: "falling"
        case .equivalent: "plateaus"
        case .equivalentHigher: "plateaus (rising by less than the margin)"
        case .equivalentLower: "plateaus (falling by less than the margin)"
        case .inconclusive: "no clear trend"
        case .bothAtCeiling: "at the ceiling at both points: cannot tell"
        case .bothAtFloor: "at the floor at both points: cannot tell"
        }
    }

    /// ``trend(_:)`` from two independent estimates (Welch), with a `margin` and a `saturation`.
    public static func trend(from earlier: Estimate, to later: Estimate, margin: Double, saturation: Saturation? = nil) -> String {
        trend(Difference(later, earlier, margin: margin, saturation: saturation))
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

extension Verdict {
    /// A verdict line's sentence with its numbers: "A beats B (difference 3.2 points, 95% CI
    /// [1.0, 5.4], paired by seed; margin ±2)". The numbers are ``Difference/summary(_:scale:unit:marginDigits:)``'s.
    public static func line(_ a: String, _ b: String, _ d: Difference, higherIsBetter: Bool = true, digits: Int, scale: Double = 1,
                            unit: String = "", marginDigits: Int? = nil) -> String {
        sentence(a, b, d, higherIsBetter: higherIsBetter) + " (" + d.summary(digits, scale: scale, unit: unit, marginDigits: marginDigits) + ")"
    }
}
