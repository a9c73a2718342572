// Solution 32 · chapter 17 (ch17-a-new-voice): forgetting as a paired ratio
import LoRA

/// The paired ratio of `a` to `b` (positive, one value per seed, equally many, at least two):
/// exp(mean of ln aᵢ − ln bᵢ) and its 95 % interval, with `t975` = t₀.₉₇₅(n − 1).
public func pairedRatio(_ a: [Double], _ b: [Double], t975: Double) -> (ratio: Double, low: Double, high: Double) {
    // Pair first, then summarise: one log-ratio per seed. What the two runs of a seed share
    // (the same batches, the same initial draws) cancels in dᵢ, so the seed-to-seed spread that
    // both methods have in common does not widen the interval. The ratio of the means would
    // throw that pairing away.
    let d = zip(a, b).map { Double.log($0) - Double.log($1) }
    let n = Double(d.count)
    let mean = d.reduce(0, +) / n
    // The sample variance (n − 1: the mean was estimated from the same values), then the
    // standard error of the mean s/√n, then the t half-width: few seeds, so t, not 1.96.
    let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    let halfWidth = t975 * (variance / n).squareRoot()
    // The interval is symmetric on log scale; exp maps it to a ratio interval that is not
    // symmetric around exp(mean), as a ratio's should not be (×1.05 and ÷1.05 are equally far).
    return (Double.exp(mean), Double.exp(mean - halfWidth), Double.exp(mean + halfWidth))
}
