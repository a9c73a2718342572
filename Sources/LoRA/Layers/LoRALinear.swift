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
/// QLoRA: the same adapter over a 4-bit base. A ``variant`` (DoRA, LoRA bias) changes what the
/// adapter computes; the layer keeps the base, the branch, the merged state and the parameter
/// traversal for every variant (see ``LoRAVariant``).
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
    /// What the adapter adds to plain LoRA (nil for plain LoRA), of the kind
    /// `hyperparameters.variant` names.
    public internal(set) var variant: (any LoRAVariant<Scalar>)?

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

    /// Wraps `base` (which becomes frozen) with an adapter initialised by `hyperparameters.initialization`,
    /// and the fresh variant `hyperparameters.variant` names (DoRA's magnitude, LoRA bias's zero bias).
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
        self.variant = hyperparameters.variant?.recipe.start(base: frozen, branch: branch)
    }

    /// Wraps `base` (which becomes frozen) with a given branch, e.g. loaded from a file, and a
    /// fresh variant of the kind `branch.hyperparameters.variant` names.
    /// - Throws: ``LoRAError`` when the hyper-parameters or the factors' shapes do not fit `base`.
    public init(base: Base, branch: LoRABranch<Scalar>, adapterName: String = "default") throws(LoRAError) {
        try branch.hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        self.branch = try LoRABranch(a: branch.a, b: branch.b, hyperparameters: branch.hyperparameters,
                                     inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        self.base = base.frozen()
        self.adapterName = adapterName
        self.variant = branch.hyperparameters.variant?.recipe.start(base: self.base, branch: self.branch)
    }

    /// A layer from parts already checked against each other (conversion and base swaps).
    init(checkedBase base: Base, branch: LoRABranch<Scalar>, variant: (any LoRAVariant<Scalar>)?, adapterName: String, isMerged: Bool) {
        self.base = base
        self.branch = branch
        self.variant = variant
        self.adapterName = adapterName
        self.isMerged = isMerged
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

    /// The same adapter over a base transformed by `transform` (e.g. quantized), keeping A, B,
    /// the variant's tensors and the merged state.
    /// - Throws: what `transform` throws, or ``LoRAError`` when the new base has another shape.
    public func mapBase<NewBase: LoRABase>(_ transform: (Base) throws -> NewBase) throws -> LoRALinear<NewBase> where NewBase.Scalar == Scalar {
        let newBase = try transform(base).frozen()
        guard newBase.inFeatures == inFeatures, newBase.outFeatures == outFeatures else {
            throw LoRAError.factorShape(factor: "base", expected: [outFeatures, inFeatures], found: [newBase.outFeatures, newBase.inFeatures])
        }
        return LoRALinear<NewBase>(checkedBase: newBase, branch: branch, variant: variant, adapterName: adapterName, isMerged: isMerged)
    }

    /// Gives the variant's tensors new values (same names and shapes as ``AdaptedLayer/extraAdapterTensors``),
    /// e.g. to move LoRA bias's b_B or DoRA's m off their start.
    /// - Throws: ``LoRAError/factorShape(factor:expected:found:)`` naming a tensor the variant
    ///   does not have or whose shape differs; the layer is then unchanged.
    public mutating func setVariantTensors(_ tensors: [NamedTensor<Scalar>]) throws(LoRAError) {
        if let variant {
            self.variant = try variant.replacingTensors(tensors)
        } else if let extra = tensors.first {
            throw .factorShape(factor: extra.name, expected: [], found: [extra.value.rows, extra.value.columns])
        }
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
        guard !isMerged else { return y }
        if let variant {
            variant.addUpdate(input: x, to: &y, base: base, branch: branch)
        } else {
            branch.addUpdate(input: x, to: &y)
        }
        return y
    }

    /// Training forward: draws the dropout mask from `generator` and returns what backward needs.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: LoRACache<Base>) {
        precondition(!isMerged, "LoRALinear '\(adapterName)': cannot train while merged; unmerge first")
        var (y, baseCache) = base.forward(x, training: &generator)
        if let variant {
            let (cache, own) = variant.addTrainingUpdate(input: x, to: &y, base: base, branch: branch, using: &generator)
            return (y, LoRACache(base: baseCache, branch: cache, variant: own))
        }
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        return (y, LoRACache(base: baseCache, branch: cache, variant: nil))
    }

    /// Gradients for x, A and B (and the variant's tensors) given ∂L/∂y (the base is frozen and
    /// gets none); see ``LoRABranch``.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · W0 + mask ⊙ (∂L/∂u · A)     ∂L/∂A = (∂L/∂u)ᵀ · drop(x)     ∂L/∂B = s · (∂L/∂y)ᵀ · u
    /// ```
    /// - Complexity: one (n, out, in) GEMM for the base plus four thin GEMMs of rank r.
    public func backward(_ dy: Matrix<Scalar>, cache: LoRACache<Base>) -> LayerGradients<Scalar> {
        precondition(
            dy.rows == cache.branch.droppedInput.rows && dy.columns == outFeatures,
            "LoRALinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.branch.droppedInput.shapeDescription) and a (\(outFeatures), \(inFeatures)) weight")
        if let variant { return variant.backward(dy, cache: cache, base: base, branch: branch) }
        return branch.backward(dy, cache: cache.branch, baseInputGradient: base.backward(dy, cache: cache.base).input)
    }

    /// The base's parameters (always frozen), then `lora_A.weight`, `lora_B.weight` and the
    /// variant's tensors (always trained); changes to the flags are ignored.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        base.visitParameters { name, value, _ in
            var frozen = false
            body(name, &value, &frozen)
        }
        var trained = true
        body(LoRAFactor.a.parameterName, &branch.a, &trained)
        trained = true
        body(LoRAFactor.b.parameterName, &branch.b, &trained)
        variant?.updateTensors { name, value in
            var trained = true
            body(name, &value, &trained)
        }
    }

    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { base.quantizedWeights }

    /// A LoRA layer over the dense base in `Other` (4-bit bases are dequantized), same factors,
    /// same variant tensors, same merged state.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> {
        LoRALinear<Linear<Other>>(checkedBase: base.dense(as: Other.self), branch: branch.converted(to: Other.self),
                                  variant: variant?.converted(to: Other.self), adapterName: adapterName, isMerged: isMerged)
    }
}

/// What ``LoRALinear``'s training forward keeps: the base's cache, the branch's, then the variant's.
public struct LoRACache<Base: LoRABase>: LayerCache {
    /// The frozen base's cache.
    public let base: Base.Cache
    /// drop(x), the mask and x·Aᵀ.
    public let branch: BranchCache<Base.Scalar>
    /// What the variant's training forward kept (nil for plain LoRA).
    public let variant: (any LayerCache<Base.Scalar>)?

    public var savedTensors: [NamedTensor<Base.Scalar>] {
        base.savedTensors + [NamedTensor("lora_dropped_input", branch.droppedInput), NamedTensor("lora_down", branch.down)]
            + (variant?.savedTensors ?? [])
            + (branch.mask.map { [NamedTensor("lora_dropout_mask", $0)] } ?? [])
    }
}
