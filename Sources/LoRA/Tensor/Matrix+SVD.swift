/// The thin singular value decomposition M = U·diag(σ)·Vᵀ (see ``Matrix/svd()``).
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
    /// LAPACK returned a non-zero `info` (kept for callers of ``BLASScalar/gesdd(jobz:m:n:a:lda:s:u:ldu:vt:ldvt:work:lwork:iwork:)``).
    case lapackFailed(routine: String, info: Int)
    /// The input held NaN or infinity.
    case nonFiniteInput(String)

    /// What failed, in one line.
    public var description: String {
        switch self {
        case .lapackFailed(let routine, let info): "\(routine) failed with info = \(info)"
        case .nonFiniteInput(let what): "\(what) contains NaN or infinity"
        }
    }
}

extension Matrix {
    /// The thin SVD M = U·diag(σ)·Vᵀ, σ descending, by one-sided Jacobi rotations in `Double`.
    ///
    /// One-sided Jacobi (Hestenes 1958) orthogonalises the columns of A (A = M, or Mᵀ when M is
    /// wide) by plane rotations, A·V = W, sweeping the pairs (i, j), i < j, in order:
    /// ```
    /// α = ‖wᵢ‖²,  β = ‖wⱼ‖²,  γ = wᵢ·wⱼ          rotate when |γ| > √L·ε·√(α·β)
    /// ζ = (β − α)/(2γ),  t = sign(ζ)/(|ζ| + √(1 + ζ²)),  c = 1/√(1 + t²),  s = c·t
    /// (wᵢ, wⱼ) ← (c·wᵢ − s·wⱼ,  s·wᵢ + c·wⱼ),   the same on V's columns
    /// ```
    /// until a sweep rotates nothing. Then σᵢ = ‖wᵢ‖, uᵢ = wᵢ/σᵢ, and A = U·diag(σ)·Vᵀ.
    /// Every step is a fixed sequence of IEEE operations (no BLAS, no LAPACK, no threads), so the
    /// factors are the same bits on every machine, which LAPACK's `?gesdd` (blocked, calling BLAS)
    /// does not promise. Jacobi also computes small singular values to high relative accuracy
    /// (Demmel & Veselić 1992). Columns of U for σ = 0 complete an orthonormal basis (Gram–Schmidt
    /// on e₁, e₂, …).
    /// - Throws: ``LinearAlgebraError/nonFiniteInput(_:)`` when the input is not finite.
    /// - Complexity: O(sweeps · m·n·min(m, n)), with typically 5–10 sweeps; meant for the small
    ///   matrices of the chapters and tests (up to a few hundred rows and columns).
    public func svd() throws -> SingularValueDecomposition<Scalar> {
        guard isFinite else { throw LinearAlgebraError.nonFiniteInput("matrix \(shapeDescription)") }
        let (m, n) = (rows, columns)
        let p = Swift.min(m, n)
        if p == 0 {
            return SingularValueDecomposition(u: .zeros(m, 0), singularValues: [], vt: .zeros(0, n))
        }
        let wide = m < n
        let length = Swift.max(m, n)
        // w: the p columns of A = (wide ? Mᵀ : M), each of `length` entries, column after column.
        var w = [Double](repeating: 0, count: p * length)
        for i in 0..<m {
            for j in 0..<n {
                let value = storage[i * n + j].doubleValue
                if wide { w[i * length + j] = value } else { w[j * length + i] = value }
            }
        }
        let jacobi = JacobiSVD(columns: w, count: p, length: length)
        let (sigma, left, right) = (jacobi.singularValues, jacobi.leftVectors, jacobi.rightVectors)
        // left: p columns of length `length` (U of A); right: p columns of length p (V of A).
        // M = A = U·Σ·Vᵀ, or M = Aᵀ = V·Σ·Uᵀ when wide.
        let u = Matrix(rows: m, columns: p) { i, k in
            Scalar(wide ? right[k * p + i] : left[k * length + i])
        }
        let vt = Matrix(rows: p, columns: n) { k, j in
            Scalar(wide ? left[k * length + j] : right[k * p + j])
        }
        return SingularValueDecomposition(u: u, singularValues: sigma.map { Scalar($0) }, vt: vt)
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
