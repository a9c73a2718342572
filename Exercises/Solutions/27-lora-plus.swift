// Solution 27 · chapter 14 (ch14-dora-and-loraplus): LoRA+ learning rates
import LoRA

/// One LoRA+ step: AdamW on A with learning rate η, on B with λ·η (`ratio` is λ).
public func loraPlusStep(a: inout Matrix<Float>, b: inout Matrix<Float>, gradientA: Matrix<Float>, gradientB: Matrix<Float>,
                         optimizer: inout AdamW<Float>, learningRate: Double, ratio: Double) {
    // Two names, two sets of moments: A's m and v must never mix with B's (they do not even
    // have the same shape). This is what PyTorch's two parameter groups do.
    optimizer.update(&a, name: "lora_A.weight", gradient: gradientA, learningRate: learningRate)
    // B alone gets λ·η. AdamW's decoupled weight decay uses the same rate, so B also decays
    // λ times faster, as it does in PEFT's LoRA+ optimizer (the decay is per parameter group).
    optimizer.update(&b, name: "lora_B.weight", gradient: gradientB, learningRate: ratio * learningRate)
}
