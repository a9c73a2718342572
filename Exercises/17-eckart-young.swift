// Exercise 17 · chapter 01 (ch01-low-rank-update): the Eckart–Young floor (predict, then run)
//
// Chapter 01 trains LoRA of rank r on an update ΔW* (32, 48) whose singular values are
// σ = 4, 3, 2, 1 (true rank 4). No rank-r matrix M can be closer to ΔW* than the truncated SVD
// M_r = U_r·diag(σ₁…σ_r)·V_rᵀ (Eckart and Young, 1936), and the distance it leaves is
//
//   min over rank M ≤ r of ‖M − ΔW*‖_F  =  √(Σ_{i>r} σᵢ²)
//
// Predict first, then run: before running anything, write down how far the best rank-2 matrix
// is from ΔW*. The check builds ΔW* with the library, measures the distance and compares.
//
// What to do: (1) replace .nan with your prediction; (2) return the truncated SVD; (3) return
// the formula's value for a list of singular values (descending) and a rank r.
// Check: swift run exercises 17         Stuck? swift run exercises 17 --hint
import LoRA

/// Your prediction: min over rank-2 matrices M of ‖M − ΔW*‖_F, for σ(ΔW*) = 4, 3, 2, 1.
public let predictedRank2Residual: Double = .nan  // TODO: your prediction, before running the check

/// The best rank-r approximation of m in the Frobenius norm (the truncated SVD).
public func bestRankApproximation(_ m: Matrix<Double>, rank: Int) throws -> Matrix<Double> {
    // TODO: keep the r largest singular triplets of m (Matrix has `svd()`).
    return .zeros(m.rows, m.columns)
}

/// √(Σ_{i>r} σᵢ²) for singular values σ in descending order.
public func eckartYoungResidual(singularValues: [Double], rank: Int) -> Double {
    // TODO: the singular values after the first r, squared, summed, square-rooted.
    return 0
}
