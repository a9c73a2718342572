/// Weight-decomposed low-rank adaptation: DoRA (Liu et al. 2024, "DoRA: Weight-Decomposed
/// Low-Rank Adaptation", eq. 5), a variant of ``LoRALinear`` over any frozen base, exactly as
/// PEFT computes it (`peft/tuners/lora/dora.py`, `DoraLinearLayer`; `variants.py`, `DoraLinearVariant`).
///
/// ```
/// W' = W0 + s·B·A                      (out, in)   the LoRA-updated weight
/// n  = ‖W'‖ per output row             (1, out)    L2 over the input dimension, a constant in backward
/// c  = m / n                           (1, out)    m: the trained magnitude vector
///
/// eval, or dropout p = 0:   y = c ⊙ (x·W0ᵀ + s·x·Aᵀ·Bᵀ) + b                   = x·(diag(c)·W')ᵀ + b
/// training with dropout:    y = x·W0ᵀ + b + (c − 1) ⊙ (x̃·W0ᵀ) + c ⊙ s·(x̃·Aᵀ·Bᵀ)    x̃ = drop(x)
/// ```
/// m starts at the row norms of W0 + s·B·A (of W0 when B = 0), so c = 1 and the layer computes
/// exactly its base at initialisation. The norm n is treated as a constant when differentiating
/// (DoRA §4.3: "we suggest treating ‖V + ΔV‖_c as a constant"; PEFT calls `weight_norm.detach()`),
/// which is what the backward pass differentiates. With dropout, PEFT passes the dropped x̃
/// through both the rescaled base and the branch, while the plain base keeps the undropped x.
///
/// Each step costs one weight norm more than LoRA: W0 + s·B·A is formed (one thin (out, r, in)
/// GEMM and one (out, in) copy) and its rows are summed, as PEFT does every step.
///
/// On disk m is PEFT's `base_model.model.<path>.lora_magnitude_vector`, a 1-D float32 tensor of
/// length out (no `.weight` suffix), and `use_dora: true` marks the config.
///
/// Split by concept: this file holds the variant's state, its recipe and the typed accessors of
/// a DoRA layer; the forward and backward math is in `DoRAVariant+ForwardBackward.swift`,
/// merging in `DoRAVariant+Merge.swift`.
public struct DoRAVariant<Scalar: BLASScalar>: LoRAVariant {
    /// The magnitude m, (1, out): the length each output row of the adapted weight gets.
    public var magnitude: Matrix<Scalar>
    /// n at merge time (PEFT caches it as `<adapter>-weight_norm`): unmerging divides by m/n.
    /// Non-nil exactly while the layer is merged.
    var normAtMerge: Matrix<Scalar>?

    /// A DoRA variant with magnitude m, (1, out).
    public init(magnitude: Matrix<Scalar>) {
        self.magnitude = magnitude
    }

    public var kind: LoRAVariantKind { .dora }

    public var tensors: [NamedTensor<Scalar>] { [NamedTensor(DoRA.magnitudeName, magnitude)] }

    public mutating func updateTensors(_ body: (String, inout Matrix<Scalar>) -> Void) {
        body(DoRA.magnitudeName, &magnitude)
    }

    public func replacingTensors(_ tensors: [NamedTensor<Scalar>]) throws(LoRAError) -> DoRAVariant {
        let expected = [1, magnitude.columns]
        guard tensors.count == 1, let m = tensors.first, m.name == DoRA.magnitudeName else {
            throw .factorShape(factor: DoRA.magnitudeName, expected: expected, found: [])
        }
        guard m.value.rows == 1, m.value.columns == magnitude.columns else {
            throw .factorShape(factor: DoRA.magnitudeName, expected: expected, found: [m.value.rows, m.value.columns])
        }
        var out = self
        out.magnitude = m.value
        return out
    }

    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LoRAVariant<Other> {
        var out = DoRAVariant<Other>(magnitude: magnitude.converted())
        out.normAtMerge = normAtMerge?.converted()
        return out
    }

    /// n = ‖W0 + s·B·A‖₂ per output row, (1, out) (PEFT's `get_weight_norm`), summed in Double;
    /// while merged, the n kept at merge.
    /// - Complexity: one (out, r, in) GEMM onto a copy of W0, then out·in multiply-adds.
    func weightNorm<Base: LoRABase>(base: Base, branch: LoRABranch<Scalar>) -> Matrix<Scalar> where Base.Scalar == Scalar {
        // While merged the base holds diag(c)·W' (row norms m); n is the one kept at merge.
        if let normAtMerge { return normAtMerge }
        var w = base.denseWeight
        Matrix.gemm(branch.b, branch.a, alpha: branch.scale, beta: 1, into: &w)  // W0 + s·B·A: (out, in)
        return Self.rowNorms(w)
    }
}

