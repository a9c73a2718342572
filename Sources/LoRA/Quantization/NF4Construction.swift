/// How the NF4 levels arise from normal quantiles (QLoRA §3; bitsandbytes `create_normal_map`).
///
/// ```
/// pᵢ⁺ = linspace(δ, ½, 9)ᵢ,  i = 0…7       qᵢ⁺ = Φ⁻¹(pᵢ⁺)        (8 positive levels)
/// pᵢ⁻ = linspace(δ, ½, 8)ᵢ,  i = 0…6       qᵢ⁻ = −Φ⁻¹(pᵢ⁻)       (7 negative levels)
/// levels = sort(q⁺ ∪ {0} ∪ q⁻) / max            δ = 0.9677083
/// ```
/// δ replaces the infinite end quantile Φ⁻¹(1); it is ½(1 − 1/(2·15) + 1 − 1/(2·16)), the mean of
/// the offsets that centre 15 and 16 bins. Recomputing in Double differs from bitsandbytes'
/// float32 table by at most ≈ 1.2e-7 (torch computes the linspace and the division in float32),
/// which is why ``NF4/levels`` is hard-coded.
public enum NF4Construction {
    /// δ, the probability that stands in for 1 at the ends.
    public static let offset = 0.9677083

    /// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1.
    ///
    /// Acklam's rational approximation (relative error < 1.15e-9), then one Halley step on
    /// Φ(x) − p, which brings it to about machine precision in Double:
    /// ```
    /// Φ(x) = ½·erfc(−x/√2),   e = Φ(x) − p,   u = e·√(2π)·e^{x²/2},   x ← x − u/(1 + x·u/2)
    /// ```
    /// `erfc`, `exp` and `log` are the package's (`Double.erfc`, …), so the levels are the same
    /// bits on every machine.
    /// - Precondition: 0 < p < 1.
    public static func inverseNormalCDF(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "inverseNormalCDF: p must be in (0, 1), got \(p)")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let pLow = 0.02425
        var x: Double
        if p < pLow || p > 1 - pLow {
            // Tails: a rational function of √(−2 log p).
            let q = (-2 * Double.log(min(p, 1 - p))).squareRoot()
            let num = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
            let den = (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
            x = p < pLow ? num / den : -num / den
        } else {
            // Centre: a rational function of (p − ½)².
            let q = p - 0.5
            let r = q * q
            let num = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            let den = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1
            x = num / den
        }
        // Halley: e = Φ(x) − p, u = e / φ(x), x ← x − u / (1 + x·u/2).
        let e = 0.5 * Double.erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// n evenly spaced points from `start` to `end` inclusive (like `torch.linspace`, in Double).
    static func linspace(_ start: Double, _ end: Double, _ n: Int) -> [Double] {
        (0..<n).map { start + (end - start) * Double($0) / Double(n - 1) }
    }

    /// The 16 NF4 levels derived from normal quantiles, in Double, ascending.
    public static func derivedLevels() -> [Double] {
        let positive = linspace(offset, 0.5, 9).dropLast().map(inverseNormalCDF)
        let negative = linspace(offset, 0.5, 8).dropLast().map { -inverseNormalCDF($0) }
        let all = (positive + [0] + negative).sorted()
        let largest = all.last!
        return all.map { $0 / largest }
    }

    /// Derived level minus the hard-coded float32 level, per code.
    public static func differencesFromTable() -> [Double] {
        zip(derivedLevels(), NF4.levels).map { $0 - Double($1) }
    }
}
