/// The singular value decomposition through LAPACK's `?gesdd`.
public struct SingularValueDecomposition<Scalar: BLASScalar>: Sendable {
    /// Left singular vectors as columns: (m, p) with p = min(m, n).
    public let u: Matrix<Scalar>
    /// Singular values, descending, length p.
    public let singularValues: [Scalar]
    /// Right singular vectors as rows: (p, n), so M = U·diag(σ)·Vᵀ.
    public let vt: Matrix<Scalar>
}

/// Errors from numerical routines.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// LAPACK returned a non-zero `info`.
    case lapackFailed(routine: String, info: Int)
    /// The input held NaN or infinity.
    case nonFiniteInput(String)

    public var description: String {
        switch self {
        case .lapackFailed(let routine, let info): "\(routine) failed with info = \(info)"
        case .nonFiniteInput(let what): "\(what) contains NaN or infinity"
        }
    }
}

extension Matrix {
    /// The thin SVD M = U·diag(σ)·Vᵀ, σ descending.
    ///
    /// LAPACK is column-major; a row-major (m, n) matrix is the column-major (n, m) matrix Mᵀ.
    /// We decompose Mᵀ = V·Σ·Uᵀ and read U and Vᵀ back in row-major order, so no copy is transposed.
    /// - Throws: ``LinearAlgebraError`` when the input is not finite or LAPACK fails.
    /// - Complexity: O(m·n·min(m, n)).
    public func svd() throws -> SingularValueDecomposition<Scalar> {
        guard isFinite else { throw LinearAlgebraError.nonFiniteInput("matrix \(shapeDescription)") }
        let (m, n) = (rows, columns)
        let p = Swift.min(m, n)
        if p == 0 {
            return SingularValueDecomposition(u: .zeros(m, 0), singularValues: [], vt: .zeros(0, n))
        }
        // Column-major view: A' = Mᵀ is (n, m), lda = n.
        var a = storage
        var s = [Scalar](repeating: 0, count: p)
        // For A' (n×m): U' is n×p (= V), VT' is p×m (= Uᵀ).
        var uPrime = [Scalar](repeating: 0, count: n * p)
        var vtPrime = [Scalar](repeating: 0, count: p * m)
        var iwork = [Int32](repeating: 0, count: 8 * p)
        var query: Scalar = 0
        var info = a.withUnsafeMutableBufferPointer { ap in
            Scalar.gesdd(
                jobz: UInt8(ascii: "S"), m: n, n: m, a: ap.baseAddress!, lda: n,
                s: &s, u: &uPrime, ldu: n, vt: &vtPrime, ldvt: p,
                work: &query, lwork: -1, iwork: &iwork)
        }
        guard info == 0 else { throw LinearAlgebraError.lapackFailed(routine: "gesdd (query)", info: info) }
        let lwork = Int(query.doubleValue) + 1
        var work = [Scalar](repeating: 0, count: lwork)
        info = a.withUnsafeMutableBufferPointer { ap in
            Scalar.gesdd(
                jobz: UInt8(ascii: "S"), m: n, n: m, a: ap.baseAddress!, lda: n,
                s: &s, u: &uPrime, ldu: n, vt: &vtPrime, ldvt: p,
                work: &work, lwork: lwork, iwork: &iwork)
        }
        guard info == 0 else { throw LinearAlgebraError.lapackFailed(routine: "gesdd", info: info) }
        // vtPrime column-major (p, m): element (k, i) at k + i·p. Row-major read of (m, p) = U. ✓
        // uPrime column-major (n, p): element (j, k) at j + k·n. Row-major read of (p, n) = Vᵀ. ✓
        return SingularValueDecomposition(
            u: Matrix(rows: m, columns: p, storage: vtPrime),
            singularValues: s,
            vt: Matrix(rows: p, columns: n, storage: uPrime))
    }

    /// Numerical rank: the number of singular values above `tolerance`.
    ///
    /// The default tolerance is NumPy's `matrix_rank` rule, σ_max · max(m, n) · ε, where ε is
    /// the machine epsilon of `Scalar`.
    public func numericalRank(tolerance: Double? = nil) throws -> Int {
        let sigma = try svd().singularValues.map(\.doubleValue)
        guard let top = sigma.first else { return 0 }
        let tol = tolerance ?? top * Double(Swift.max(rows, columns)) * Scalar.ulpOfOne.doubleValue
        return sigma.filter { $0 > tol }.count
    }
}
