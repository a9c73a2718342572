// Exercise 32 · chapter 17 (ch17-a-new-voice): forgetting as a paired ratio
//
// Chapter 17 adapts the tiny LLaMA to a new voice with several methods and asks which one
// forgets less: each method ran the same report seeds, and a[i], b[i] are the two methods'
// losses on held-out *source* text after adaptation with seed i. Seed i's two runs share their
// data order and initial draws, so they are compared as a pair, and since losses are positive
// and "5 % worse" means the same at any level, the comparison is a ratio, made on log scale:
//
//   dᵢ = ln aᵢ − ln bᵢ                       one log-ratio per seed
//   d̄  = Σ dᵢ / n,   s² = Σ (dᵢ − d̄)² / (n − 1)     mean and sample variance
//   h  = t₀.₉₇₅(n − 1) · s / √n              half-width of the 95 % interval of the mean
//   ratio = exp(d̄),   95 % CI [exp(d̄ − h), exp(d̄ + h)]
//
// A ratio below 1 means a forgot less than b. The t quantile for n − 1 degrees of freedom is
// given (`t975`; e.g. 2.776 for 5 seeds), as the Notebook library's `studentT975` gives it to
// chapter 17's `Difference(pairedRatio:_:factor:)`. `Double.log` and `Double.exp` (from LoRA) or
// Foundation's `log` and `exp` both work.
//
// What to do: return the ratio and its interval.
// Check: swift run exercises 32         Stuck? swift run exercises 32 --hint
import LoRA

/// The paired ratio of `a` to `b` (positive, one value per seed, equally many, at least two):
/// exp(mean of ln aᵢ − ln bᵢ) and its 95 % interval, with `t975` = t₀.₉₇₅(n − 1).
public func pairedRatio(_ a: [Double], _ b: [Double], t975: Double) -> (ratio: Double, low: Double, high: Double) {
    // TODO: log-ratios per seed, their mean and half-width, back through exp. This placeholder
    // is the ratio of the two means, with no interval.
    let ratio = a.reduce(0, +) / b.reduce(0, +)
    return (ratio, ratio, ratio)
}