/// DoRA's entry in the variant registry: PEFT's `use_dora`, the magnitude's name, and m's start.
public enum DoRA: LoRAVariantRecipe {
    public static var name: String { "DoRA" }
    public static var configField: String { "use_dora" }
    /// The on-disk and parameter name of m (PEFT's saved key drops the `.weight` its module has).
    public static var magnitudeName: String { "lora_magnitude_vector" }
    public static var tensorNames: [String] { [magnitudeName] }

    /// DoRA takes every initialisation and scaling.
    public static func validate(_: LoRAHyperparameters) throws(LoRAError) {}

    /// m = ‖W0 + s·B·A‖ per row (PEFT's `update_layer`), so the fresh layer computes its base.
    public static func start<Base: LoRABase>(base: Base, branch: LoRABranch<Base.Scalar>) -> any LoRAVariant<Base.Scalar> {
        var w = base.denseWeight
        Matrix.gemm(branch.b, branch.a, alpha: branch.scale, beta: 1, into: &w)
        return DoRAVariant(magnitude: DoRAVariant.rowNorms(w))
    }
}

extension LoRAVariantKind {
    /// DoRA (``DoRAVariant``), PEFT's `use_dora`.
    public static let dora = LoRAVariantKind(DoRA.self)
}

/// A LoRA layer whose ``LoRALinear/variant`` is DoRA (PEFT's `DoraLinearLayer`): the same type,
/// named for the pages that teach it; `hyperparameters.variant` (or `useDoRA: true`) makes it DoRA.
public typealias DoRALinear<Base: LoRABase> = LoRALinear<Base>

extension LoRALinear {
    /// Wraps `base` with a given branch and DoRA magnitude m (1, out), e.g. loaded from a file.
    /// The branch's hyper-parameters are marked DoRA (so files say `use_dora: true`).
    /// - Throws: ``LoRAError`` when the hyper-parameters, the factors or m do not fit `base`.
    public init(base: Base, branch: LoRABranch<Scalar>, magnitude: Matrix<Scalar>, adapterName: String = "default") throws(LoRAError) {
        var h = branch.hyperparameters
        h.variant = .dora
        let marked = try LoRABranch(a: branch.a, b: branch.b, hyperparameters: h, inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        try self.init(base: base, branch: marked, adapterName: adapterName)
        variant = try DoRAVariant(magnitude: .zeros(1, base.outFeatures)).replacingTensors([NamedTensor(DoRA.magnitudeName, magnitude)])
    }

    /// The DoRA variant's state.
    /// - Precondition: the layer is DoRA (its variant is ``LoRAVariantKind/dora``).
    var dora: DoRAVariant<Scalar> {
        get {
            guard let dora = variant as? DoRAVariant<Scalar> else {
                preconditionFailed("LoRALinear '\(adapterName)': not a DoRA layer (variant \(variant?.kind.name ?? "none"))", file: #fileID, line: #line)
            }
            return dora
        }
        set { variant = newValue }
    }

    /// DoRA's magnitude m, (1, out).
    /// - Precondition: the layer is DoRA.
    public var magnitude: Matrix<Scalar> {
        get { dora.magnitude }
        set {
            precondition(newValue.rows == 1 && newValue.columns == outFeatures,
                         "LoRALinear.magnitude: \(newValue.shapeDescription), expected (1, \(outFeatures))")
            dora.magnitude = newValue
        }
    }

    /// DoRA's n = ‖W0 + s·B·A‖₂ per output row, (1, out) (PEFT's `get_weight_norm`); while
    /// merged, the n kept at merge.
    /// - Precondition: the layer is DoRA.
    public func weightNorm() -> Matrix<Scalar> { dora.weightNorm(base: base, branch: branch) }

    /// DoRA's training forward with n given instead of computed: the function whose gradient
    /// ``backward(_:cache:)`` returns (n enters only as this constant). The ordinary training
    /// forward calls it with ``weightNorm()``; gradient checks differentiate it with n held fixed.
    /// - Precondition: the layer is DoRA and unmerged; n is (1, out).
    public func forward(_ x: Matrix<Scalar>, weightNorm n: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: LoRACache<Base>) {
        precondition(!isMerged, "LoRALinear '\(adapterName)': cannot train while merged; unmerge first")
        var (y, baseCache) = base.forward(x, training: &generator)
        let (branchCache, own) = dora.trainingUpdate(input: x, to: &y, base: base, branch: branch, weightNorm: n, using: &generator)
        return (y, LoRACache(base: baseCache, branch: branchCache, variant: own))
    }
}
