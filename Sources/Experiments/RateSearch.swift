import Notebook

/// A learning-rate search on a fixed ladder of rates: what ``searchRates(start:ladder:maxExtensions:score:runs:)``
/// tried and chose.
///
/// ```
/// start    the runs at every rate of `start` (a stretch of `ladder`)
/// extend   best (lowest mean score) at an end → the ladder's next rate beyond that end
///          (at most maxExtensions times, never past the ladder's ends)
/// ```
/// ``tune(_:setup:tuningSeeds:reportSeeds:maxExtensions:progress:)`` is the same rule for
/// ``FineTuningMethod``s with separate tuning and report seeds; this form serves chapters with
/// runs of their own: they search on tuning seeds and validation examples, then run their report
/// seeds at the chosen rate, so no reported run chooses its rate.
public struct RateSearch<Run> {
    /// Every rate tried, ascending.
    public let grid: [Double]
    /// The runs at each rate of ``grid``.
    public let runs: [Double: [Run]]
    /// The best rate and whether it lies inside ``grid``.
    public let choice: LearningRateChoice
    /// The runs at the chosen rate.
    public var chosenRuns: [Run] { runs[choice.rate]! }
}

/// Searches the learning rate: `runs(rate)` at each rate of `start`, extended along `ladder`
/// while the best mean `score` (lower is better) is an end point (see ``RateSearch``).
/// - Precondition: `ladder` is ascending and `start` is a non-empty stretch of it.
public func searchRates<Run>(start: [Double], ladder: [Double], maxExtensions: Int = 2, score: (Run) -> Double,
                             runs: (Double) throws -> [Run]) rethrows -> RateSearch<Run> {
    precondition(!start.isEmpty && start.allSatisfy(ladder.contains) && ladder == ladder.sorted(),
                 "searchRates: start \(start) must be rates of the ascending ladder \(ladder)")
    var grid = start.sorted()
    var byRate: [Double: [Run]] = [:]
    for rate in grid { byRate[rate] = try runs(rate) }
    func choose() -> LearningRateChoice {
        LearningRateChoice(grid: grid, scores: grid.map { Estimate(byRate[$0]!.map(score)) }, higherIsBetter: false)
    }
    var choice = choose()
    for _ in 0..<maxExtensions where !choice.isInterior {
        let position = ladder.firstIndex(of: choice.rate)!
        let next = choice.index == 0 ? position - 1 : position + 1
        guard ladder.indices.contains(next) else { break }
        byRate[ladder[next]] = try runs(ladder[next])
        grid = (grid + [ladder[next]]).sorted()
        choice = choose()
    }
    return RateSearch(grid: grid, runs: byRate, choice: choice)
}
