// Solution 19 · chapter 05 (ch05-scaling): how ΔW grows with s (predict, then run)
import LoRA

/// Your prediction: p in ‖ΔW‖ ∝ sᵖ after one plain SGD step from B = 0.
public let predictedSGDExponent: Double = 2
/// Your prediction: p in ‖ΔW‖ ∝ sᵖ after one Adam step from B = 0.
public let predictedAdamExponent: Double = 1
// SGD: the gradient of B carries one s (the loss sees B only through s·B·A), and the model sees
// the moved B through s·B·A again: s². Adam divides each gradient by its own running magnitude,
// so its first step is about η·sign(g) whatever s is, and the model sees s times that: s¹.
// So α/r works as a learning-rate multiplier for Adam, and as its square for SGD.

/// ΔW after one SGD step from B = 0, for x (n, in), A (r, in), dy (n, out): an (out, in) matrix.
public func sgdFirstStepDeltaWeight(x: Matrix<Double>, a: Matrix<Double>, outputGradient dy: Matrix<Double>, scale: Double, learningRate: Double) -> Matrix<Double> {
    // The branch's input to B: u = x·Aᵀ, (n, r).
    let u = x.matmul(a, transposeB: true)
    // B₁ = 0 − η·∂L/∂B = −η·s·dyᵀ·u, (out, r): the step and the scale fold into GEMM's alpha.
    let movedB = dy.matmul(u, transposeSelf: true, alpha: -learningRate * scale)
    // A has not moved (its gradient s·(dy·B)ᵀ·x is 0 while B = 0), so ΔW₁ = s·B₁·A, (out, in):
    // −η·s²·dyᵀ·x·Aᵀ·A. Both factors of s are visible here.
    return movedB.matmul(a, alpha: scale)
}
