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
}

extension LoRALinear: AdaptedLayer {
    public func replacingBranch(_ branch: LoRABranch<Scalar>) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !isMerged else { throw .merged(adapter: adapterName) }
        return try LoRALinear(base: base, branch: branch, adapterName: adapterName)
    }
}

extension LoRABase {
    /// This layer wrapped in a fresh LoRA adapter (the model's injection calls this on each target).
    public func adapted(hyperparameters: LoRAHyperparameters, adapterName: String = "default",
                        using generator: inout SeededGenerator) throws -> any AdaptedLayer<Scalar> {
        try LoRALinear(base: self, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
    }
}

extension LinearLayer {
    /// The adapter's branch, if this layer carries one.
    public var adapterBranch: LoRABranch<Scalar>? { (self as? any AdaptedLayer<Scalar>)?.branch }
}
