/// `Float` elementary functions, evaluated in `Double` and rounded once to `Float`.
///
/// The `Double` evaluation is accurate to far better than a `Float` ulp (2⁻³⁰ relative or better),
/// so the rounded result is within 0.51 ulp of the exact value: the nearest `Float` except, rarely,
/// its neighbour when the exact value lies almost half-way between two. Like the `Double`
/// functions it uses only IEEE 754 arithmetic, so the bits are the same on every machine.
extension Float: ElementaryFunctions {
    /// eˣ = `Float(Double.exp(Double(x)))`: overflows to +∞ above 88.7228, underflows to 0 below −103.97.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        Float(Double.exp(Double(x)))
    }

    /// ln x = `Float(Double.log(Double(x)))`.
    @inline(__always)
    public static func log(_ x: Float) -> Float {
        Float(Double.log(Double(x)))
    }

    /// tanh x, without branches so that a loop calling it vectorizes (GELU calls it per element).
    /// ```
    /// a = |x| in Double,  e = e^{2a} − 1  (a clamped to 10: tanh 10 rounds to 1 in Float)
    /// tanh a = e / (e + 2)            for a ≥ 2⁻¹²
    /// tanh a = a − a³/3               for a < 2⁻¹²   (the next term, 2a⁵/15, is below 2⁻⁴⁹·a)
    /// e^{2a} = 2ⁿ·(1 + r + r²/2! + … + r⁸/8!),  n = round(2a·log₂e),  |r| ≤ ln 2 / 2
    /// ```
    /// The degree-8 polynomial leaves a relative error below 2⁻³⁰ in e (for n = 0 the error scales
    /// with r⁹ while e scales with r, for n ≥ 1 e ≥ √2 − 1), well inside half a `Float` ulp.
    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let a = Double(x.magnitude)
        let b = 2 * Swift.min(a, 10)
        let shifter: Double = 0x1.8p52
        let shifted = b * Double.log2e + shifter
        let n = shifted - shifter
        let r = (b - n * Double.ln2Hi) - n * Double.ln2Lo
        var p = 1.0 / 40320
        p = p * r + 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 1.0 / 2
        let scale = Double(bitPattern: (shifted.bitPattern &- shifter.bitPattern &+ 1023) &<< 52)
        let e = scale * (1 + (r + r * r * p)) - 1
        let large = e / (e + 2)
        let small = a - a * a * a / 3
        let t = a < 0x1p-12 ? small : large
        return Float(signOf: x, magnitudeOf: Float(t))
    }
}
