/// GELU with the tanh approximation (Hendrycks & Gimpel 2016; GPT-2's `gelu_new`).
///
/// ```
/// u = c·(x + k·x³),   c = √(2/π),   k = 0.044715,   t = tanh(u)
/// gelu(x)  = ½·x·(1 + t)
/// gelu′(x) = ½·(1 + t) + ½·x·(1 − t²)·c·(1 + 3k·x²)
/// ```
/// Backward recomputes t from x, as PyTorch does, so the layer keeps only its input for backward.
/// `Scalar.tanh` is the package's own (``ElementaryFunctions``), the same bits on every machine.
public enum GELU {
    /// c = √(2/π).
    static var c: Double { (2 / Double.pi).squareRoot() }
    /// k = 0.044715, the cubic term's weight.
    static var k: Double { 0.044715 }

    /// u = c·(x + k·x³), the argument of tanh.
    @inline(__always)
    static func argument<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
        Scalar(c) * (x + Scalar(k) * x * x * x)
    }

    /// gelu(x) = ½·x·(1 + t), given t = tanh(u).
    @inline(__always)
    static func value<Scalar: BLASScalar>(_ x: Scalar, tanh t: Scalar) -> Scalar {
        0.5 * x * (1 + t)
    }

    /// gelu′(x) = ½·(1 + t) + ½·x·(1 − t²)·c·(1 + 3k·x²), given t = tanh(u).
    @inline(__always)
    static func derivative<Scalar: BLASScalar>(_ x: Scalar, tanh t: Scalar) -> Scalar {
        let (c, k) = (Scalar(c), Scalar(k))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x)
    }

    /// gelu(x) for one element.
    public static func value<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
        value(x, tanh: Scalar.tanh(argument(x)))
    }

    /// gelu′(x) for one element.
    public static func derivative<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
        derivative(x, tanh: Scalar.tanh(argument(x)))
    }

    /// y = gelu(x), element by element.
    public static func forward<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        valueOfEachElement(x)  // the loop: Kernels/Model+ElementLoops.swift
    }

    /// ∂L/∂x = ∂L/∂y ⊙ gelu′(x).
    public static func backward<Scalar: BLASScalar>(input x: Matrix<Scalar>, outputGradient dy: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(dy.rows == x.rows && dy.columns == x.columns, "GELU.backward: gradient \(dy.shapeDescription) does not match input \(x.shapeDescription)")
        return gradientTimesDerivative(dy, at: x)  // the loop: Kernels/Model+ElementLoops.swift
    }
}
