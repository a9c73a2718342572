/// A frozen linear layer plus a trainable low-rank update: LoRA (Hu et al. 2021, eq. 3), over
/// any frozen base (PEFT's `LoraLayer` holding its `base_layer`).
///
/// ```
/// y = base(x) + s · (drop(x)·Aᵀ)·Bᵀ        s = α/r  (or α/√r with rsLoRA)
///
/// x: (n, in)   W0: (out, in)   A: (r, in)   B: (out, r)   ΔW = s·B·A: (out, in)
/// ```
/// A projects *down* (in → r) and B projects *up* (r → out). The update is computed as B(Ax),
/// two thin products, and never by forming B·A (except to merge). Dropout touches the LoRA
/// branch's input only; the base sees the undropped x (PEFT's behaviour).
///
/// `LoRALinear<Linear<Float>>` is LoRA; `LoRALinear<QuantizedLinear>` (``QLoRALinear``) is
/// QLoRA: the same adapter over a 4-bit base.
public struct LoRALinear<Base: LoRABase>: Sendable {
    public typealias Scalar = Base.Scalar
    /// The frozen base layer. Its weight holds W0 + ΔW while merged.
    public private(set) var base: Base
    /// A, B, scaling and dropout: the trainable branch.
    public var branch: LoRABranch<Scalar>
    /// The adapter's name, used in messages (PEFT's default is "default").
    public let adapterName: String
    /// Whether ΔW currently sits inside the base weight.
    public private(set) var isMerged = false

    /// The down-projection A, (r, in).
    public var a: Matrix<Scalar> {
        get { branch.a }
        set { branch.a = newValue }
    }
    /// The up-projection B, (out, r).
    public var b: Matrix<Scalar> {
        get { branch.b }
        set { branch.b = newValue }
    }
    /// The adapter's hyper-parameters.
    public var hyperparameters: LoRAHyperparameters { branch.hyperparameters }
    /// The rank r.
    public var rank: Int { hyperparameters.rank }
    /// The scaling s as `Scalar`.
    public var scale: Scalar { branch.scale }
    /// Input features (k).
    public var inFeatures: Int { base.inFeatures }
    /// Output features (d).
    public var outFeatures: Int { base.outFeatures }
    /// ΔW = s·B·A, (out, in). Forms the product: used to merge and to inspect, not in forward.
    public var deltaWeight: Matrix<Scalar> { branch.deltaWeight }

    /// Wraps `base` (which becomes frozen) with an adapter initialised by `hyperparameters.initialization`.
    ///
    /// - Throws: ``LoRAError`` for r ≤ 0, r > min(in, out), α ≤ 0 or dropout outside [0, 1);
    ///   ``LoRAError/pissaNeedsDenseBase`` for PiSSA over a 4-bit base; ``LinearAlgebraError``
    ///   if PiSSA's SVD fails.
    public init(base: Base, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
                adapterName: String = "default", using generator: inout SeededGenerator) throws {
        try hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        var frozen = base.frozen()
        let (r, k, d) = (hyperparameters.rank, base.inFeatures, base.outFeatures)
        let s = hyperparameters.scale
        let a: Matrix<Scalar>, b: Matrix<Scalar>
        switch hyperparameters.initialization {
        case .kaimingUniform:
            // kaiming_uniform_(a=√5): gain √(2/(1+5)) · √(3/fan_in) = 1/√fan_in.
            let bound = Scalar(1 / Double(k).squareRoot())
            a = .uniform(r, k, low: -bound, high: bound, using: &generator)
            b = .zeros(d, r)
        case .gaussian:
            a = .normal(r, k, std: Scalar(1 / Double(r)), using: &generator)
            b = .zeros(d, r)
        case .swappedZeroA:
            a = .zeros(r, k)
            b = .normal(d, r, std: Scalar(1 / Double(r)), using: &generator)
        case .pissa:
            guard Base.self == Linear<Scalar>.self else { throw LoRAError.pissaNeedsDenseBase }
            // W0 = U·Σ·Vᵀ. Keep the top r triplets in the adapter, split √(σ/s) between A and B
            // so that s·B·A is the rank-r part, and leave the residual in W0.
            let svd = try base.denseWeight.svd()
            let roots = svd.singularValues.prefix(r).map { Scalar(($0.doubleValue / s).squareRoot()) }
            a = Matrix(rows: r, columns: k) { i, j in roots[i] * svd.vt[i, j] }
            b = Matrix(rows: d, columns: r) { i, j in svd.u[i, j] * roots[j] }
            try frozen.addProduct(b, a, scale: -Scalar(s))
        }
        self.base = frozen
        self.branch = try LoRABranch(a: a, b: b, hyperparameters: hyperparameters, inFeatures: k, outFeatures: d)
        self.adapterName = adapterName
    }

