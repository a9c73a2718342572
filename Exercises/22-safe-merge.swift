// Exercise 22 · chapter 09 (ch09-merging): a safe merge
//
// A merge writes W ← W + s·B·A into the base weight. If the adapter is broken (a NaN from a
// diverged run, or factors so large that their product overflows float32), a plain merge
// poisons the base for good: one NaN in B spreads along a whole row of B·A. PEFT's
// merge(safe_merge=True) and the library's LoRALinear.merge(safe: true) merge into a copy first
// and refuse when any merged weight is NaN or infinite, leaving W exactly as it was.
//
// Note that finite A and B are not enough: 1e20 · 1e20 = 1e40 is not a float32.
//
// What to do: merge into `weight` and return true, or return false and leave `weight` untouched.
// Check: swift run exercises 22         Stuck? swift run exercises 22 --hint
import LoRA

/// W ← W + s·B·A unless a merged weight would be NaN or ±∞; whether it merged.
public func safeMerge(_ weight: inout Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Bool {
    // TODO: merge into a copy, check it, and write it back only when every entry is finite.
    return false
}
