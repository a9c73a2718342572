/// sin, cos and erfc for `Double`, from fixed reductions and series (same bits on every machine).
///
/// The seeded generator's Box–Muller transform needs `log`, `sin` and `cos`; the learning-rate
/// schedule needs `cos`; the NF4 construction needs `erfc`. Calling the C library there would let
/// glibc and Apple's libm disagree in the last bit, so these come from the package too.
extension Double {
    // π/2 = p1 + p2 + p3: p1 and p2 have 33 significant bits, so n·p1 and n·p2 are exact for |n| < 2²⁰.
    static let halfPi1: Double = 0x1.921fb54400000p+0
    static let halfPi2: Double = 0x1.0b4611a600000p-34
    static let halfPi3: Double = 0x1.3198a2e037073p-69
    static let twoOverPi: Double = 0x1.45f306dc9c883p-1

    /// sin x.
    /// ```
    /// n = round(x·2/π),  r + δ = x − n·p1 − n·p2 − n·p3 ∈ [−π/4, π/4]     (π/2 = p1 + p2 + p3)
    /// sin x = sin r, cos r, −sin r, −cos r    for n mod 4 = 0, 1, 2, 3
    /// ```
    /// The reduced argument is kept as r plus its rounding error δ, which enters to first order:
    /// sin(r + δ) ≈ sin r + δ·(1 − r²/2), cos(r + δ) ≈ cos r − r·δ.
    /// Within about 1 ulp for |x| < 2²⁰·π/2; beyond, the reduction loses accuracy (the package
    /// calls it on [0, 2π]).
    public static func sin(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (r, δ, quadrant) = reducedByHalfPi(x)
        switch quadrant {
        case 0: return sinOfReduced(r, δ)
        case 1: return cosOfReduced(r, δ)
        case 2: return -sinOfReduced(r, δ)
        default: return -cosOfReduced(r, δ)
        }
    }

    /// cos x, by the same reduction as ``sin(_:)``: cos r, −sin r, −cos r, sin r for n mod 4 = 0…3.
    public static func cos(_ x: Double) -> Double {
        guard x.isFinite else { return .nan }
        let (r, δ, quadrant) = reducedByHalfPi(x)
        switch quadrant {
        case 0: return cosOfReduced(r, δ)
        case 1: return -sinOfReduced(r, δ)
        case 2: return -cosOfReduced(r, δ)
        default: return sinOfReduced(r, δ)
        }
    }

    /// (r, δ, n mod 4) with x = n·π/2 + r + δ, |δ| ≤ ½ ulp(r).
    static func reducedByHalfPi(_ x: Double) -> (Double, Double, Int) {
        let n = (x * twoOverPi).rounded(.toNearestOrEven)
        let a = x - n * halfPi1                    // exact (n·p1 is exact and close to x)
        let b = n * halfPi2                        // exact
        let t = a - b                              // Knuth's two-sum: t + e = a − b exactly
        let bVirtual = t - a
        let e = (a - (t - bVirtual)) + (-b - bVirtual)
        let tail = e - n * halfPi3
        let r = t + tail
        let δ = (t - r) + tail
        let quadrant = Int(n.truncatingRemainder(dividingBy: 4)) & 3
        return (r, δ, quadrant)
    }

    /// sin(r + δ) = r − r³/3! + r⁵/5! − … − r¹⁹/19! + δ·(1 − r²/2)  for |r| ≤ π/4 (next term < 2⁻⁶⁰·r).
    static func sinOfReduced(_ r: Double, _ δ: Double) -> Double {
        let z = r * r
        var p = -1.0 / 121645100408832000       // −1/19!
        p = p * z + 1.0 / 355687428096000       // 1/17!
        p = p * z - 1.0 / 1307674368000
        p = p * z + 1.0 / 6227020800
        p = p * z - 1.0 / 39916800
        p = p * z + 1.0 / 362880
        p = p * z - 1.0 / 5040
        p = p * z + 1.0 / 120
        p = p * z - 1.0 / 6
        return r + (r * z * p + δ * (1 - 0.5 * z))
    }

    /// cos(r + δ) = 1 − r²/2 + r⁴·(1/4! − r²/6! + … − r¹⁴/18!) − r·δ  for |r| ≤ π/4, with
    /// w = 1 − r²/2 rounded and its rounding error (1 − w) − r²/2 added back.
    static func cosOfReduced(_ r: Double, _ δ: Double) -> Double {
        let z = r * r
        var p = 1.0 / 6402373705728000          // 1/18!
        p = p * z - 1.0 / 20922789888000        // −1/16!
        p = p * z + 1.0 / 87178291200
        p = p * z - 1.0 / 479001600
        p = p * z + 1.0 / 3628800
        p = p * z - 1.0 / 40320
        p = p * z + 1.0 / 720
        p = p * z - 1.0 / 24
        let half = 0.5 * z
        let w = 1 - half
        return w + ((((1 - w) - half) - z * z * p) - r * δ)
    }

    /// erfc x = 1 − erf x = (2/√π)·∫ₓ^∞ e^{−t²} dt.
    /// ```
    /// x < 0          erfc x = 2 − erfc(−x)
    /// 0 ≤ x < 1      erfc x = 1 − erf x,  erf x = (2/√π)·e^{−x²}·Σ_{n≥0} 2ⁿ·x^{2n+1} / (1·3·5·…·(2n+1))
    /// x ≥ 1          erfc x = (e^{−x²}/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
    /// ```
    /// The series has only positive terms (no cancellation) and runs until a term no longer
    /// changes the sum; the continued fraction (Laplace) is evaluated from depth 250 upwards
    /// (below 10⁻¹⁷ relative at x = 1, better beyond). x² is split exactly into hi + lo
    /// (Dekker), e^{−x²} = e^{−hi}·(1 − lo), so large x lose nothing there.
    /// Relative error below 10⁻¹⁴ (tested against the C library's `erfc`).
    public static func erfc(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x < 0 { return 2 - erfc(-x) }
        if x > 27.3 { return 0 }   // below the smallest subnormal
        let twoOverRootPi: Double = 0x1.20dd750429b6dp+0
        let gaussian = exp(-x * x) * (1 - squareRoundingError(x))
        if x < 1 {
            var term = x, sum = x
            var n = 0.0
            while true {
                n += 1
                term *= 2 * x * x / (2 * n + 1)
                let next = sum + term
                if next == sum { break }
                sum = next
            }
            return 1 - twoOverRootPi * gaussian * sum
        }
        var fraction = x
        for depth in stride(from: 250, through: 1, by: -1) {
            fraction = x + (Double(depth) / 2) / fraction
        }
        return 0.5 * twoOverRootPi * gaussian / fraction
    }

    /// x² − (x·x rounded), exactly: Dekker's split x = xh + xl into halves of 26 bits, whose
    /// products are exact.
    static func squareRoundingError(_ x: Double) -> Double {
        let t = 134217729 * x            // 2²⁷ + 1
        let xh = t - (t - x), xl = x - xh
        let square = x * x
        return ((xh * xh - square) + 2 * xh * xl) + xl * xl
    }
}
