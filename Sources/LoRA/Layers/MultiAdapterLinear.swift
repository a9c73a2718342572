/// One frozen base layer serving several LoRA adapters at once, unmerged: each row of a batch
/// uses the adapter it is routed to, or none (PEFT's mixed batches, `forward(..., adapter_names=[…])`
/// in `LoraLayer._mixed_batch_forward`; S-LoRA and vLLM's multi-LoRA serving do the same on GPUs).
///
/// ```
/// y = x·W0ᵀ + b                                   every row, one GEMM on the whole batch
/// y[R_k] += s_k · (x[R_k]·A_kᵀ)·B_kᵀ              R_k: the rows routed to adapter k
/// ```
/// The base is computed once for the whole batch and never changes: adding, removing or
/// re-routing adapters touches only the branches (hot-swapping). Each adapter's extra cost is
/// two thin products on its own rows, against a merged model's zero extra cost per row but one
/// weight copy per adapter.
///
/// Adapters here are frozen (serving): the backward pass returns ∂L/∂x only. DoRA adapters are
/// refused, as PEFT refuses `adapter_names` with DoRA: the magnitude rescales the base output
/// row-wise per adapter, which this shared-base layout does not express.
public struct MultiAdapterLinear<Base: LoRABase>: Sendable {
    public typealias Scalar = Base.Scalar
    /// The frozen base, shared by every adapter.
    public let base: Base
    /// The adapters in the order they were added, by name.
    public private(set) var adapters: [(name: String, branch: LoRABranch<Scalar>)] = []
    /// The adapter of each input row (`nil`: the base alone), or `nil` for every row to use
    /// ``defaultAdapter``.
    public private(set) var rowAdapters: [String?]?
    /// The adapter every row uses when no per-row routing is set (`nil`: the base alone).
    public var defaultAdapter: String?

    /// A layer serving no adapter yet over `base` (which becomes frozen).
    public init(base: Base) {
        self.base = base.frozen()
    }

    /// Input features (k).
    public var inFeatures: Int { base.inFeatures }
    /// Output features (d).
    public var outFeatures: Int { base.outFeatures }
    /// The adapter names, in the order added.
    public var adapterNames: [String] { adapters.map(\.name) }

    /// The same layer with one more adapter.
    /// - Throws: ``ServingError/duplicateAdapter(_:)``; ``LoRAError`` when the factors do not fit.
    public func adding(_ name: String, branch: LoRABranch<Scalar>) throws -> MultiAdapterLinear {
        guard !adapterNames.contains(name) else { throw ServingError.duplicateAdapter(name) }
        var copy = self
        copy.adapters.append((name, try LoRABranch(a: branch.a, b: branch.b, hyperparameters: branch.hyperparameters,
                                                   inFeatures: inFeatures, outFeatures: outFeatures)))
        return copy
    }

    /// The same layer without adapter `name` (no change if it has none); the base is untouched.
    public func removing(_ name: String) -> MultiAdapterLinear {
        var copy = self
        copy.adapters.removeAll { $0.name == name }
        if copy.defaultAdapter == name { copy.defaultAdapter = nil }
        return copy
    }

    /// The same layer with row i of the next inputs routed to `rows[i]` (`nil`: base alone).
    /// Names this layer does not serve also get the base alone (that adapter does not adapt this module).
    public func routing(_ rows: [String?]?) -> MultiAdapterLinear {
        var copy = self
        copy.rowAdapters = rows
        return copy
    }

    /// The row indices of each adapter that has rows, in adapter order (one pass over the rows).
    func groups(rowCount n: Int) -> [(branch: LoRABranch<Scalar>, rows: [Int])] {
        guard let rowAdapters else {
            guard let name = defaultAdapter, let adapter = adapters.first(where: { $0.name == name }) else { return [] }
            return [(adapter.branch, Array(0..<n))]
        }
        precondition(rowAdapters.count == n, "MultiAdapterLinear: routing for \(rowAdapters.count) rows, input has \(n)")
        let index = Dictionary(uniqueKeysWithValues: adapters.enumerated().map { ($1.name, $0) })
        var rows = [[Int]](repeating: [], count: adapters.count)
        for (i, name) in rowAdapters.enumerated() {
            if let name, let k = index[name] { rows[k].append(i) }
        }
        return adapters.indices.compactMap { k in rows[k].isEmpty ? nil : (adapters[k].branch, rows[k]) }
    }

    /// The rows `rows` of `m`, in order: (rows.count, columns).
    static func gather(_ m: Matrix<Scalar>, _ rows: [Int]) -> Matrix<Scalar> {
        Matrix(rows: rows.count, columns: m.columns, storage: RowKernels.gather(m.storage, columns: m.columns, rows: rows))
    }

    /// m[rows] += part, row by row.
    static func scatterAdd(_ part: Matrix<Scalar>, _ rows: [Int], into m: inout Matrix<Scalar>) {
        RowKernels.scatterAdd(part.storage, rows: rows, into: &m.storage, columns: m.columns)
    }
}

/// Row gathers and scatters, specialized for Float and Double (the layer runs behind
/// `any LinearLayer`, where unspecialized generic loops would cost more than the branch).
enum RowKernels {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func gather<Scalar: BLASScalar>(_ m: [Scalar], columns c: Int, rows: [Int]) -> [Scalar] {
        [Scalar](unsafeUninitializedCapacity: rows.count * c) { out, count in
            m.withUnsafeBufferPointer { src in
                for (k, i) in rows.enumerated() {
                    (out.baseAddress! + k * c).initialize(from: src.baseAddress! + i * c, count: c)
                }
            }
            count = rows.count * c
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scatterAdd<Scalar: BLASScalar>(_ part: [Scalar], rows: [Int], into m: inout [Scalar], columns c: Int) {
        m.withUnsafeMutableBufferPointer { o in
            part.withUnsafeBufferPointer { p in
                for (k, i) in rows.enumerated() { for j in 0..<c { o[i * c + j] += p[k * c + j] } }
            }
        }
    }
}

extension MultiAdapterLinear: LinearLayer {
    /// y = base(x), then each adapter's update on its own rows.
    /// - Complexity: the base GEMM on all n rows, plus 2·n_k·r_k·(in + out) flops per adapter k.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        var y = base.forward(x)
        addUpdates(x, to: &y)
        return y
    }

