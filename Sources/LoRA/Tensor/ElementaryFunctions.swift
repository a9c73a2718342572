/// The elementary functions the library's formulas use, computed by the package itself.
///
/// Generic code writes `Scalar.exp(x)`, `Scalar.log(x)`, `Scalar.tanh(x)`, as swift-numerics puts
/// them on the type. The implementations (in `Kernels/`) use a fixed range reduction and fixed
/// polynomials made only of IEEE 754 additions, multiplications, divisions and square roots, each
/// of which every conforming machine rounds the same way. So the results are the same bits on
/// Linux and macOS, x86 and ARM, whatever the C library (glibc's and Apple's `exp`, `log` and
/// `tanh` differ in the last bit for some arguments, and a training run amplifies such a bit).
///
/// Accuracy (measured in `ElementaryFunctionTests`): the `Float` versions are within 1 ulp of the
/// exact value (at most 0.503 ulp against the system's `Double` functions); the `Double` versions
/// within 1 ulp for exp and log and 1.5 ulp for tanh (against `Float80` on x86-64 Linux).
public protocol ElementaryFunctions {
    /// The exponential.
    /// ```
    /// exp(x) = eˣ = 2ⁿ · eʳ,   n = round(x / ln 2),   r = x − n·ln 2 ∈ [−ln 2 / 2, ln 2 / 2]
    /// ```
    /// - Returns: +∞ above the overflow threshold, 0 below the underflow threshold, NaN for NaN.
    static func exp(_ x: Self) -> Self

    /// The natural logarithm.
    /// ```
    /// log(x) = k·ln 2 + log(m),   x = 2ᵏ·m,  m ∈ [√2/2, √2)
    /// log(m) = 2·atanh(s) = 2s + (2/3)s³ + (2/5)s⁵ + …,   s = (m − 1)/(m + 1)
    /// ```
    /// - Returns: −∞ for 0, NaN for negative x or NaN, +∞ for +∞.
    static func log(_ x: Self) -> Self

    /// The hyperbolic tangent.
    /// ```
    /// tanh(x) = (e²ˣ − 1) / (e²ˣ + 1)        (odd: tanh(−x) = −tanh(x))
    /// ```
    static func tanh(_ x: Self) -> Self

    /// tanh of every element, in place: the same values as ``tanh(_:)``, computed in a loop that
    /// may use wider vectors (for `Float`, AVX-512 or AVX2 when the CPU has it).
    static func tanh(inPlace x: UnsafeMutableBufferPointer<Self>)

    /// eˣ of every element, in place: the same values as ``exp(_:)``, in a loop that may use wider
    /// vectors.
    static func exp(inPlace x: UnsafeMutableBufferPointer<Self>)
}

extension ElementaryFunctions {
    /// eˣ of every element, one ``exp(_:)`` call each.
    public static func exp(inPlace x: UnsafeMutableBufferPointer<Self>) {
        for i in x.indices { x[i] = exp(x[i]) }
    }

    /// tanh of every element, one ``tanh(_:)`` call each.
    public static func tanh(inPlace x: UnsafeMutableBufferPointer<Self>) {
        for i in x.indices { x[i] = tanh(x[i]) }
    }
}