    /// Wraps `base` (which becomes frozen) with a given branch, e.g. loaded from a file.
    /// - Throws: ``LoRAError`` when the hyper-parameters or the factors' shapes do not fit `base`.
    public init(base: Base, branch: LoRABranch<Scalar>, adapterName: String = "default") throws(LoRAError) {
        try branch.hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        self.branch = try LoRABranch(a: branch.a, b: branch.b, hyperparameters: branch.hyperparameters,
                                     inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        self.base = base.frozen()
        self.adapterName = adapterName
    }

    /// Wraps `base` with given factors A (r, in) and B (out, r).
    /// - Throws: ``LoRAError`` when the shapes or values disagree.
    public init(base: Base, a: Matrix<Scalar>, b: Matrix<Scalar>, hyperparameters: LoRAHyperparameters,
                adapterName: String = "default") throws(LoRAError) {
        try hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        try self.init(base: base, branch: LoRABranch(a: a, b: b, hyperparameters: hyperparameters,
                                                     inFeatures: base.inFeatures, outFeatures: base.outFeatures),
                      adapterName: adapterName)
    }

    /// The same adapter over a base transformed by `transform` (e.g. quantized), keeping A, B
    /// and the merged state.
    public func mapBase<NewBase: LoRABase>(_ transform: (Base) throws -> NewBase) throws -> LoRALinear<NewBase> where NewBase.Scalar == Scalar {
        var out = try LoRALinear<NewBase>(base: transform(base), branch: branch, adapterName: adapterName)
        out.isMerged = isMerged
        return out
    }

    /// Replaces the base and merged state (used by merging).
    mutating func setBase(_ newBase: Base, merged: Bool) {
        base = newBase
        isMerged = merged
    }
}

extension LoRALinear: LinearLayer {
    /// Inference forward (no dropout). While merged this is the base layer alone.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        var y = base.forward(x)
        if !isMerged { branch.addUpdate(input: x, to: &y) }
        return y
    }

    /// Training forward: draws the dropout mask from `generator` and returns what backward needs.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: LoRACache<Base>) {
        precondition(!isMerged, "LoRALinear '\(adapterName)': cannot train while merged; unmerge first")
        var (y, baseCache) = base.forward(x, training: &generator)
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        return (y, LoRACache(base: baseCache, branch: cache))
    }

    /// Gradients for x, A and B given ∂L/∂y (the base is frozen and gets none); see ``LoRABranch``.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · W0 + mask ⊙ (∂L/∂u · A)     ∂L/∂A = (∂L/∂u)ᵀ · drop(x)     ∂L/∂B = s · (∂L/∂y)ᵀ · u
    /// ```
    /// - Complexity: one (n, out, in) GEMM for the base plus four thin GEMMs of rank r.
    public func backward(_ dy: Matrix<Scalar>, cache: LoRACache<Base>) -> LayerGradients<Scalar> {
        precondition(
            dy.rows == cache.branch.droppedInput.rows && dy.columns == outFeatures,
            "LoRALinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.branch.droppedInput.shapeDescription) and a (\(outFeatures), \(inFeatures)) weight")
        return branch.backward(dy, cache: cache.branch, baseInputGradient: base.backward(dy, cache: cache.base).input)
    }

    /// The base's parameters (always frozen), then `lora_A.weight` and `lora_B.weight` (always
    /// trained); changes to the flags are ignored.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        base.visitParameters { name, value, _ in
            var frozen = false
            body(name, &value, &frozen)
        }
        var trained = true
        body(LoRAFactor.a.parameterName, &branch.a, &trained)
        trained = true
        body(LoRAFactor.b.parameterName, &branch.b, &trained)
    }

    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { base.quantizedWeights }

    /// A LoRA layer over the dense base in `Other` (4-bit bases are dequantized), same factors.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> {
        var out = try! LoRALinear<Linear<Other>>(base: base.dense(as: Other.self), branch: branch.converted(to: Other.self),
                                                 adapterName: adapterName)
        out.isMerged = isMerged
        return out
    }
}

/// What ``LoRALinear``'s training forward keeps: the base's cache, then the branch's.
public struct LoRACache<Base: LoRABase>: LayerCache {
    /// The frozen base's cache.
    public let base: Base.Cache
    /// drop(x), the mask and x·Aᵀ.
    public let branch: BranchCache<Base.Scalar>

    public var savedTensors: [NamedTensor<Base.Scalar>] {
        base.savedTensors + [NamedTensor("lora_dropped_input", branch.droppedInput), NamedTensor("lora_down", branch.down)]
            + (branch.mask.map { [NamedTensor("lora_dropout_mask", $0)] } ?? [])
    }
}
