/// A linear layer that carries a LoRA adapter, whatever its base: what the model, the
/// optimizer's callers and adapter files see of ``LoRALinear`` without knowing its base type.
public protocol AdaptedLayer<Scalar>: LinearLayer {
    /// A, B, scaling and dropout.
    var branch: LoRABranch<Scalar> { get }
    /// The adapter's name, used in messages.
    var adapterName: String { get }
    /// Whether ΔW sits inside the base weight.
    var isMerged: Bool { get }
    /// The same layer with another branch (e.g. loaded from a file), checked against the layer.
    /// - Throws: ``LoRAError`` when the branch does not fit; ``LoRAError/merged(adapter:)``
    ///   when the layer is merged.
    func replacingBranch(_ branch: LoRABranch<Scalar>) throws(LoRAError) -> any AdaptedLayer<Scalar>
    /// The dense layer W0 + s·B·A with no adapter left (PEFT's `merge_and_unload`).
    func mergedAndUnloaded() -> Linear<Scalar>
    /// The tensors the adapter carries and saves besides A and B, by on-disk local name, each
    /// a (1, n) row saved as PEFT's 1-D vector of length n (DoRA's `lora_magnitude_vector`).
    /// None for plain LoRA.
    var extraAdapterTensors: [NamedTensor<Scalar>] { get }
    /// The same layer with another branch and new values for ``extraAdapterTensors`` (same
    /// names and shapes), e.g. loaded from a file.
    /// - Throws: ``LoRAError`` when the branch or a tensor does not fit, or the layer is merged.
    func replacingAdapter(branch: LoRABranch<Scalar>, extraTensors: [NamedTensor<Scalar>]) throws(LoRAError) -> any AdaptedLayer<Scalar>
}

extension AdaptedLayer {
    public var extraAdapterTensors: [NamedTensor<Scalar>] { [] }

    public func replacingAdapter(branch: LoRABranch<Scalar>, extraTensors: [NamedTensor<Scalar>]) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        if let extra = extraTensors.first {
            throw .factorShape(factor: extra.name, expected: [], found: [extra.value.rows, extra.value.columns])
        }
        return try replacingBranch(branch)
    }
}

extension LoRALinear: AdaptedLayer {
    public func replacingBranch(_ branch: LoRABranch<Scalar>) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !isMerged else { throw .merged(adapter: adapterName) }
        return try LoRALinear(base: base, branch: branch, adapterName: adapterName)
    }
}

extension LoRABase {
    /// This layer wrapped in a fresh adapter (the model's injection calls this on each target):
    /// a ``DoRALinear`` when `hyperparameters.useDoRA`, else a ``LoRALinear``. Both draw A the same way.
    public func adapted(hyperparameters: LoRAHyperparameters, adapterName: String = "default",
                        using generator: inout SeededGenerator) throws -> any AdaptedLayer<Scalar> {
        if hyperparameters.useDoRA {
            return try DoRALinear(base: self, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
        }
        return try LoRALinear(base: self, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
    }
}

extension LinearLayer {
    /// The adapter's branch, if this layer carries one.
    public var adapterBranch: LoRABranch<Scalar>? { (self as? any AdaptedLayer<Scalar>)?.branch }
}
