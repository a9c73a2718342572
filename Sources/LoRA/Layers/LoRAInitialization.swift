/// How A and B start (PEFT's `init_lora_weights`).
///
/// | scheme | A (r, in) | B (out, r) | output unchanged at step 0 |
/// |---|---|---|---|
/// | `.kaimingUniform` (default) | U(−1/√in, 1/√in) | 0 | yes |
/// | `.gaussian` | N(0, (1/r)²) | 0 | yes |
/// | `.swappedZeroA` (the seed's) | 0 | N(0, (1/r)²) | yes |
/// | `.pissa` | √(σ/s)·Vᵀ of W0's top r | U·√(σ/s) | yes (W0 keeps the residual) |
///
/// The default matches PEFT and loralib (Kaiming-uniform with a = √5, which is exactly
/// U(−1/√in, 1/√in)). The seed article swaps A and B; ``swappedZeroA`` exists to show what that
/// changes (only A gets a gradient at step 0), never as a default.
public enum LoRAInitialization: String, Sendable, CaseIterable, Codable {
    case kaimingUniform = "default"
    case gaussian
    case swappedZeroA = "swapped"
    case pissa
}

/// The scaling s that multiplies ΔW = B·A.
///
/// ```
/// s = α / r      (LoRA, Hu et al. 2021)
/// s = α / √r     (rsLoRA, Kalajdzievski 2023)
/// ```
public enum LoRAScaling: String, Sendable, Codable {
    case standard
    case rankStabilized

    /// The factor s for rank `r` and `alpha`.
    public func factor(rank r: Int, alpha: Double) -> Double {
        switch self {
        case .standard: alpha / Double(r)
        case .rankStabilized: alpha / Double(r).squareRoot()
        }
    }
}
