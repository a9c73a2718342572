// Solution 18 · chapter 04 (ch04-initialisation): PiSSA's initialisation
import LoRA

/// PiSSA's A (r, in), B (out, r) and residual weight (out, in) for a weight W0 (out, in).
public func pissaInitialization(weight: Matrix<Float>, rank: Int, scale: Float) throws -> (a: Matrix<Float>, b: Matrix<Float>, residual: Matrix<Float>) {
    // W0 = U·diag(σ)·Vᵀ with σ descending: the first r triplets are W0's strongest directions.
    let svd = try weight.svd()
    // √(σᵢ/s) on each side: s·B·A = s·U_r·√(Σ/s)·√(Σ/s)·V_rᵀ = U_r·Σ_r·V_rᵀ. Splitting evenly
    // gives A and B the same size, so neither factor's gradient dwarfs the other's.
    let roots = svd.singularValues.prefix(rank).map { ($0 / scale).squareRoot() }
    let a = Matrix<Float>(rows: rank, columns: weight.columns) { i, j in roots[i] * svd.vt[i, j] }
    let b = Matrix<Float>(rows: weight.rows, columns: rank) { i, j in svd.u[i, j] * roots[j] }
    // The base keeps the rest: W_res = W0 − s·B·A, the directions after the r-th. The layer's
    // output W_res·x + s·B·A·x is W0·x again (up to rounding), so step 0 changes nothing —
    // but unlike B = 0, both factors start non-zero and both get gradients at once.
    var residual = weight
    Matrix.gemm(b, a, alpha: -scale, beta: 1, into: &residual)
    return (a: a, b: b, residual: residual)
}
