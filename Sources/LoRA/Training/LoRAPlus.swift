/// LoRA+ (Hayou, Ghosh & Yu 2024, "LoRA+: Efficient Low Rank Adaptation of Large Models"):
/// the same optimizer, with B's learning rate λ times A's (PEFT's `create_loraplus_optimizer`,
/// `peft/optimizers/loraplus.py`).
///
/// ```
/// η_A = η            lora_A and every other matrix parameter          (PEFT's "groupA")
/// η_B = λ·η          lora_B, and every vector parameter (1-D in PyTorch: biases, norm weights,
///                    DoRA's lora_magnitude_vector)                    (PEFT's "groupB")
/// ```
/// Why: with B = 0 at the start, only B gets a gradient (chapter 04), and in the infinite-width
/// analysis of the paper A and B need step sizes of different orders for the features to learn
/// efficiently; a single η is either too small for B or too large for A. The paper suggests
/// λ ≈ 16 (2⁴); PEFT's docstring asks λ ≥ 1 and a base η somewhat below plain LoRA's.
///
/// With λ = 1 this is the wrapped optimizer, bit for bit (tested). The wrapped optimizer's own
/// weight decay applies to every group; PEFT's `create_loraplus_optimizer` sets one
/// `loraplus_weight_decay` (default 0.0) on every group and 0 on biases and norm weights, which
/// LoRA training here never trains. PEFT gives trainable embeddings their own rate
/// (`loraplus_lr_embedding`, 1e-6); the package's LoRA models never train embeddings.
///
/// Vectors are recognised by shape: this library stores them as (1, n) rows. A dense layer with
/// a single output feature would be read as one; none of the package's models has one.
public struct LoRAPlus<Inner: Optimizer>: Optimizer {
    public typealias Scalar = Inner.Scalar
    /// The optimizer that does the updates (AdamW in PEFT's examples).
    public var inner: Inner
    /// λ = η_B / η_A (PEFT's `loraplus_lr_ratio`).
    public let ratio: Double

    /// LoRA+ around `inner` with η_B = `ratio`·η_A.
    /// - Precondition: `ratio` > 0 and finite.
    public init(_ inner: Inner, ratio: Double) {
        precondition(ratio > 0 && ratio.isFinite, "LoRAPlus: the learning-rate ratio λ must be positive, got \(ratio)")
        self.inner = inner
        self.ratio = ratio
    }

    /// Whether the parameter `name` (shape of `value`) takes B's rate: `lora_B` in its name, or a
    /// vector (PEFT: `"lora_B" in name or param.ndim == 1`).
    public static func takesRatio(_ name: String, _ value: Matrix<Scalar>) -> Bool {
        name.contains("lora_B") || (value.rows == 1 && !name.contains("lora_A"))
    }

    /// One update at `learningRate`, or at λ·`learningRate` for B and vectors.
    public mutating func update(_ parameter: inout Matrix<Scalar>, name: String, gradient: Matrix<Scalar>, learningRate: Double) {
        let rate = Self.takesRatio(name, parameter) ? learningRate * ratio : learningRate
        inner.update(&parameter, name: name, gradient: gradient, learningRate: rate)
    }

    /// The wrapped optimizer's state (LoRA+ adds none).
    public var stateTensors: [NamedTensor<Scalar>] { inner.stateTensors }
}
