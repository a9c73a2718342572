// Solution 03 · chapter 03 (ch03-forward-pass): the LoRA forward pass as B(Ax)
import LoRA

/// y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ for x (n, in), W0 (out, in), A (r, in), B (out, r).
public func loraForward(x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    var y = x.matmul(w0, transposeB: true)  // (n, in)·(in, out) → (n, out)
    // Down: (n, in)·Aᵀ (in, r) → (n, r). Only r numbers per example survive this step.
    let down = x.matmul(a, transposeB: true)
    // Up, scaled and accumulated into y in one GEMM: y ← s·down·Bᵀ + 1·y, (n, r)·(r, out).
    // Both products are thin: 2·n·r·(in + out) FLOPs (a multiply-add counts as 2), against
    // 2·out·r·in FLOPs just to form B·A.
    Matrix.gemm(down, b, transposeB: true, alpha: scale, beta: 1, into: &y)
    return y
}
