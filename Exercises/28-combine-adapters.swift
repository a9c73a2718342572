// Exercise 28 · chapter 15 (ch15-combining-and-serving): combining adapters as PEFT does
//
// PEFT's add_weighted_adapter builds one adapter from several, with weights wᵢ. Two of its
// combination types (adapter i has factors Aᵢ (rᵢ, in), Bᵢ (out, rᵢ) and scale sᵢ):
//
//   "cat":     A = [w₁s₁A₁; w₂s₂A₂; …]  (Σrᵢ, in)   the A's stacked by rows, weighted, scaled
//              B = [B₁ B₂ …]           (out, Σrᵢ)  the B's side by side
//              new scale 1, so B·A = Σ wᵢsᵢBᵢAᵢ exactly: the weighted sum of the updates.
//   "linear":  cᵢ = wᵢsᵢ,  A = Σ sign(cᵢ)·√|cᵢ|·Aᵢ,  B = Σ √|cᵢ|·Bᵢ,  new scale 1
//              only for equal ranks; B·A then also has cross terms sign(cᵢ)·√|cᵢcⱼ|·Bⱼ·Aᵢ (i ≠ j),
//              so it is NOT the weighted sum of the updates.
//
// A LoRABranch has `a`, `b`, `rank` and `hyperparameters.scale` (a Double).
//
// What to do: return the combined (A, B) for "cat", and for "linear" (nil unless ranks are equal).
// Check: swift run exercises 28         Stuck? swift run exercises 28 --hint
import LoRA

/// PEFT's "cat" combination: (A, B) with scale 1.
public func combineCat(_ adapters: [LoRABranch<Float>], weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>) {
    // TODO: stack the weighted, scaled A's by rows and place the B's side by side.
    return (a: .zeros(0, 0), b: .zeros(0, 0))
}

/// PEFT's "linear" combination: (A, B) with scale 1, or nil when the ranks differ.
public func combineLinear(_ adapters: [LoRABranch<Float>], weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>)? {
    // TODO: check the ranks, then sum the factors with √|cᵢ| (and the sign of cᵢ on A).
    return nil
}
