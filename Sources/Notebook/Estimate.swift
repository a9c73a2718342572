/// A quantity measured over several seeds: its mean and the standard error of the mean.
///
/// ```
/// mean  = Σ xᵢ / n
/// SE    = s/√n,  s² = Σ (xᵢ − mean)² / (n − 1)        (tables print "mean ± SE")
/// 95% CI = mean ± t₀.₉₇₅(n − 1) · SE                  (verdict lines print "95% CI [lo, hi]")
/// ```
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

    /// `mean ± SE` at `digits` digits after the point (a table's column says it is "mean ± SE").
    public func formatted(_ digits: Int, scale: Double = 1) -> String {
        fmt(mean * scale, digits) + " ± " + fmt(standardError * scale, digits)
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
