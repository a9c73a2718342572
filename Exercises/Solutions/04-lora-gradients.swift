// Solution 04 · chapter 04 (ch04-initialisation): ∂L/∂A and ∂L/∂B by hand
import LoRA

/// Gradients of L with respect to A and B, given ∂L/∂y.
public func loraGradients(
    x: Matrix<Double>, a: Matrix<Double>, b: Matrix<Double>, scale: Double, outputGradient dy: Matrix<Double>
) -> (a: Matrix<Double>, b: Matrix<Double>) {
    // Forward: u = x·Aᵀ (n, r), y = x·W0ᵀ + s·u·Bᵀ (n, out).
    let u = x.matmul(a, transposeB: true)
    // y depends on B through s·u·Bᵀ, so ∂L/∂B = s·dyᵀ·u: (out, n)·(n, r) → (out, r).
    let dB = dy.matmul(u, transposeSelf: true, alpha: scale)
    // ... and on u through the same term: ∂L/∂u = s·dy·B: (n, out)·(out, r) → (n, r).
    let dU = dy.matmul(b, alpha: scale)
    // u = x·Aᵀ, so ∂L/∂A = (∂L/∂u)ᵀ·x: (r, n)·(n, in) → (r, in).
    let dA = dU.matmul(x, transposeSelf: true)
    // At B = 0, ∂L/∂u = 0 and therefore ∂L/∂A = 0, while ∂L/∂B = s·dyᵀ·x·Aᵀ ≠ 0 because A is
    // random: under PEFT's default init only B moves at the first step.
    return (a: dA, b: dB)
}
