/// Element-wise arithmetic, reductions and norms.
extension Matrix {
    @inline(__always)
    private static func checkSameShape(_ a: Matrix, _ b: Matrix, _ op: String) {
        precondition(
            a.rows == b.rows && a.columns == b.columns,
            "Matrix \(op): shapes \(a.shapeDescription) and \(b.shapeDescription) differ")
    }

    /// Applies `transform` to every element.
    public func map(_ transform: (Scalar) -> Scalar) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: storage.map(transform))
    }

    /// Combines two same-shaped matrices element by element.
    public func zipMap(_ other: Matrix, _ combine: (Scalar, Scalar) -> Scalar) -> Matrix {
        Matrix.checkSameShape(self, other, "zipMap")
        var out = storage
        other.storage.withUnsafeBufferPointer { o in
            for i in out.indices { out[i] = combine(out[i], o[i]) }
        }
        return Matrix(rows: rows, columns: columns, storage: out)
    }

    /// Element-wise sum.
    public static func + (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, +) }
    /// Element-wise difference.
    public static func - (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, -) }
    /// Element-wise (Hadamard) product.
    public static func .* (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, *) }
    /// Scales every element.
    public static func * (s: Scalar, a: Matrix) -> Matrix { a.map { s * $0 } }
    /// Negation.
    public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }

    /// In-place `self += other`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func += (a: inout Matrix, b: Matrix) {
        checkSameShape(a, b, "+=")
        b.storage.withUnsafeBufferPointer { bp in
            a.storage.withUnsafeMutableBufferPointer { ap in
                for i in ap.indices { ap[i] += bp[i] }
            }
        }
    }

    /// In-place `self -= other`.
    public static func -= (a: inout Matrix, b: Matrix) {
        checkSameShape(a, b, "-=")
        b.storage.withUnsafeBufferPointer { bp in
            a.storage.withUnsafeMutableBufferPointer { ap in
                for i in ap.indices { ap[i] -= bp[i] }
            }
        }
    }

    /// In-place `self += s · other` (BLAS's axpy, written as a loop the compiler vectorizes).
    public mutating func add(_ other: Matrix, scaledBy s: Scalar) {
        Matrix.checkSameShape(self, other, "add(_:scaledBy:)")
        other.storage.withUnsafeBufferPointer { bp in
            storage.withUnsafeMutableBufferPointer { ap in
                for i in ap.indices { ap[i] += s * bp[i] }
            }
        }
    }

    /// Sum of all elements, accumulated in `Double`.
    public var sum: Double { storage.reduce(0.0) { $0 + $1.doubleValue } }
    /// Mean of all elements.
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }
    /// Frobenius norm √(Σ xᵢⱼ²), accumulated in `Double`.
    public var frobeniusNorm: Double {
        storage.reduce(0.0) { $0 + $1.doubleValue * $1.doubleValue }.squareRoot()
    }
    /// Largest absolute element (0 for an empty matrix).
    public var maxAbs: Scalar { storage.reduce(0) { Swift.max($0, Swift.abs($1)) } }
    /// Sums over rows: a (1, columns) matrix. Used for bias gradients.
    public var columnSums: Matrix {
        var out = [Scalar](repeating: 0, count: columns)
        for i in 0..<rows { for j in 0..<columns { out[j] += storage[i * columns + j] } }
        return Matrix(rows: 1, columns: columns, storage: out)
    }
    /// `true` when every element is finite.
    public var isFinite: Bool { storage.allSatisfy(\.isFinite) }

    /// Largest absolute element-wise difference from `other`, in `Double`.
    public func maxAbsDifference(_ other: Matrix) -> Double {
        Matrix.checkSameShape(self, other, "maxAbsDifference")
        var m = 0.0
        for i in storage.indices { m = Swift.max(m, Swift.abs(storage[i].doubleValue - other.storage[i].doubleValue)) }
        return m
    }
}

infix operator .* : MultiplicationPrecedence
