/// Anything that holds parameters: a layer, a block, a model. The one traversal from which
/// names, counts, freezing, the optimizer step, the memory ledger and adapter files all follow
/// (nanoGPT's `named_parameters()`, micrograd's `parameters()`).
///
/// ```
/// linear.visitParameters     "weight", "bias"
/// lora.visitParameters       "weight" (frozen base), "lora_A.weight", "lora_B.weight"
/// model.visitParameters      "layers.0.self_attn.q_proj.lora_A.weight", …   (module order)
/// ```
/// `body` may change a tensor in place (the optimizer does) and its trainable flag (freezing
/// does); a layer whose parameters cannot change role (the frozen base inside a LoRA layer, the
/// adapter factors) ignores a flag change. A 4-bit weight is not a `Matrix`; it is listed by
/// ``quantizedWeights`` instead.
public protocol Module<Scalar>: Sendable {
    /// The element type of the parameters.
    associatedtype Scalar: BLASScalar
    /// Calls `body(name, &tensor, &isTrainable)` for every parameter, in module order, with its
    /// dotted name relative to this module.
    mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void)
    /// The frozen 4-bit weights, by local name (none for float layers).
    var quantizedWeights: [(name: String, value: QuantizedTensor)] { get }
}

extension Module {
    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { [] }

    /// Every parameter with its name and trainable flag, in module order (read-only view of
    /// ``visitParameters(_:)``; tensors are shared, not copied).
    public var namedParameters: [NamedParameter<Scalar>] {
        var copy = self
        var out: [NamedParameter<Scalar>] = []
        copy.visitParameters { name, value, trainable in out.append(NamedParameter(name: name, value: value, isTrainable: trainable)) }
        return out
    }

    /// Trainable and frozen element counts (4-bit weights count as frozen).
    public var parameterCount: ParameterCount {
        let dense = namedParameters.reduce(ParameterCount()) {
            $0 + ($1.isTrainable ? ParameterCount(trainable: $1.value.count) : ParameterCount(frozen: $1.value.count))
        }
        return quantizedWeights.reduce(dense) { $0 + ParameterCount(frozen: $1.value.count) }
    }

    /// Lets `body` change every trainable tensor in place, by name (the optimizer's entry).
    public mutating func updateTrainableParameters(_ body: (String, inout Matrix<Scalar>) -> Void) {
        visitParameters { name, value, trainable in
            if trainable { body(name, &value) }
        }
    }
}

/// One parameter tensor of a module, by its full name.
public struct NamedParameter<Scalar: BLASScalar>: Sendable {
    /// Full name, e.g. `layers.0.self_attn.q_proj.lora_A.weight`.
    public let name: String
    /// The tensor.
    public let value: Matrix<Scalar>
    /// Whether the optimizer updates it.
    public let isTrainable: Bool
}

/// A linear layer of any kind: dense, 4-bit, or either with a LoRA adapter. Model slots hold
/// `any LinearLayer<Scalar>`, so a new kind of layer is a new conforming type, not a new case.
public protocol LinearLayer<Scalar>: Layer, Module {
    /// Input features (k).
    var inFeatures: Int { get }
    /// Output features (d).
    var outFeatures: Int { get }
    /// The same function in another precision: 4-bit weights become dense frozen ones over
    /// dequant(W4), adapters keep their factors. This is how a QLoRA model is checked in Double.
    func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other>
}
