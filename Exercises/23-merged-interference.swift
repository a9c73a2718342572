// Exercise 23 · chapter 11 (ch11-rank-targets-limits): interference between merged adapters
//
// Chapter 11 trains two adapters on two tasks and merges both into one base,
// W = W0 + ΔW₁ + ΔW₂: each task loses accuracy. Here is why, in one layer. With both merged,
// task 1's inputs x meet ΔW₂ as well, which was never trained on them. How much that moves
// task 1's outputs, against how much adapter 1 itself moves them, is
//
//   interference(own, other, x) = ‖x·W_bothᵀ − x·(W0 + ΔW_own)ᵀ‖_F / ‖x·ΔW_ownᵀ‖_F
//
// It is 0 exactly when ΔW_other sends every input of this task to 0 (e.g. when the other
// adapter's A reads only input features this task never uses). A LoRABranch has
// `deltaWeight` (= s·B·A, out × in).
//
// What to do: merge both updates into W0, and compute the interference.
// Check: swift run exercises 23         Stuck? swift run exercises 23 --hint
import LoRA

/// W0 + ΔW₁ + ΔW₂: both adapters merged into one weight.
public func mergeBoth(weight: Matrix<Float>, first: LoRABranch<Float>, second: LoRABranch<Float>) -> Matrix<Float> {
    // TODO: add both adapters' updates.
    return weight
}

/// How much `own`'s task outputs (inputs x) move when `other` is merged in too, relative to
/// how much `own` moves them.
public func interference(weight: Matrix<Float>, own: LoRABranch<Float>, other: LoRABranch<Float>, inputs x: Matrix<Float>) -> Double {
    // TODO: compare x through W_both with x through W0 + ΔW_own, relative to x through ΔW_own.
    return -1
}
