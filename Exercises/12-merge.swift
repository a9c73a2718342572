// Exercise 12 · chapter 09 (ch09-merging): merge and unmerge
//
// For inference an adapter can be folded into the base weight, so the layer costs nothing
// extra:  W_merged = W0 + s·B·A  (out, in). Unmerging subtracts the same product, recomputed
// from A and B; it gives W0 back up to rounding. A merged layer's outputs must equal the
// unmerged LoRA forward (PEFT tests this with atol = rtol = 1e-4).
//
// What to do: return W + s·B·A, and W − s·B·A.
// Check: swift run exercises 12         Stuck? swift run exercises 12 --hint
import LoRA

/// W0 + s·B·A for W0 (out, in), A (r, in), B (out, r).
public func merge(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    // TODO: add s·B·A to the weight.
    return weight
}

/// W − s·B·A: the inverse of `merge`, up to rounding.
public func unmerge(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    // TODO: subtract s·B·A from the weight.
    return weight
}
