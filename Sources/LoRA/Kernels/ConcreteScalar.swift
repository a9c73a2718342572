/// Runs the Float or the Double instance of a loop, chosen by the scalar type at run time.
///
/// The library's generic code is compiled once for any `Scalar`, so inside it every `+`, `×` and
/// `Scalar.tanh` is a call through the protocol (and `@_specialize` does not reroute generic
/// callers to specialised copies). A hot loop therefore comes as one generic source instantiated
/// twice, at call sites where the type is `Float` or `Double`: there the compiler inlines the
/// per-element maths and vectorizes the loop. This is the one place that asks which type
/// `Scalar` is; the concept files never do. (They keep their loops next to their formulas: the
/// compiler inlines across files only in optimised whole-module builds, and the chapters run in
/// debug builds.)
enum ConcreteScalar {
    /// `float(x)` or `double(x)`, for the type `Scalar` is.
    @inline(__always)
    static func map<Scalar: BLASScalar>(
        _ x: Matrix<Scalar>,
        float: (Matrix<Float>) -> Matrix<Float>, double: (Matrix<Double>) -> Matrix<Double>
    ) -> Matrix<Scalar> {
        if Scalar.self == Float.self { return cast(float(cast(x))) }
        if Scalar.self == Double.self { return cast(double(cast(x))) }
        preconditionFailure("ConcreteScalar: \(Scalar.self) is neither Float nor Double")
    }

    /// `float(x, y)` or `double(x, y)`.
    @inline(__always)
    static func map<Scalar: BLASScalar>(
        _ x: Matrix<Scalar>, _ y: Matrix<Scalar>,
        float: (Matrix<Float>, Matrix<Float>) -> Matrix<Float>, double: (Matrix<Double>, Matrix<Double>) -> Matrix<Double>
    ) -> Matrix<Scalar> {
        if Scalar.self == Float.self { return cast(float(cast(x), cast(y))) }
        if Scalar.self == Double.self { return cast(double(cast(x), cast(y))) }
        preconditionFailure("ConcreteScalar: \(Scalar.self) is neither Float nor Double")
    }

    /// `float(&x)` or `double(&x)`.
    @inline(__always)
    static func update<Scalar: BLASScalar>(
        _ x: inout Matrix<Scalar>,
        float: (inout Matrix<Float>) -> Void, double: (inout Matrix<Double>) -> Void
    ) {
        if Scalar.self == Float.self {
            var concrete: Matrix<Float> = cast(x)
            x = .zeros(0, 0)  // drop the second reference, so the loop writes in place
            float(&concrete)
            x = cast(concrete)
        } else if Scalar.self == Double.self {
            var concrete: Matrix<Double> = cast(x)
            x = .zeros(0, 0)
            double(&concrete)
            x = cast(concrete)
        } else {
            preconditionFailure("ConcreteScalar: \(Scalar.self) is neither Float nor Double")
        }
    }

    /// `float(y, &x)` or `double(y, &x)`.
    @inline(__always)
    static func update<Scalar: BLASScalar>(
        _ x: inout Matrix<Scalar>, reading y: Matrix<Scalar>,
        float: (Matrix<Float>, inout Matrix<Float>) -> Void, double: (Matrix<Double>, inout Matrix<Double>) -> Void
    ) {
        if Scalar.self == Float.self {
            var concrete: Matrix<Float> = cast(x)
            x = .zeros(0, 0)
            float(cast(y), &concrete)
            x = cast(concrete)
        } else if Scalar.self == Double.self {
            var concrete: Matrix<Double> = cast(x)
            x = .zeros(0, 0)
            double(cast(y), &concrete)
            x = cast(concrete)
        } else {
            preconditionFailure("ConcreteScalar: \(Scalar.self) is neither Float nor Double")
        }
    }

    /// `float(x)` or `double(x)` for a function whose result holds a matrix of the same type.
    @inline(__always)
    static func apply<Scalar: BLASScalar, Result, FloatResult, DoubleResult>(
        _ x: Matrix<Scalar>, returning _: Result.Type,
        float: (Matrix<Float>) -> FloatResult, double: (Matrix<Double>) -> DoubleResult
    ) -> Result {
        if Scalar.self == Float.self { return cast(float(cast(x))) }
        if Scalar.self == Double.self { return cast(double(cast(x))) }
        preconditionFailure("ConcreteScalar: \(Scalar.self) is neither Float nor Double")
    }

    /// The same value seen as another type of identical layout (`Matrix<Scalar>` as
    /// `Matrix<Float>` when `Scalar` is `Float`).
    @inline(__always)
    private static func cast<A, B>(_ a: A) -> B {
        precondition(MemoryLayout<A>.size == MemoryLayout<B>.size)
        return unsafeBitCast(a, to: B.self)
    }
}
