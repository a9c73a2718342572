/// The hyper-parameters of one LoRA adapter (PEFT's `LoraConfig` for a single layer).
///
/// Defaults follow PEFT: r = 8, α = 8 (s = 1), dropout 0, Kaiming-uniform A and zero B.
/// ``validate(inFeatures:outFeatures:)`` is the one check of these values: layer constructors
/// call it, and ``AdapterConfig`` maps its errors to the config field they concern.
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
    /// The LoRA variant, or nil for plain LoRA: the one variant setting (PEFT turns each on
    /// with its own boolean field, `use_dora` or `lora_bias`, and refuses two at once).
    public var variant: LoRAVariantKind?

    /// Whether ``variant`` is DoRA (PEFT's `use_dora`).
    public var useDoRA: Bool {
        get { variant == .dora }
        set { variant = newValue ? .dora : (variant == .dora ? nil : variant) }
    }

    /// Hyper-parameters with PEFT's defaults unless given; layers validate them.
    ///
    /// - Parameters:
    ///   - rank: r, 1 ≤ r ≤ min(in, out) of the layer it adapts (PEFT's `r`, default 8).
    ///   - alpha: α > 0 (PEFT's `lora_alpha`, default 8, so s = 1 at r = 8).
    ///   - dropout: p ∈ [0, 1) on the branch's input (PEFT's `lora_dropout`, default 0).
    ///   - scaling: α/r, or α/√r for rsLoRA (PEFT's `use_rslora`).
    ///   - initialization: how A and B start (PEFT's `init_lora_weights`).
    ///   - variant: a registered LoRA variant (``LoRAVariantKind/dora``, ``LoRAVariantKind/loraBias``),
    ///     or nil for plain LoRA (the default).
    public init(
        rank: Int = 8, alpha: Double = 8, dropout: Double = 0, scaling: LoRAScaling = .standard,
        initialization: LoRAInitialization = .kaimingUniform, variant: LoRAVariantKind? = nil
    ) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.scaling = scaling
        self.initialization = initialization
        self.variant = variant
    }

    /// The same with `useDoRA` spelled as PEFT's `use_dora`: DoRA when true, plain LoRA when false.
    public init(
        rank: Int = 8, alpha: Double = 8, dropout: Double = 0, scaling: LoRAScaling = .standard,
        initialization: LoRAInitialization = .kaimingUniform, useDoRA: Bool
    ) {
        self.init(rank: rank, alpha: alpha, dropout: dropout, scaling: scaling, initialization: initialization,
                  variant: useDoRA ? .dora : nil)
    }

    /// s = α/r or α/√r.
    public var scale: Double { scaling.factor(rank: rank, alpha: alpha) }

    /// Checks the values on their own (no layer shape yet).
    /// - Throws: ``LoRAError/rankNotPositive(_:)``, ``LoRAError/alphaNotPositive(_:)``,
    ///   ``LoRAError/dropoutOutOfRange(_:)``, or ``LoRAError/variantUnsupported(variant:reason:)``
    ///   when the variant refuses the other values.
    public func validate() throws(LoRAError) {
        guard rank > 0 else { throw .rankNotPositive(rank) }
        guard alpha > 0, alpha.isFinite else { throw .alphaNotPositive(alpha) }
        guard dropout >= 0, dropout < 1 else { throw .dropoutOutOfRange(dropout) }
        try variant?.recipe.validate(self)
    }

    /// Checks the values against a layer of shape (out, in).
    /// - Throws: what ``validate()`` throws, or ``LoRAError/rankTooLarge(rank:limit:)`` when
    ///   r > min(in, out).
    public func validate(inFeatures: Int, outFeatures: Int) throws(LoRAError) {
        try validate()
        let limit = min(inFeatures, outFeatures)
        guard rank <= limit else { throw .rankTooLarge(rank: rank, limit: limit) }
    }
}
