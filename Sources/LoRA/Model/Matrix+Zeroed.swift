extension Matrix {
    /// All zeros, like ``zeros(_:_:)``, but pre-specialized for Float and Double so hot
    /// model code calling it from another file does not run the generic fill element by element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func zeroed(_ rows: Int, _ columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: [Scalar](repeating: 0, count: rows * columns))
    }
}

extension Matrix {
    /// `self += other`, pre-specialized for Float and Double (the residual additions of the model).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    mutating func accumulate(_ other: Matrix) {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.accumulate: shapes \(shapeDescription) and \(other.shapeDescription) differ")
        other.storage.withUnsafeBufferPointer { bp in
            storage.withUnsafeMutableBufferPointer { ap in
                for i in ap.indices { ap[i] += bp[i] }
            }
        }
    }
}
