// Exercise 18 · chapter 04 (ch04-initialisation): PiSSA's initialisation
//
// PEFT's default starts with B = 0. PiSSA (Meng et al., 2024; PEFT's init_lora_weights="pissa")
// starts instead with the adapter holding W0's r strongest singular directions, and the frozen
// weight holding the rest, so the layer still computes W0·x at step 0:
//
//   W0 = U·Σ·Vᵀ                      (Matrix has `svd()`: u, singularValues, vt)
//   A  = √(Σ_r / s) · V_rᵀ    (r, in)     the singular values split evenly between A and B,
//   B  = U_r · √(Σ_r / s)     (out, r)    so that s·B·A = U_r·Σ_r·V_rᵀ
//   W_res = W0 − s·B·A        (out, in)   what the frozen base keeps
//
// The check compares s·B·A and W_res with LoRALinear's .pissa initialisation, and checks the
// even split through A·Aᵀ = Bᵀ·B = diag(σᵢ/s) (which does not depend on the signs the SVD picks).
//
// What to do: return A, B and the residual weight.
// Check: swift run exercises 18         Stuck? swift run exercises 18 --hint
import LoRA

/// PiSSA's A (r, in), B (out, r) and residual weight (out, in) for a weight W0 (out, in).
public func pissaInitialization(weight: Matrix<Float>, rank: Int, scale: Float) throws -> (a: Matrix<Float>, b: Matrix<Float>, residual: Matrix<Float>) {
    // TODO: take W0's SVD and build A, B and W0 − s·B·A. These placeholders have the right shapes only.
    return (a: .zeros(rank, weight.columns), b: .zeros(weight.rows, rank), residual: weight)
}
