// Solution 01 · chapter 01 (ch01-low-rank-update): the low-rank update ΔW = B·A
import LoRA

/// ΔW = B·A for A (r, in) and B (out, r); the result is (out, in).
public func lowRankUpdate(a: Matrix<Float>, b: Matrix<Float>) -> Matrix<Float> {
    // B (out, r) · A (r, in) → (out, in): the weight's own shape, so W0 + ΔW is defined.
    // The product goes through BLAS GEMM; nothing is transposed or copied.
    b.matmul(a)
}

/// The largest rank ΔW = B·A can have for rank r on an (out, in) weight.
public func updateRankBound(rank: Int, outFeatures: Int, inFeatures: Int) -> Int {
    // Every column of B·A is a combination of B's r columns, so rank(B·A) ≤ r; and no matrix
    // has more independent rows or columns than it has rows or columns. With r ≪ min(out, in)
    // the bound is r: this is the whole "low rank" in LoRA.
    min(rank, outFeatures, inFeatures)
}
