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
        valueOfEachElement(x)  // the loop: below
    }

    /// ∂L/∂x = ∂L/∂y ⊙ gelu′(x).
    public static func backward<Scalar: BLASScalar>(input x: Matrix<Scalar>, outputGradient dy: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(dy.rows == x.rows && dy.columns == x.columns, "GELU.backward: gradient \(dy.shapeDescription) does not match input \(x.shapeDescription)")
        return gradientTimesDerivative(dy, at: x)  // the loop: below
    }
}

// MARK: - The loops
// The formulas above, applied to every element (row), in a Float and a Double instance of each
// loop (``ConcreteScalar``, Kernels/): there the per-element maths is inlined and the loops
// vectorize, where generic code would call through the protocol for every + and ×. They sit in
// this file because the compiler inlines across files only in optimised whole-module builds.

extension GELU {
    static func valueOfEachElement<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        ConcreteScalar.map(x, float: valueLoop, double: valueLoop)
    }

    static func gradientTimesDerivative<Scalar: BLASScalar>(_ dy: Matrix<Scalar>, at x: Matrix<Scalar>) -> Matrix<Scalar> {
        ConcreteScalar.map(dy, x, float: derivativeLoop, double: derivativeLoop)
    }

    /// t = tanh(u(x)) for every element: u in one pass, tanh in place in another (the Float one
    /// runs in C with AVX2 when the CPU has it).
    @inline(__always)
    static func tanhOfArguments<S: BLASScalar>(_ x: Matrix<S>) -> [S] {
        x.storage.withUnsafeBufferPointer { xp in
            [S](unsafeUninitializedCapacity: xp.count) { t, count in
                for i in xp.indices { t[i] = argument(xp[i]) }
                count = xp.count
                S.tanh(inPlace: UnsafeMutableBufferPointer(rebasing: t[0..<count]))
            }
        }
    }

    /// y[i] = gelu(x[i]).
    @inline(__always)
    static func valueLoop<S: BLASScalar>(_ x: Matrix<S>) -> Matrix<S> {
        let t = tanhOfArguments(x)
        let y = x.storage.withUnsafeBufferPointer { xp in
            t.withUnsafeBufferPointer { tp in
                [S](unsafeUninitializedCapacity: xp.count) { y, count in
                    for i in xp.indices { y[i] = value(xp[i], tanh: tp[i]) }
                    count = xp.count
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: y)
    }

    /// dx[i] = dy[i]·gelu′(x[i]).
    @inline(__always)
    static func derivativeLoop<S: BLASScalar>(_ dy: Matrix<S>, _ x: Matrix<S>) -> Matrix<S> {
        let t = tanhOfArguments(x)
        let dx = x.storage.withUnsafeBufferPointer { xp in
            t.withUnsafeBufferPointer { tp in
                dy.storage.withUnsafeBufferPointer { gp in
                    [S](unsafeUninitializedCapacity: xp.count) { dx, count in
                        for i in xp.indices { dx[i] = gp[i] * derivative(xp[i], tanh: tp[i]) }
                        count = xp.count
                    }
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: dx)
    }
}
