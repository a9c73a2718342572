// Solution 12 · chapter 09 (ch09-merging): merge and unmerge
import LoRA

/// W0 + s·B·A for W0 (out, in), A (r, in), B (out, r).
public func merge(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    // This is the one place B·A is formed: once, at merge time, never per forward call.
    // GEMM with β = 1 accumulates s·B·A into the copy of W: (out, r)·(r, in) → (out, in).
    var w = weight
    Matrix.gemm(b, a, alpha: scale, beta: 1, into: &w)
    return w
}

/// W − s·B·A: the inverse of `merge`, up to rounding.
public func unmerge(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    // Subtracting the recomputed product gives W0 back only up to float32 rounding: (W0 + Δ) − Δ
    // need not equal W0 exactly. PEFT's tests accept 1e-4.
    var w = weight
    Matrix.gemm(b, a, alpha: -scale, beta: 1, into: &w)
    return w
}
