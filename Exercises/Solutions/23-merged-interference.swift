// Solution 23 · chapter 11 (ch11-rank-targets-limits): interference between merged adapters
import LoRA

/// W0 + ΔW₁ + ΔW₂: both adapters merged into one weight.
public func mergeBoth(weight: Matrix<Float>, first: LoRABranch<Float>, second: LoRABranch<Float>) -> Matrix<Float> {
    // Merging is addition, and addition does not ask whether the two updates get in each
    // other's way: that is the whole problem.
    weight + first.deltaWeight + second.deltaWeight
}

/// How much `own`'s task outputs (inputs x) move when `other` is merged in too, relative to
/// how much `own` moves them.
public func interference(weight: Matrix<Float>, own: LoRABranch<Float>, other: LoRABranch<Float>, inputs x: Matrix<Float>) -> Double {
    let both = mergeBoth(weight: weight, first: own, second: other)
    let ownOnly = weight + own.deltaWeight
    // What the task sees with both merged, minus what its own adapter gives: exactly x·ΔW_otherᵀ.
    let extra = x.matmul(both, transposeB: true) - x.matmul(ownOnly, transposeB: true)
    // What the task's own adapter contributes on the same inputs: the signal the extra competes with.
    let signal = x.matmul(own.deltaWeight, transposeB: true)
    // ~0: the other adapter is invisible to this task; ~1 or more: it changes the outputs as
    // much as the adapter trained for them. Chapter 11's merged pair sits in the second regime.
    return extra.frobeniusNorm / signal.frobeniusNorm
}
