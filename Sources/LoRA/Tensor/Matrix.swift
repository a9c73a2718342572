/// A dense, row-major matrix of `Float` or `Double`.
///
/// Element (i, j) lives at `storage[i * columns + j]`. Shapes follow PEFT: a weight is
/// (out, in), a batch of inputs is (n, in), so a layer computes `y = x·Wᵀ`.
///
/// Products go through GEMM with transpose flags (see `Matrix+Product.swift`): the package's
/// deterministic kernel by default, BLAS on request; nothing in the library forms an explicit
/// transpose to multiply.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements, row after row.
    public internal(set) var storage: [Scalar]

    /// The shape as `(rows, columns)`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }
    /// Number of elements, `rows · columns`.
    public var count: Int { storage.count }
    /// A printable shape such as `(512, 1024)`, used in error messages.
    public var shapeDescription: String { "(\(rows), \(columns))" }

    /// Wraps existing row-major storage.
    /// - Precondition: `storage.count == rows * columns`.
    public init(rows: Int, columns: Int, storage: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape (\(rows), \(columns))")
        precondition(
            storage.count == rows * columns,
            "Matrix: \(storage.count) elements cannot fill shape (\(rows), \(columns))")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix filled with one value.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(rows: Int, columns: Int, repeating value: Scalar) {
        self.init(rows: rows, columns: columns, storage: [Scalar](repeating: value, count: rows * columns))
    }

    /// A matrix from nested rows: `Matrix([[1, 2], [3, 4]])`.
    /// - Precondition: every row has the same length.
    public init(_ nested: [[Scalar]]) {
        let columns = nested.first?.count ?? 0
        precondition(
            nested.allSatisfy { $0.count == columns },
            "Matrix: rows of unequal length \(nested.map(\.count))")
        self.init(rows: nested.count, columns: columns, storage: nested.flatMap { $0 })
    }

    /// A matrix whose element (i, j) is `body(i, j)`.
    public init(rows: Int, columns: Int, _ body: (Int, Int) -> Scalar) {
        var storage = [Scalar]()
        storage.reserveCapacity(rows * columns)
        for i in 0..<rows { for j in 0..<columns { storage.append(body(i, j)) } }
        self.init(rows: rows, columns: columns, storage: storage)
    }

    /// All zeros.
    public static func zeros(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, repeating: 0)
    }

    /// The n × n identity.
    public static func identity(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 1 : 0 }
    }

    /// Independent draws from U(low, high), reproducible from `generator`.
    public static func uniform(
        _ rows: Int, _ columns: Int, low: Scalar, high: Scalar, using generator: inout SeededGenerator
    ) -> Matrix {
        let (lo, hi) = (low.doubleValue, high.doubleValue)
        var storage = [Scalar]()
        storage.reserveCapacity(rows * columns)
        for _ in 0..<(rows * columns) { storage.append(Scalar(generator.nextUniform(lo, hi))) }
        return Matrix(rows: rows, columns: columns, storage: storage)
    }

    /// Independent draws from N(mean, std²), reproducible from `generator`.
    public static func normal(
        _ rows: Int, _ columns: Int, mean: Scalar = 0, std: Scalar = 1,
        using generator: inout SeededGenerator
    ) -> Matrix {
        var storage = [Scalar]()
        storage.reserveCapacity(rows * columns)
        for _ in 0..<(rows * columns) {
            storage.append(Scalar(generator.nextNormal(mean: mean.doubleValue, std: std.doubleValue)))
        }
        return Matrix(rows: rows, columns: columns, storage: storage)
    }

    /// Element (i, j).
    public subscript(i: Int, j: Int) -> Scalar {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Matrix: index (\(i), \(j)) outside shape (\(rows), \(columns))")
            return storage[i * columns + j]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Matrix: index (\(i), \(j)) outside shape (\(rows), \(columns))")
            storage[i * columns + j] = newValue
        }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Scalar] {
        precondition(i >= 0 && i < rows, "Matrix: row \(i) outside shape \(shapeDescription)")
        return Array(storage[(i * columns)..<((i + 1) * columns)])
    }

    /// A copy with rows and columns exchanged. For display and tests; products never need it.
    public var transposed: Matrix {
        Matrix(rows: columns, columns: rows) { i, j in self[j, i] }
    }

    /// The same elements converted to another precision.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Matrix<Other> {
        if let same = self as? Matrix<Other> { return same }  // the same type: shared storage, no pass
        return Matrix<Other>(rows: rows, columns: columns, storage: storage.map { Other($0.doubleValue) })
    }
}

extension Matrix: CustomStringConvertible {
    /// A compact multi-line rendering with 4 decimals, for debugging.
    public var description: String {
        var lines = ["Matrix\(shapeDescription)"]
        for i in 0..<min(rows, 8) {
            let items = row(i).prefix(8).map { String(format4: $0.doubleValue) }
            lines.append("  [" + items.joined(separator: ", ") + (columns > 8 ? ", …" : "") + "]")
        }
        if rows > 8 { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// Fixed 4-decimal formatting without Foundation.
    init(format4 value: Double) {
        if !value.isFinite { self = "\(value)"; return }
        let scaled = (abs(value) * 10_000).rounded()
        let whole = Int(scaled / 10_000)
        let frac = Int(scaled.truncatingRemainder(dividingBy: 10_000))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        let fracText = String(frac)
        self = sign + String(whole) + "." + String(repeating: "0", count: 4 - fracText.count) + fracText
    }
}
