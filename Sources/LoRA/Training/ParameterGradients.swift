/// Gradients of the loss with respect to the trainable tensors, by full parameter name
/// (e.g. `layers.0.self_attn.q_proj.lora_A.weight`), in the order the backward pass produced them.
///
/// The order is kept on purpose: every reduction over the gradients (the global norm, the
/// clip factor) sums in this fixed order, so its last bit is the same on every run. A
/// `Dictionary` would not do: Swift seeds its hash per process, so iterating one changes order
/// from run to run.
public struct ParameterGradients<Scalar: BLASScalar>: Sendable {
    /// The gradients, in backward order.
    public private(set) var entries: [NamedTensor<Scalar>] = []
    private var index: [String: Int] = [:]

    /// An empty set.
    public init() {}

    /// A set from named gradients, in the given order.
    /// - Precondition: names are distinct.
    public init(_ entries: [NamedTensor<Scalar>]) {
        for e in entries { append(e) }
    }

    /// Adds the gradient of one more tensor.
    /// - Precondition: `gradient.name` is not in the set yet.
    public mutating func append(_ gradient: NamedTensor<Scalar>) {
        precondition(index[gradient.name] == nil, "ParameterGradients: '\(gradient.name)' appears twice")
        index[gradient.name] = entries.count
        entries.append(gradient)
    }

    /// The gradient of the tensor named `name`, if it has one.
    public subscript(name: String) -> Matrix<Scalar>? {
        index[name].map { entries[$0].value }
    }

    /// The names, in backward order.
    public var names: [String] { entries.map(\.name) }

    /// The global norm √(Σ over every tensor of Σ g²), accumulated in Double in ``entries`` order.
    public var globalNorm: Double {
        entries.reduce(0.0) { $0 + $1.value.sumOfSquares }.squareRoot()
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Scalar) {
        for i in entries.indices { entries[i].value.scale(by: factor) }
    }

    /// Total number of gradient elements.
    public var elementCount: Int { entries.reduce(0) { $0 + $1.value.count } }
}
