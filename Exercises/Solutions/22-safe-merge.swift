// Solution 22 · chapter 09 (ch09-merging): a safe merge
import LoRA

/// W ← W + s·B·A unless a merged weight would be NaN or ±∞; whether it merged.
public func safeMerge(_ weight: inout Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Bool {
    // Merge into a copy: the caller's weight is not touched until we know the result is good.
    // (Matrix is a value type, so `candidate` is a copy; the GEMM writes only into it.)
    var candidate = weight
    Matrix.gemm(b, a, alpha: scale, beta: 1, into: &candidate)
    // Check the result, not the inputs: finite factors can still overflow in the product, and
    // a NaN anywhere in A or B shows up in the result anyway.
    guard candidate.isFinite else { return false }
    weight = candidate
    return true
}