    /// y[R_k] += s_k·(x[R_k]·A_kᵀ)·B_kᵀ for every adapter k with rows.
    func addUpdates(_ x: Matrix<Scalar>, to y: inout Matrix<Scalar>) {
        for (branch, rows) in groups(rowCount: x.rows) {
            if rows.count == x.rows {
                branch.addUpdate(input: x, to: &y)
            } else {
                var part = Matrix<Scalar>.zeros(rows.count, outFeatures)
                branch.addUpdate(input: Self.gather(x, rows), to: &part)  // (n_k, in) → (n_k, out)
                Self.scatterAdd(part, rows, into: &y)
            }
        }
    }

    /// The inference forward (serving adapters are frozen and drop nothing), keeping the base's cache.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: Base.Cache) {
        var (y, cache) = base.forward(x, training: &generator)
        addUpdates(x, to: &y)
        return (y, cache)
    }

    /// ∂L/∂x = ∂L/∂y·W0 + Σ_k s_k·(∂L/∂y[R_k]·B_k)·A_k on the rows R_k; no parameter gradients.
    public func backward(_ dy: Matrix<Scalar>, cache: Base.Cache) -> LayerGradients<Scalar> {
        var dx = base.backward(dy, cache: cache).input
        for (branch, rows) in groups(rowCount: dy.rows) {
            let g = Self.gather(dy, rows)
            let part = g.matmul(branch.b, alpha: branch.scale).matmul(branch.a)  // (n_k, out)·(out, r)·(r, in)
            Self.scatterAdd(part, rows, into: &dx)
        }
        return LayerGradients(input: dx)
    }

    /// The base's parameters, then `lora_A.<name>.weight` and `lora_B.<name>.weight` per adapter
    /// (PEFT's in-memory names), all frozen.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        var frozenBase = base
        frozenBase.visitParameters { name, value, _ in
            var frozen = false
            body(name, &value, &frozen)
        }
        for i in adapters.indices {
            var frozen = false
            body("lora_A.\(adapters[i].name).weight", &adapters[i].branch.a, &frozen)
            frozen = false
            body("lora_B.\(adapters[i].name).weight", &adapters[i].branch.b, &frozen)
        }
    }

    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { base.quantizedWeights }

    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> {
        var out = MultiAdapterLinear<Linear<Other>>(base: base.dense(as: Other.self))
        out.adapters = adapters.map { ($0.name, $0.branch.converted(to: Other.self)) }
        out.rowAdapters = rowAdapters
        out.defaultAdapter = defaultAdapter
        return out
    }
}

/// A linear slot that serves adapters: what ``TransformerModel``'s serving methods see of a
/// ``MultiAdapterLinear`` without knowing its base type.
public protocol ServingLayer<Scalar>: LinearLayer {
    /// The adapter names, in the order added.
    var adapterNames: [String] { get }
    /// The same layer with one more adapter.
    func addingAdapter(_ name: String, branch: LoRABranch<Scalar>) throws -> any ServingLayer<Scalar>
    /// The same layer without adapter `name`.
    func removingAdapter(_ name: String) -> any ServingLayer<Scalar>
    /// The same layer with per-row routing (`nil`: every row uses the default adapter).
    func routingRows(_ rows: [String?]?, default adapter: String?) -> any ServingLayer<Scalar>
    /// The frozen base as a plain layer.
    var baseLayer: any LinearLayer<Scalar> { get }
}

extension MultiAdapterLinear: ServingLayer {
    public func addingAdapter(_ name: String, branch: LoRABranch<Scalar>) throws -> any ServingLayer<Scalar> {
        try adding(name, branch: branch)
    }
    public func removingAdapter(_ name: String) -> any ServingLayer<Scalar> { removing(name) }
    public func routingRows(_ rows: [String?]?, default adapter: String?) -> any ServingLayer<Scalar> {
        var copy = routing(rows)
        copy.defaultAdapter = adapter
        return copy
    }
    public var baseLayer: any LinearLayer<Scalar> { base }
}

/// What serving adapters refuses, with the name concerned.
public enum ServingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An adapter of this name is already served.
    case duplicateAdapter(String)
    /// No adapter of this name is served.
    case unknownAdapter(String)
    /// A DoRA adapter (PEFT refuses `adapter_names` with DoRA too).
    case unsupportedVariant(module: String)
    /// The model has no plain linear layer at a path the adapter adapts.
    case noBase(module: String)
    /// The routing does not give one adapter per sequence.
    case routing(sequences: Int, names: Int)

    public var description: String {
        switch self {
        case .duplicateAdapter(let name): "serving: an adapter named '\(name)' is already served"
        case .unknownAdapter(let name): "serving: no adapter named '\(name)' is served"
        case .unsupportedVariant(let module): "serving: '\(module)' carries a DoRA magnitude; mixed batches serve LoRA adapters only"
        case .noBase(let module): "serving: the model has no plain linear layer '\(module)'"
        case .routing(let s, let n): "serving: \(n) adapter names for \(s) sequences"
        }
    }
}
