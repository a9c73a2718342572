#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GELU with the tanh approximation (Hendrycks & Gimpel 2016; GPT-2's `gelu_new`).
///
/// ```
/// u = c·(x + 0.044715·x³),  c = √(2/π),  t = tanh(u)
/// gelu(x)  = ½·x·(1 + t)
/// gelu′(x) = ½·(1 + t) + ½·x·(1 − t²)·c·(1 + 3·0.044715·x²)
/// ```
/// Float runs a loop the compiler vectorizes (``FastTanh``, no libm call per element); Double
/// calls libm's `tanh`. Backward recomputes t from x, as PyTorch does, so the layer keeps only
/// its input for backward.
public enum GELU {
    static let c = (2.0 / Double.pi).squareRoot()
    static let k = 0.044715

    /// Element-wise GELU.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        var y = x.storage
        y.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            if Scalar.self == Float.self {
                let f = UnsafeMutableRawPointer(base).assumingMemoryBound(to: Float.self)
                forwardFloat(f, count: p.count)
                return
            }
            let (c, k) = (Scalar(c), Scalar(k))
            for i in p.indices {
                let v = p[i]
                let t = Scalar(tanh((c * (v + k * v * v * v)).doubleValue))
                p[i] = Scalar(0.5) * v * (1 + t)
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: y)
    }

    /// ∂L/∂x = ∂L/∂y ⊙ gelu′(x).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: BLASScalar>(input x: Matrix<Scalar>, outputGradient dy: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(dy.rows == x.rows && dy.columns == x.columns, "GELU.backward: gradient \(dy.shapeDescription) does not match input \(x.shapeDescription)")
        var dx = dy.storage
        x.storage.withUnsafeBufferPointer { xp in
            dx.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress, let xBase = xp.baseAddress else { return }
                if Scalar.self == Float.self {
                    backwardFloat(
                        input: UnsafeRawPointer(xBase).assumingMemoryBound(to: Float.self),
                        gradient: UnsafeMutableRawPointer(base).assumingMemoryBound(to: Float.self), count: p.count)
                    return
                }
                let (c, k) = (Scalar(c), Scalar(k))
                for i in p.indices {
                    let v = xp[i]
                    let t = Scalar(tanh((c * (v + k * v * v * v)).doubleValue))
                    let derivative = Scalar(0.5) * (1 + t) + Scalar(0.5) * v * (1 - t * t) * c * (1 + 3 * k * v * v)
                    p[i] *= derivative
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: dx)
    }

    /// y[i] = gelu(y[i]) in place, Float.
    static func forwardFloat(_ y: UnsafeMutablePointer<Float>, count n: Int) {
        let (c, k) = (Float(c), Float(k))
        for i in 0..<n {
            let v = y[i]
            let t = FastTanh.tanh(c * (v + k * v * v * v))
            y[i] = 0.5 * v * (1 + t)
        }
    }

    /// g[i] *= gelu′(x[i]) in place, Float.
    static func backwardFloat(input x: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count n: Int) {
        let (c, k) = (Float(c), Float(k))
        for i in 0..<n {
            let v = x[i]
            let t = FastTanh.tanh(c * (v + k * v * v * v))
            g[i] *= 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * k * v * v)
        }
    }
}

/// tanh for Float from a branch-free eˣ, so that loops calling it vectorize.
///
/// ```
/// tanh u = 1 − 2/(e^{2u} + 1)
/// eˣ = 2ⁿ · eʳ,  n = round(x·log₂e),  r = x − n·ln 2 ∈ [−ln2/2, ln2/2]   (ln 2 split in two parts)
/// eʳ ≈ Σ_{j ≤ 7} rʲ/j!        (truncation ≤ (ln2/2)⁸/8! ≈ 5·10⁻⁹ relative)
/// 2ⁿ from the exponent bits (integer ops only);  x clamped to [−87, 87] (e^±87 are normal Floats)
/// ```
/// Absolute error of tanh below 3·10⁻⁷ (a few Float ulps near ±1; tested against Double's tanh).
enum FastTanh {
    @inline(__always)
    static func tanh(_ u: Float) -> Float {
        var x = 2 * u
        x = x < -87 ? -87 : x
        x = x > 87 ? 87 : x
        // round(x·log₂e) by adding and removing 1.5·2²³ (round-to-nearest-even, |x·log₂e| < 2²²)
        // The low bits of `shifted` hold n: bitPattern(shifted) = 0x4B40_0000 + n (no Float → Int
        // conversion, whose range check would stop vectorization).
        let shifter: Float = 12_582_912
        let shifted = x * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = (x - n * 0.693_145_75) - n * 1.428_606_8e-6  // ln 2 = 0.693145751953125 + 1.4286068e-6
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return 1 - 2 / (p * scale + 1)
    }
}
