/// Finite-difference gradient checking for any scalar function of matrices, in `Double`.
///
/// For each element θ of each input, the central difference
/// ```
/// ĝ = (f(θ + h) − f(θ − h)) / (2h)
/// ```
/// has truncation error O(h²) and rounding error O(ε/h); with h = 1e-5 in Double both are far
/// below 1e-8 for the smooth, O(1)-scaled functions we check. The analytic gradient g passes when
/// the norm-wise relative error
/// ```
/// ‖g − ĝ‖₂ / max(‖g‖₂, ‖ĝ‖₂, 1e-12)
/// ```
/// is at most ``defaultTolerance`` = 1e-6 (norm-wise, so an element that is zero in both does
/// not divide by zero, and a gradient that is exactly zero in both counts as agreement).
public enum GradientCheck {
    /// The tolerance every gradient check in the package uses unless it states another.
    public static let defaultTolerance = 1e-6
    /// The default step h.
    public static let defaultStep = 1e-5

    /// Central-difference gradients of `f` with respect to every input.
    /// - Complexity: 2 evaluations of `f` per input element.
    public static func numericalGradients(
        of f: ([Matrix<Double>]) -> Double, at inputs: [Matrix<Double>], step h: Double = defaultStep
    ) -> [Matrix<Double>] {
        var point = inputs
        return inputs.indices.map { which in
            var g = Matrix<Double>.zeros(inputs[which].rows, inputs[which].columns)
            for e in 0..<inputs[which].count {
                let original = point[which].storage[e]
                point[which].storage[e] = original + h
                let plus = f(point)
                point[which].storage[e] = original - h
                let minus = f(point)
                point[which].storage[e] = original
                g.storage[e] = (plus - minus) / (2 * h)
            }
            return g
        }
    }

    /// ‖g − ĝ‖₂ / max(‖g‖₂, ‖ĝ‖₂, 1e-12).
    public static func relativeError(_ analytic: Matrix<Double>, _ numeric: Matrix<Double>) -> Double {
        precondition(
            analytic.rows == numeric.rows && analytic.columns == numeric.columns,
            "GradientCheck: analytic gradient \(analytic.shapeDescription) and numeric \(numeric.shapeDescription) differ in shape")
        let diff = (analytic - numeric).frobeniusNorm
        return diff / max(analytic.frobeniusNorm, numeric.frobeniusNorm, 1e-12)
    }

    /// Compares analytic gradients with central differences, one relative error per input.
    public static func check(
        _ f: ([Matrix<Double>]) -> Double, at inputs: [Matrix<Double>], analytic: [Matrix<Double>],
        step h: Double = defaultStep
    ) -> GradientCheckReport {
        precondition(analytic.count == inputs.count, "GradientCheck: \(analytic.count) analytic gradients for \(inputs.count) inputs")
        let numeric = numericalGradients(of: f, at: inputs, step: h)
        return GradientCheckReport(relativeErrors: zip(analytic, numeric).map { relativeError($0, $1) })
    }
}

/// The outcome of a gradient check.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// One norm-wise relative error per input, in input order.
    public let relativeErrors: [Double]
    /// The worst of them.
    public var maxRelativeError: Double { relativeErrors.max() ?? 0 }
    /// Whether every input's error is within `tolerance`.
    public func passes(tolerance: Double = GradientCheck.defaultTolerance) -> Bool {
        relativeErrors.allSatisfy { $0 <= tolerance }
    }
    public var description: String { "gradient check: relative errors \(relativeErrors)" }
}

/// NumPy-style closeness: |a − b| ≤ atol + rtol·|b| element-wise.
public func allClose<Scalar: BLASScalar>(
    _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, atol: Double = 1e-8, rtol: Double = 1e-5
) -> Bool {
    guard a.rows == b.rows, a.columns == b.columns else { return false }
    return zip(a.storage, b.storage).allSatisfy { x, y in
        abs(x.doubleValue - y.doubleValue) <= atol + rtol * abs(y.doubleValue)
    }
}
