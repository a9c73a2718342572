// Exercise 29 · chapter 15 (ch15-combining-and-serving): several adapters in one batch
//
// One frozen base can serve many adapters at once: the requests in a batch each name their
// adapter (PEFT: model(x, adapter_names=[…]), "__base__" for none). Every row needs the base,
// so the base runs once for the whole batch; only the small branches differ per row:
//
//   yᵢ = base(xᵢ) + s_k·(xᵢ·A_kᵀ)·B_kᵀ     k = adapterOfRow[i]   (nil: base(xᵢ) alone)
//
// Each row's result must equal running its adapter alone (LoRALinear(base:branch:).forward),
// which is what the check compares with. A LoRABranch has `a`, `b` and `scale`.
//
// What to do: compute the batch's outputs.
// Check: swift run exercises 29         Stuck? swift run exercises 29 --hint
import LoRA

/// y for x (n, in) where row i uses adapters[adapterOfRow[i]], or the base alone when nil.
public func mixedBatchForward(x: Matrix<Float>, base: Linear<Float>, adapters: [LoRABranch<Float>], adapterOfRow: [Int?]) -> Matrix<Float> {
    // TODO: add each row's adapter branch. This placeholder is the base's output for every row.
    return base.forward(x)
}
