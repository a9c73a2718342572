/// The one convention every layer follows: a forward that keeps what the backward needs, a
/// backward that returns the input gradient and the parameter gradients, and an inference
/// forward that keeps nothing and draws no random numbers.
///
/// ```
/// forward(x)                     → y                   inference: no cache, no dropout
/// forward(x, training: &g)       → (y, cache)          dropout masks (if any) drawn from g
/// backward(dy, cache: cache)     → (dx, gradients)     gradients by local name, trainable only
/// ```
///
/// | layer | x | y | cache keeps | gradients |
/// |---|---|---|---|---|
/// | ``Linear`` | (n, in) | (n, out) | x | `weight` (out, in), `bias` (1, out), if trainable |
/// | ``QuantizedLinear`` | (n, in) | (n, out) | x (for the memory ledger) | none (frozen) |
/// | ``LoRALinear`` | (n, in) | (n, out) | base cache, drop(x), x·Aᵀ, mask | `lora_A.weight` (r, in), `lora_B.weight` (out, r) |
/// | ``RMSNorm`` | (n, d) | (n, d) | x, ρ per row | `weight` (1, d), if trainable |
///
/// Gradient names are local to the layer; a container prefixes them with the layer's path
/// (`layers.0.self_attn.q_proj.lora_A.weight`), exactly as ``Module/visitParameters(_:)`` names
/// the parameters themselves.
public protocol Layer<Scalar>: Sendable {
    /// Float for training, Double for gradient checks.
    associatedtype Scalar: BLASScalar
    /// What the training forward keeps for the backward pass.
    associatedtype Cache: LayerCache<Scalar>

    /// Inference forward: no cache, no dropout, no generator.
    func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar>
    /// Training forward: the output and what ``backward(_:cache:)`` needs; random draws
    /// (dropout) come from `generator`.
    func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: Cache)
    /// ∂L/∂x and the gradients of the trainable parameters, given ∂L/∂y.
    func backward(_ dy: Matrix<Scalar>, cache: Cache) -> LayerGradients<Scalar>
}

/// What a layer's training forward keeps; it lists its tensors for the memory ledger.
public protocol LayerCache<Scalar>: Sendable {
    /// The element type.
    associatedtype Scalar: BLASScalar
    /// The tensors kept for backward, by local name.
    var savedTensors: [NamedTensor<Scalar>] { get }
}

/// A tensor with a dotted name (`lora_A.weight`, `layers.0.self_attn.q`).
public struct NamedTensor<Scalar: BLASScalar>: Sendable {
    /// The name, local to the module that owns the tensor or prefixed by its path.
    public var name: String
    /// The tensor.
    public var value: Matrix<Scalar>

    /// A named tensor.
    public init(_ name: String, _ value: Matrix<Scalar>) {
        self.name = name
        self.value = value
    }

    /// The same tensor with `prefix.` before its name.
    public func prefixed(_ prefix: String) -> NamedTensor {
        NamedTensor(prefix + "." + name, value)
    }
}

/// What ``Layer/backward(_:cache:)`` returns.
public struct LayerGradients<Scalar: BLASScalar>: Sendable {
    /// ∂L/∂x, the shape of the layer's input.
    public var input: Matrix<Scalar>
    /// ∂L/∂θ for each trainable parameter θ, by local name, in the layer's parameter order.
    public var parameters: [NamedTensor<Scalar>]

    /// Gradients of one layer.
    public init(input: Matrix<Scalar>, parameters: [NamedTensor<Scalar>] = []) {
        self.input = input
        self.parameters = parameters
    }

    /// The gradient of the parameter with local name `name`, if it has one.
    public subscript(name: String) -> Matrix<Scalar>? {
        parameters.first { $0.name == name }?.value
    }
}

/// The cache of a layer that keeps only its input.
public struct InputCache<Scalar: BLASScalar>: LayerCache {
    /// The input x.
    public var input: Matrix<Scalar>
    /// The cache of a forward pass on `input`.
    public init(input: Matrix<Scalar>) { self.input = input }
    public var savedTensors: [NamedTensor<Scalar>] { [NamedTensor("input", input)] }
}

extension Layer {
    /// The training forward with its cache type erased, for containers whose slots hold
    /// layers of different kinds (``LinearLayer`` existentials, as in ``TransformerBlock``).
    public func forwardErasingCache(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: any LayerCache<Scalar>) {
        let (y, cache) = forward(x, training: &generator)
        return (y, cache)
    }

    /// ``backward(_:cache:)`` for a cache from ``forwardErasingCache(_:training:)``.
    /// - Precondition: `cache` came from this kind of layer.
    public func backward(_ dy: Matrix<Scalar>, erasedCache cache: any LayerCache<Scalar>) -> LayerGradients<Scalar> {
        guard let own = cache as? Cache else {
            preconditionFailed("\(Self.self).backward: the cache is a \(type(of: cache)), made by another kind of layer", file: #fileID, line: #line)
        }
        return backward(dy, cache: own)
    }
}

extension LayerGradients {
    /// ∂L/∂A of a LoRA layer (its `lora_A.weight` gradient), (r, in).
    /// - Precondition: these are a LoRA layer's gradients.
    public var a: Matrix<Scalar> { named(LoRAFactor.a.parameterName) }
    /// ∂L/∂B of a LoRA layer (its `lora_B.weight` gradient), (out, r).
    /// - Precondition: these are a LoRA layer's gradients.
    public var b: Matrix<Scalar> { named(LoRAFactor.b.parameterName) }
    /// ∂L/∂W of a trainable layer's `weight`, or nil when the layer is frozen.
    public var weight: Matrix<Scalar>? { self["weight"] }
    /// ∂L/∂b of a trainable layer's `bias`, or nil.
    public var bias: Matrix<Scalar>? { self["bias"] }

    private func named(_ name: String) -> Matrix<Scalar> {
        guard let g = self[name] else {
            preconditionFailed("LayerGradients: no gradient named '\(name)'; have \(parameters.map(\.name))", file: #fileID, line: #line)
        }
        return g
    }
}
