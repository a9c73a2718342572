// Exercise 04 · chapter 04 (ch04-initialisation): ∂L/∂A and ∂L/∂B by hand
//
// Let u = x·Aᵀ (n, r) and y = x·W0ᵀ + s·u·Bᵀ (n, out). You are given dy = ∂L/∂y (n, out).
// W0 is frozen; only A and B get gradients. Derive them with the chain rule and return them.
// The check compares them with central differences in Double (relative error ≤ 1e-6), once
// with B ≠ 0 and once with B = 0 — look at what ∂L/∂A is at B = 0: that is why only B moves
// at the first step under PEFT's default initialisation.
//
// What to do: return (∂L/∂A (r, in), ∂L/∂B (out, r)).
// Check: swift run exercises 4          Stuck? swift run exercises 4 --hint
import LoRA

/// Gradients of L with respect to A and B, given ∂L/∂y.
public func loraGradients(
    x: Matrix<Double>, a: Matrix<Double>, b: Matrix<Double>, scale: Double, outputGradient dy: Matrix<Double>
) -> (a: Matrix<Double>, b: Matrix<Double>) {
    // TODO: replace these zeros with the chain rule's answer.
    return (a: .zeros(a.rows, a.columns), b: .zeros(b.rows, b.columns))
}
