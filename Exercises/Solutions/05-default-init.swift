// Solution 05 · chapter 04 (ch04-initialisation): PEFT's default initialisation
import LoRA

/// A (r, in) ~ U(−1/√in, 1/√in) and B (out, r) = 0.
public func defaultInitialization(
    rank: Int, inFeatures: Int, outFeatures: Int, using generator: inout SeededGenerator
) -> (a: Matrix<Float>, b: Matrix<Float>) {
    // PyTorch's kaiming_uniform_(a = √5) on a (r, in) matrix: gain = √(2 / (1 + a²)) = √(1/3),
    // bound = gain · √(3 / fan_in) = 1/√in. So A ~ U(−1/√in, 1/√in): x·Aᵀ has entries of
    // about the size of x's, whatever `in` is.
    let bound = Float(1 / Double(inFeatures).squareRoot())
    let a = Matrix<Float>.uniform(rank, inFeatures, low: -bound, high: bound, using: &generator)
    // B = 0 makes ΔW = s·B·A exactly zero: step 0 reproduces the pretrained model bit for bit.
    // Both factors cannot be zero: then both gradients vanish (exercise 04) and nothing learns.
    let b = Matrix<Float>.zeros(outFeatures, rank)
    return (a: a, b: b)
}
