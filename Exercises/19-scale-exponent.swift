// Exercise 19 · chapter 05 (ch05-scaling): how ΔW grows with s (predict, then run)
//
// The seed article says the effective learning rate is proportional to α/r (erratum 3). Test
// it on one step from PEFT's start (B = 0, A random), with scale s = α/r and learning rate η.
// If s doubles, ‖ΔW‖_F after the step grows by a factor 2ᵖ: what is p under plain SGD, and
// what is it under Adam?
//
// Predict first, then run: write both exponents before running anything. The check takes one
// step with the library's LoRALinear, SGDOptimizer and AdamW for s = 0.25 … 4, fits p and
// compares. Then derive the SGD step by hand: with u = x·Aᵀ and dy = ∂L/∂y,
//
//   ∂L/∂B = s·dyᵀ·u,   B₁ = −η·∂L/∂B,   ΔW₁ = s·B₁·A        (∂L/∂A = 0 while B = 0)
//
// What to do: (1) replace the two .nan with your predictions; (2) return ΔW₁.
// Check: swift run exercises 19         Stuck? swift run exercises 19 --hint
import LoRA

/// Your prediction: p in ‖ΔW‖ ∝ sᵖ after one plain SGD step from B = 0.
public let predictedSGDExponent: Double = .nan  // TODO: your prediction, before running the check
/// Your prediction: p in ‖ΔW‖ ∝ sᵖ after one Adam step from B = 0.
public let predictedAdamExponent: Double = .nan  // TODO: your prediction, before running the check

/// ΔW after one SGD step from B = 0, for x (n, in), A (r, in), dy (n, out): an (out, in) matrix.
public func sgdFirstStepDeltaWeight(x: Matrix<Double>, a: Matrix<Double>, outputGradient dy: Matrix<Double>, scale: Double, learningRate: Double) -> Matrix<Double> {
    // TODO: B₁ = −η·s·dyᵀ·(x·Aᵀ), then ΔW₁ = s·B₁·A.
    return .zeros(dy.columns, x.columns)
}
