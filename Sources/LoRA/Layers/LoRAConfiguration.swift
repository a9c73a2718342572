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

/// The hyper-parameters of one LoRA adapter (PEFT's `LoraConfig` for a single layer).
///
/// Defaults follow PEFT: r = 8, α = 8 (s = 1), dropout 0, Kaiming-uniform A and zero B.
public struct LoRAHyperparameters: Sendable, Equatable, Codable {
    /// The rank r of ΔW = B·A.
    public var rank: Int
    /// α in s = α/r.
    public var alpha: Double
    /// Dropout probability on the LoRA branch's input, in [0, 1).
    public var dropout: Double
    /// α/r or α/√r.
    public var scaling: LoRAScaling
    /// How A and B start.
    public var initialization: LoRAInitialization

    /// Hyper-parameters with PEFT's defaults unless given; call ``validate(inFeatures:outFeatures:)``
    /// (layers do) before use.
    public init(
        rank: Int = 8, alpha: Double = 8, dropout: Double = 0, scaling: LoRAScaling = .standard,
        initialization: LoRAInitialization = .kaimingUniform
    ) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.scaling = scaling
        self.initialization = initialization
    }

    /// s = α/r or α/√r.
    public var scale: Double { scaling.factor(rank: rank, alpha: alpha) }

    /// Checks the values against a layer of shape (out, in).
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` naming the bad value.
    public func validate(inFeatures: Int, outFeatures: Int) throws {
        guard rank > 0 else { throw LoRAError.invalidConfiguration("rank r must be positive, got \(rank)") }
        guard rank <= min(inFeatures, outFeatures) else {
            throw LoRAError.invalidConfiguration(
                "rank r = \(rank) exceeds min(in, out) = \(min(inFeatures, outFeatures)) for a (\(outFeatures), \(inFeatures)) weight")
        }
        guard alpha > 0, alpha.isFinite else { throw LoRAError.invalidConfiguration("alpha must be a positive number, got \(alpha)") }
        guard dropout >= 0, dropout < 1 else { throw LoRAError.invalidConfiguration("dropout must be in [0, 1), got \(dropout)") }
    }
}

/// Errors a user can cause with LoRA layers.
public enum LoRAError: Error, Equatable, CustomStringConvertible {
    /// A hyper-parameter is out of range.
    case invalidConfiguration(String)
    /// Merging adapter `adapter` would write NaN or infinity into the base weight.
    case nonFiniteMerge(adapter: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid LoRA configuration: \(why)"
        case .nonFiniteMerge(let adapter):
            "safe merge refused: merging adapter '\(adapter)' would put NaN or infinity into the base weight"
        }
    }
}
