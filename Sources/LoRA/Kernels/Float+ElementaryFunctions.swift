import CKernels

/// `Float` elementary functions, evaluated in `Double` and rounded once to `Float`.
///
/// The `Double` evaluation is accurate to far better than a `Float` ulp (2⁻³⁰ relative or better),
/// so the rounded result is within 0.51 ulp of the exact value: the nearest `Float` except, rarely,
/// its neighbour when the exact value lies almost half-way between two. Like the `Double`
/// functions it uses only IEEE 754 arithmetic, so the bits are the same on every machine.
/// exp and tanh have no branches, so loops that call them can vectorize.
extension Float: ElementaryFunctions {
    /// eˣ, evaluated in Double without branches (C: `ckernels_expf`, which Swift inlines; the same
    /// function serves ``exp(inPlace:)``, so both give the same bits).
    /// ```
    /// b = x clamped to [−104, 89]      (beyond, the Float result is 0 or +∞ anyway)
    /// e^b = 2ⁿ·(1 + r + r²/2! + … + r⁸/8!),  n = round(b·log₂e),  r = (b − n·ln2Hi) − n·ln2Lo
    /// ```
    /// The truncated series is within 2⁻³² of eʳ relative; 2ⁿ (|n| ≤ 150) is exact in Double, and
    /// the one rounding to Float gives 0, a subnormal, a normal number or +∞ as the value demands.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        ckernels_expf(x)
    }

    /// eˣ of every element, in place, in a loop compiled for AVX-512, AVX2 and the baseline (same bits).
    public static func exp(inPlace x: UnsafeMutableBufferPointer<Float>) {
        guard let base = x.baseAddress else { return }
        ckernels_exp_f32(base, x.count)
    }

    /// ln x = `Float(Double.log(Double(x)))`.
    @inline(__always)
    public static func log(_ x: Float) -> Float {
        Float(Double.log(Double(x)))
    }

    /// tanh x, evaluated in Double without branches (C: `ckernels_tanhf` in Kernels/C, which
    /// Swift inlines; the same function serves ``tanh(inPlace:)``, so both give the same bits).
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
        ckernels_tanhf(x)
    }

    /// tanh of every element, in place, in a loop compiled for AVX-512, AVX2 and the baseline (same bits).
    public static func tanh(inPlace x: UnsafeMutableBufferPointer<Float>) {
        guard let base = x.baseAddress else { return }
        ckernels_tanh_f32(base, x.count)
    }
}
