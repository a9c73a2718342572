// Solution 17 · chapter 01 (ch01-low-rank-update): the Eckart–Young floor (predict, then run)
import LoRA

/// Your prediction: min over rank-2 matrices M of ‖M − ΔW*‖_F, for σ(ΔW*) = 4, 3, 2, 1.
public let predictedRank2Residual: Double = 2.236
// The best rank-2 matrix keeps σ₁ = 4 and σ₂ = 3 and drops σ₃ = 2 and σ₄ = 1, so the distance
// is √(2² + 1²) = √5 ≈ 2.236. Neither the shape (32, 48) nor the singular vectors enter: only
// the tail of the spectrum. Relative to ‖ΔW*‖_F = √30 that is 41 %.

/// The best rank-r approximation of m in the Frobenius norm (the truncated SVD).
public func bestRankApproximation(_ m: Matrix<Double>, rank: Int) throws -> Matrix<Double> {
    let svd = try m.svd()
    let r = min(rank, svd.singularValues.count)
    // U_r·diag(σ): the first r columns of U, each scaled by its singular value, (rows, r).
    let scaledLeft = Matrix<Double>(rows: m.rows, columns: r) { i, j in svd.u[i, j] * svd.singularValues[j] }
    // V_rᵀ: the first r rows of Vᵀ, (r, columns). The product is a sum of r rank-1 terms
    // σᵢ·uᵢ·vᵢᵀ, the largest ones; Eckart–Young says no other rank-r matrix does better.
    let topRows = Matrix<Double>(rows: r, columns: m.columns) { i, j in svd.vt[i, j] }
    return scaledLeft.matmul(topRows)
}

/// √(Σ_{i>r} σᵢ²) for singular values σ in descending order.
public func eckartYoungResidual(singularValues: [Double], rank: Int) -> Double {
    // ‖M‖_F² = Σ σᵢ², and M − M_r has exactly the singular values σ_{r+1}, σ_{r+2}, …
    singularValues.dropFirst(rank).map { $0 * $0 }.reduce(0, +).squareRoot()
}
