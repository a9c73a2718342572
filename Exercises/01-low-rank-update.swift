// Exercise 01 · chapter 01 (ch01-low-rank-update): the low-rank update ΔW = B·A
//
// LoRA leaves the pretrained weight W0 (out, in) frozen and learns ΔW as a product of two thin
// matrices: A (r, in) projects down from `in` to r, B (out, r) projects back up.
//
//   W = W0 + ΔW,   ΔW = B·A   (out, r)·(r, in) → (out, in)
//
// What to do: return B·A, and the largest rank such a product can have.
// Check: swift run exercises 1          Stuck? swift run exercises 1 --hint
import LoRA

/// ΔW = B·A for A (r, in) and B (out, r); the result is (out, in).
public func lowRankUpdate(a: Matrix<Float>, b: Matrix<Float>) -> Matrix<Float> {
    // TODO: multiply B by A (Matrix has `matmul`). This placeholder has the right shape only.
    return .zeros(b.rows, a.columns)
}

/// The largest rank ΔW = B·A can have for rank r on an (out, in) weight.
public func updateRankBound(rank: Int, outFeatures: Int, inFeatures: Int) -> Int {
    // TODO: a product has no larger rank than any of its factors' dimensions.
    return 0
}
