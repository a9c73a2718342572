/// A frozen linear layer plus a trainable low-rank update: LoRA (Hu et al. 2021, eq. 3).
///
/// ```
/// y = x·W0ᵀ + b + s · (drop(x)·Aᵀ)·Bᵀ        s = α/r  (or α/√r with rsLoRA)
///
/// x: (n, in)   W0: (out, in)   A: (r, in)   B: (out, r)   ΔW = s·B·A: (out, in)
/// ```
/// A projects *down* (in → r) and B projects *up* (r → out). The update is computed as B(Ax),
/// two thin products, and never by forming B·A (except to merge). Dropout touches the LoRA
/// branch's input only; the base sees the undropped x (PEFT's behaviour).
public struct LoRALinear<Scalar: BLASScalar>: Sendable {
    /// The frozen base layer (W0, b). Its weight holds W0 + ΔW while merged.
    public private(set) var base: Linear<Scalar>
    /// A, B, scaling and dropout: the trainable branch.
    public var branch: LoRABranch<Scalar>
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
    /// The adapter's name, used in messages (PEFT's default is "default").
    public let adapterName: String
    /// Whether ΔW currently sits inside `base.weight`.
    public private(set) var isMerged = false

    /// The rank r.
    public var rank: Int { hyperparameters.rank }
    /// The scaling s as `Scalar`.
    public var scale: Scalar { branch.scale }
    /// Input features (k).
    public var inFeatures: Int { base.inFeatures }
    /// Output features (d).
    public var outFeatures: Int { base.outFeatures }

    /// Wraps `base` (which becomes frozen) with an adapter initialised by `hyperparameters.initialization`.
    ///
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` for r ≤ 0, r > min(in, out), α ≤ 0 or
    ///   dropout outside [0, 1); ``LinearAlgebraError`` if PiSSA's SVD fails.
    public init(
        base: Linear<Scalar>, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        adapterName: String = "default", using generator: inout SeededGenerator
    ) throws {
        try hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        var frozen = base
        frozen.isTrainable = false
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
            // W0 = U·Σ·Vᵀ. Keep the top r triplets in the adapter, split √(σ/s) between A and B
            // so that s·B·A is the rank-r part, and leave the residual in W0.
            let svd = try base.weight.svd()
            let roots = svd.singularValues.prefix(r).map { Scalar(($0.doubleValue / s).squareRoot()) }
            a = Matrix(rows: r, columns: k) { i, j in roots[i] * svd.vt[i, j] }
            b = Matrix(rows: d, columns: r) { i, j in svd.u[i, j] * roots[j] }
            Matrix.gemm(b, a, alpha: -Scalar(s), beta: 1, into: &frozen.weight)
        }
        self.base = frozen
        self.branch = LoRABranch(a: a, b: b, hyperparameters: hyperparameters)
        self.adapterName = adapterName
    }

    /// Wraps `base` with given factors A (r, in) and B (out, r), e.g. loaded from a file.
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` when the shapes or values disagree.
    public init(
        base: Linear<Scalar>, a: Matrix<Scalar>, b: Matrix<Scalar>,
        hyperparameters: LoRAHyperparameters, adapterName: String = "default"
    ) throws {
        try hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        try LoRABranch.validate(a: a, b: b, rank: hyperparameters.rank, inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        var frozen = base
        frozen.isTrainable = false
        self.base = frozen
        self.branch = LoRABranch(a: a, b: b, hyperparameters: hyperparameters)
        self.adapterName = adapterName
    }

    // MARK: Forward and backward

    /// Inference forward (no dropout). While merged this is the base layer alone.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        var y = base.forward(x)
        if !isMerged { branch.addUpdate(input: x, to: &y) }
        return y
    }

    /// Training forward: draws the dropout mask from `generator` and returns what backward needs.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: LoRACache<Scalar>) {
        precondition(!isMerged, "LoRALinear '\(adapterName)': cannot train while merged; unmerge first")
        var y = base.forward(x)
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        return (y, cache)
    }

    /// Gradients for x, A and B given ∂L/∂y (W0 is frozen and gets none); see ``LoRABranch``.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · W0 + mask ⊙ (∂L/∂u · A)     ∂L/∂A = (∂L/∂u)ᵀ · drop(x)     ∂L/∂B = s · (∂L/∂y)ᵀ · u
    /// ```
    /// - Complexity: one (n, out, in) GEMM for the base plus four thin GEMMs of rank r.
    public func backward(_ dy: Matrix<Scalar>, cache: LoRACache<Scalar>) -> LoRAGradients<Scalar> {
        precondition(
            dy.rows == cache.input.rows && dy.columns == outFeatures,
            "LoRALinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.input.shapeDescription) and weight \(base.weight.shapeDescription)")
        return branch.backward(dy, cache: cache, baseInputGradient: dy.matmul(base.weight))
    }

    /// ΔW = s·B·A, (out, in). Forms the product: used to merge and to inspect, not in forward.
    public var deltaWeight: Matrix<Scalar> { branch.deltaWeight }

    /// Replaces the frozen base (used by merging code in this module and by loaders).
    mutating func setBaseWeight(_ weight: Matrix<Scalar>) { base.weight = weight }
    mutating func setMerged(_ merged: Bool) { isMerged = merged }
}

/// What the training forward keeps for ``LoRALinear/backward(_:cache:)``.
public struct LoRACache<Scalar: BLASScalar>: Sendable {
    /// The input x, (n, in).
    public let input: Matrix<Scalar>
    /// drop(x), the LoRA branch's input (x itself when dropout is 0).
    public let droppedInput: Matrix<Scalar>
    /// The inverted-dropout mask (0 or 1/(1−p)), or `nil` when p = 0.
    public let mask: Matrix<Scalar>?
    /// drop(x)·Aᵀ, (n, r).
    public let down: Matrix<Scalar>
}

/// Gradients of a LoRA layer.
public struct LoRAGradients<Scalar: BLASScalar>: Sendable {
    /// ∂L/∂x, (n, in).
    public var input: Matrix<Scalar>
    /// ∂L/∂A, (r, in).
    public var a: Matrix<Scalar>
    /// ∂L/∂B, (out, r).
    public var b: Matrix<Scalar>
}
