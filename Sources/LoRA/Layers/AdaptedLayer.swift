/// A linear layer that carries a LoRA adapter, whatever its base: what the model, the
/// optimizer's callers and adapter files see of ``LoRALinear`` without knowing its base type.
public protocol AdaptedLayer<Scalar>: LinearLayer {
    /// A, B, scaling and dropout.
    var branch: LoRABranch<Scalar> { get }
    /// The adapter's name, used in messages.
    var adapterName: String { get }
    /// Whether ΔW sits inside the base weight.
    var isMerged: Bool { get }
    /// What the adapter adds to plain LoRA (nil for plain LoRA).
    var variant: (any LoRAVariant<Scalar>)? { get }
    /// The frozen base, type-erased.
    var frozenBase: any LoRABase<Scalar> { get }
    /// The dense layer W0 + s·B·A (or the variant's merged function) with no adapter left,
    /// frozen (PEFT's `merge_and_unload`).
    func mergedAndUnloaded() -> Linear<Scalar>
    /// The same layer with another branch (its hyper-parameters name the variant) and the
    /// variant's tensors (same names and shapes as ``extraAdapterTensors`` for that variant),
    /// e.g. loaded from a file.
    /// - Throws: ``LoRAError`` when the branch or a tensor does not fit, or the layer is merged.
    func replacingAdapter(branch: LoRABranch<Scalar>, extraTensors: [NamedTensor<Scalar>]) throws(LoRAError) -> any AdaptedLayer<Scalar>
    /// The same adapter over `newBase` (e.g. the base quantized): the variant's tensors are
    /// kept, or started afresh from the new base (PEFT computes DoRA's magnitude from the
    /// quantized weight when it adapts a 4-bit model).
    /// - Throws: ``LoRAError`` when `newBase` has another shape or the layer is merged.
    func replacingBase(_ newBase: any LoRABase<Scalar>, restartingVariant: Bool) throws(LoRAError) -> any AdaptedLayer<Scalar>
}

extension AdaptedLayer {
    /// The tensors the adapter carries and saves besides A and B, by on-disk local name, each
    /// a (1, n) row saved as PEFT's 1-D vector of length n (DoRA's `lora_magnitude_vector`,
    /// LoRA bias's `lora_B.bias`). None for plain LoRA.
    public var extraAdapterTensors: [NamedTensor<Scalar>] { variant?.tensors ?? [] }
}

extension LoRALinear: AdaptedLayer {
    public var frozenBase: any LoRABase<Scalar> { base }

    public func replacingAdapter(branch: LoRABranch<Scalar>, extraTensors: [NamedTensor<Scalar>]) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !isMerged else { throw .merged(adapter: adapterName) }
        var out = try LoRALinear(base: base, branch: branch, adapterName: adapterName)
        if let fresh = out.variant {
            out.variant = try fresh.replacingTensors(extraTensors)
        } else if let extra = extraTensors.first {
            throw .factorShape(factor: extra.name, expected: [], found: [extra.value.rows, extra.value.columns])
        }
        return out
    }

    public func replacingBase(_ newBase: any LoRABase<Scalar>, restartingVariant: Bool) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !(restartingVariant && isMerged) else { throw .merged(adapter: adapterName) }
        return try newBase.carrying(self, restartingVariant: restartingVariant)
    }
}

extension LoRABase {
    /// `layer`'s adapter over this base (frozen), its variant kept or started afresh.
    fileprivate func carrying<Old: LoRABase>(_ layer: LoRALinear<Old>, restartingVariant: Bool) throws(LoRAError) -> any AdaptedLayer<Scalar> where Old.Scalar == Scalar {
        let frozen = frozen()
        guard frozen.inFeatures == layer.inFeatures, frozen.outFeatures == layer.outFeatures else {
            throw .factorShape(factor: "base", expected: [layer.outFeatures, layer.inFeatures], found: [frozen.outFeatures, frozen.inFeatures])
        }
        var out = LoRALinear(checkedBase: frozen, branch: layer.branch, variant: layer.variant, adapterName: layer.adapterName, isMerged: layer.isMerged)
        if restartingVariant { out.variant = layer.branch.hyperparameters.variant?.recipe.start(base: frozen, branch: layer.branch) }
        return out
    }
}

extension LoRABase {
    /// This layer wrapped in a fresh adapter (the model's injection calls this on each target),
    /// with the variant `hyperparameters.variant` names. Every variant draws A the same way.
    public func adapted(hyperparameters: LoRAHyperparameters, adapterName: String = "default",
                        using generator: inout SeededGenerator) throws -> any AdaptedLayer<Scalar> {
        try LoRALinear(base: self, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
    }
}

extension LinearLayer {
    /// The adapter's branch, if this layer carries one.
    public var adapterBranch: LoRABranch<Scalar>? { (self as? any AdaptedLayer<Scalar>)?.branch }
}
