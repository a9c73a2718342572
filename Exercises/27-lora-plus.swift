// Exercise 27 · chapter 14 (ch14-dora-and-loraplus): LoRA+ learning rates
//
// LoRA trains A and B with one learning rate. LoRA+ (Hayou et al., 2024) argues that with
// B = 0 at the start and wide layers, B should learn faster than A, and gives B the learning
// rate λ·η while A keeps η (PEFT: create_loraplus_optimizer(loraplus_lr_ratio=λ)). Everything
// else is AdamW as usual, so with λ = 1 LoRA+ is plain AdamW.
//
// The library's AdamW keeps m and v per named tensor:
//   optimizer.update(&parameter, name: "…", gradient: g, learningRate: η)
//
// What to do: take one LoRA+ step of A and B with their gradients.
// Check: swift run exercises 27         Stuck? swift run exercises 27 --hint
import LoRA

/// One LoRA+ step: AdamW on A with learning rate η, on B with λ·η (`ratio` is λ).
public func loraPlusStep(a: inout Matrix<Float>, b: inout Matrix<Float>, gradientA: Matrix<Float>, gradientB: Matrix<Float>,
                         optimizer: inout AdamW<Float>, learningRate: Double, ratio: Double) {
    // TODO: update A at η and B at λ·η, each under its own name.
}
