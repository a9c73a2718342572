// Exercise 05 · chapter 04 (ch04-initialisation): PEFT's default initialisation
//
// PEFT (and loralib) start A with Kaiming-uniform, a = √5, which for a (r, in) matrix is
// U(−1/√in, +1/√in), and B with zeros. Then ΔW = s·B·A = 0: the adapted model starts exactly
// where the pretrained one is, and A being random means B gets a gradient at once.
//
// What to do: return A and B initialised that way, drawing from `generator` only.
// Check: swift run exercises 5          Stuck? swift run exercises 5 --hint
import LoRA

/// A (r, in) ~ U(−1/√in, 1/√in) and B (out, r) = 0.
public func defaultInitialization(
    rank: Int, inFeatures: Int, outFeatures: Int, using generator: inout SeededGenerator
) -> (a: Matrix<Float>, b: Matrix<Float>) {
    // TODO: make A random (uniform, bound 1/√in) from `generator`; keep B at zero.
    return (a: .zeros(rank, inFeatures), b: .zeros(outFeatures, rank))
}
