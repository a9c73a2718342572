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
public enum GELU {
    static let c = (2.0 / Double.pi).squareRoot()
    static let k = 0.044715

    /// Element-wise GELU.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        let (c, k) = (Scalar(c), Scalar(k))
        var y = x.storage
        y.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let v = p[i]
                let t = scalarTanh(c * (v + k * v * v * v))
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
        let (c, k) = (Scalar(c), Scalar(k))
        var dx = dy.storage
        x.storage.withUnsafeBufferPointer { xp in
            dx.withUnsafeMutableBufferPointer { p in
                for i in p.indices {
                    let v = xp[i]
                    let t = scalarTanh(c * (v + k * v * v * v))
                    let derivative = Scalar(0.5) * (1 + t) + Scalar(0.5) * v * (1 - t * t) * c * (1 + 3 * k * v * v)
                    p[i] *= derivative
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: dx)
    }
}

/// tanh in the scalar's own precision (single-precision `tanhf` for Float).
@inline(__always)
private func scalarTanh<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
    if Scalar.self == Float.self {
        // tanh u = 1 − 2/(e^{2u} + 1): one expf, about 3× cheaper than glibc's tanhf (which
        // goes through expm1f); absolute error ≈ 1e-7, what GELU's ½·x·(1 + t) needs.
        let u = unsafeBitCast(x, to: Float.self)
        return unsafeBitCast(1 - 2 / (expf(2 * u) + 1), to: Scalar.self)
    }
    return Scalar(tanh(x.doubleValue))
}
