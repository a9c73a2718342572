import Foundation
import LoRA

/// What one exercise's check found: passed, or the first case that went wrong.
///
/// Checks never trap on a learner's answer: a wrong shape, an empty array or a NaN becomes a
/// ``CheckFailure`` value, so an unfinished stub cannot crash the checker or the test process.
public enum CheckResult: Equatable, Sendable {
    /// Every case agreed with the oracle.
    case passed
    /// The first case that did not.
    case failed(CheckFailure)

    /// Whether the check passed.
    public var isPassed: Bool { self == .passed }

    /// The failure, if any.
    public var failure: CheckFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}

/// One failed case of a check: what was computed, what the oracle expected, what the learner's
/// code returned.
public struct CheckFailure: Equatable, Sendable, CustomStringConvertible {
    /// The call or property that was checked, e.g. `nf4Code(0.0397901498)`.
    public var checking: String
    /// What the oracle says.
    public var expected: String
    /// What the learner's code gave.
    public var got: String
    /// Optional sentence on why the expected value is right.
    public var why: String?

    /// A failure in the "expected … got …" form.
    public init(checking: String, expected: String, got: String, why: String? = nil) {
        self.checking = checking
        self.expected = expected
        self.got = got
        self.why = why
    }

    /// Four indented lines: checking, expected, got, why.
    public var description: String {
        var lines = ["  checking: \(checking)", "  expected: \(expected)", "  got:      \(got)"]
        if let why { lines.append("  why:      \(why)") }
        return lines.joined(separator: "\n")
    }
}

/// Runs `cases` in order and returns the first failure; `.passed` when none fails.
///
/// Each case returns `nil` when it agrees with the oracle. Cases run lazily, so a later case
/// may assume that earlier ones (e.g. a shape check) passed.
func firstFailure(_ cases: [() -> CheckFailure?]) -> CheckResult {
    for check in cases {
        if let failure = check() { return .failed(failure) }
    }
    return .passed
}

// MARK: - Formatting (fixed precision, so a check's message is the same bytes every run)

/// A Double: an integer when it is one, else its shortest round-tripping decimal.
func show(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"  // the shortest decimal that round-trips: exact and the same every run
}

/// A Float shown by its shortest round-tripping decimal.
func show(_ x: Float) -> String { x.isNaN ? "nan" : "\(x)" }

/// The first `limit` elements of an array, then "…".
func show<T>(_ values: [T], limit: Int = 8, _ element: (T) -> String) -> String {
    let head = values.prefix(limit).map(element).joined(separator: ", ")
    return "[" + head + (values.count > limit ? ", … (\(values.count) values)" : "") + "]"
}

/// Bytes as two-digit upper-case hexadecimal.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF")
    return "[" + bytes.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xF)]]) }.joined(separator: " ") + "]"
}

/// A shape check that names what it expected.
func expectShape<S: BLASScalar>(_ m: Matrix<S>, _ rows: Int, _ columns: Int, _ name: String) -> CheckFailure? {
    guard m.rows != rows || m.columns != columns else { return nil }
    return CheckFailure(checking: "shape of \(name)", expected: "(\(rows), \(columns))", got: m.shapeDescription)
}

/// The element with the largest |got − expected| beyond `atol + rtol·|expected|`, as a failure.
func expectClose<S: BLASScalar, T: BLASScalar>(
    _ got: Matrix<S>, _ expected: Matrix<T>, _ name: String, atol: Double, rtol: Double, why: String? = nil
) -> CheckFailure? {
    if let shape = expectShape(got, expected.rows, expected.columns, name) { return shape }
    var worst: (index: Int, excess: Double)? = nil
    for e in 0..<expected.count {
        let g = got.storage[e].doubleValue, x = expected.storage[e].doubleValue
        let excess = abs(g - x) - (atol + rtol * abs(x))
        if !(excess <= 0), excess.isNaN || worst == nil || excess > worst!.excess { worst = (e, excess.isNaN ? .infinity : excess) }
    }
    guard let worst else { return nil }
    let (i, j) = (worst.index / expected.columns, worst.index % expected.columns)
    return CheckFailure(
        checking: "\(name)[\(i), \(j)] (tolerance \(show(atol)) + \(show(rtol))·|expected|)",
        expected: show(expected.storage[worst.index].doubleValue),
        got: show(got.storage[worst.index].doubleValue), why: why)
}

/// A Double with `digits` decimals (for measured values in messages; fixed, so the message does
/// not depend on the last bits of a BLAS result).
func fixed(_ x: Double, _ digits: Int) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    let text = String(format: "%.\(digits)f", x)
    return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
}

/// A failure for a learner's function that threw instead of returning.
func threw(_ call: String, _ error: any Error) -> CheckFailure {
    CheckFailure(checking: call, expected: "a result", got: "it threw \(error)")
}

/// A failure of the check's own oracle (the library refused the check's data): never expected.
func oracleFailed(_ what: String, _ error: any Error) -> CheckFailure {
    CheckFailure(checking: "the check's oracle: \(what)", expected: "a result from the library", got: "it threw \(error)",
                 why: "this is a bug in the check, not in your code; please report it")
}

/// ‖got − expected‖_F / ‖expected‖_F in Double (∞ when the shapes differ).
func relativeDifference<S: BLASScalar, T: BLASScalar>(_ got: Matrix<S>, _ expected: Matrix<T>) -> Double {
    guard got.rows == expected.rows, got.columns == expected.columns else { return .infinity }
    var difference = 0.0
    for e in 0..<expected.count {
        let d = got.storage[e].doubleValue - expected.storage[e].doubleValue
        difference += d * d
    }
    let norm = expected.frobeniusNorm
    return norm == 0 ? difference.squareRoot() : difference.squareRoot() / norm
}

/// The rank-r truncated SVD U_r·diag(σ_r)·V_rᵀ in Double, from the library's SVD.
func truncatedSVD<S: BLASScalar>(_ m: Matrix<S>, rank r: Int) throws -> (approximation: Matrix<Double>, singularValues: [Double]) {
    let svd = try m.converted(to: Double.self).svd()
    let k = min(r, svd.singularValues.count)
    let left = Matrix<Double>(rows: m.rows, columns: k) { i, j in svd.u[i, j] * svd.singularValues[j] }
    let right = Matrix<Double>(rows: k, columns: m.columns) { i, j in svd.vt[i, j] }
    return (left.matmul(right), svd.singularValues)
}
