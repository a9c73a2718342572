// Exercise 20 · chapter 06 (ch06-nf4): the NF4 levels from normal quantiles
//
// NF4's 16 levels are not arbitrary: they are quantiles of a standard normal at evenly spaced
// probabilities (QLoRA §3; bitsandbytes' create_normal_map), so that normally distributed
// weights use every code about equally often. With Φ⁻¹ the normal quantile function and
// linspace(a, b, n)ᵢ = a + (b − a)·i/(n − 1), i = 0…n−1:
//
//   positive:  Φ⁻¹(p)  for p in linspace(δ, ½, P + 1) without its last point ½     (P levels)
//   negative: −Φ⁻¹(p)  for p in linspace(δ, ½, N + 1) without its last point ½     (N levels)
//   levels  = sort(positive ∪ {0} ∪ negative) / the largest                        (P + N + 1)
//
// NF4 has P = 8, N = 7 and δ = 0.9677083, a probability just below 1 (Φ⁻¹(1) = ∞). The library
// gives you Φ⁻¹ as NF4Construction.inverseNormalCDF. The check compares your levels with the
// library's construction and with bitsandbytes' float32 table, and tries a 3-bit variant.
//
// What to do: return the P + N + 1 levels, ascending.
// Check: swift run exercises 20         Stuck? swift run exercises 20 --hint
import LoRA

/// The NormalFloat levels with `positive` levels above 0, `negative` below, end probability δ.
public func normalFloatLevels(positive: Int, negative: Int, offset: Double) -> [Double] {
    // TODO: the quantiles, an exact 0, sorted and divided by the largest.
    return []
}
