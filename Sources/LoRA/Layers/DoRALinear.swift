/// Weight-decomposed low-rank adaptation: DoRA (Liu et al. 2024, "DoRA: Weight-Decomposed
/// Low-Rank Adaptation", eq. 5), over any frozen base, exactly as PEFT computes it
/// (`peft/tuners/lora/dora.py`, `DoraLinearLayer`; `variants.py`, `DoraLinearVariant`).
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
/// which is what ``backward(_:cache:)`` differentiates. With dropout, PEFT passes the dropped x̃
/// through both the rescaled base and the branch, while the plain base keeps the undropped x.
///
/// Each step costs one weight norm more than LoRA: W0 + s·B·A is formed (one thin (out, r, in)
/// GEMM and one (out, in) copy) and its rows are summed, as PEFT does every step.
///
/// On disk m is PEFT's `base_model.model.<path>.lora_magnitude_vector`, a 1-D float32 tensor of
/// length out (no `.weight` suffix), and `use_dora: true` marks the config.
///
/// The layer is split by concept: this file holds the type and its parameters; the forward and
/// backward math (with its loops) is in `DoRALinear+ForwardBackward.swift`, merging in
/// `DoRALinear+Merge.swift`, and PEFT's tensor names and adapter swaps in `DoRALinear+PEFTFormat.swift`.
public struct DoRALinear<Base: LoRABase>: Sendable {
    public typealias Scalar = Base.Scalar
    /// The frozen base layer. Its weight holds diag(c)·(W0 + s·B·A) while merged.
    public private(set) var base: Base
    /// A, B, scaling and dropout: the low-rank direction update.
    public var branch: LoRABranch<Scalar>
    /// The magnitude m, (1, out): the length each output row of the adapted weight gets.
    public var magnitude: Matrix<Scalar>
    /// The adapter's name, used in messages.
    public let adapterName: String
    /// Whether the adapted weight currently sits inside the base.
    public private(set) var isMerged = false
    /// n at merge time (PEFT caches it as `<adapter>-weight_norm`): unmerging divides by m/n.
    private(set) var normAtMerge: Matrix<Scalar>?

    /// Wraps `base` (which becomes frozen) with a fresh adapter: A and B exactly as
    /// ``LoRALinear`` initialises them, then m = ‖W0 + s·B·A‖ per row (PEFT's `update_layer`).
    /// - Throws: what ``LoRALinear/init(base:hyperparameters:adapterName:using:)`` throws.
    public init(base: Base, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(useDoRA: true),
                adapterName: String = "default", using generator: inout SeededGenerator) throws {
        var h = hyperparameters
        h.useDoRA = true
        let lora = try LoRALinear(base: base, hyperparameters: h, adapterName: adapterName, using: &generator)
        self.base = lora.base
        self.branch = lora.branch
        self.adapterName = adapterName
        self.magnitude = .zeros(1, base.outFeatures)
        self.magnitude = weightNorm()
    }

    /// Wraps `base` with a given branch and magnitude m (1, out), e.g. loaded from a file. The
    /// branch's hyper-parameters are marked `useDoRA` (so files say `use_dora: true`).
    /// - Throws: ``LoRAError`` when the hyper-parameters, the factors or m do not fit `base`.
    public init(base: Base, branch: LoRABranch<Scalar>, magnitude: Matrix<Scalar>, adapterName: String = "default") throws(LoRAError) {
        var h = branch.hyperparameters
        h.useDoRA = true
        let marked = try LoRABranch(a: branch.a, b: branch.b, hyperparameters: h, inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        let lora = try LoRALinear(base: base, branch: marked, adapterName: adapterName)
        guard magnitude.rows == 1, magnitude.columns == base.outFeatures else {
            throw .factorShape(factor: Self.magnitudeName, expected: [1, base.outFeatures], found: [magnitude.rows, magnitude.columns])
        }
        self.base = lora.base
        self.branch = lora.branch
        self.magnitude = magnitude
        self.adapterName = adapterName
    }

    /// Input features (k).
    public var inFeatures: Int { base.inFeatures }
    /// Output features (d).
    public var outFeatures: Int { base.outFeatures }
    /// The scaling s.
    public var scale: Scalar { branch.scale }

    /// The same adapter over a base transformed by `transform` (e.g. quantized), keeping A, B,
    /// m and the merged state.
    public func mapBase<NewBase: LoRABase>(_ transform: (Base) throws -> NewBase) throws -> DoRALinear<NewBase> where NewBase.Scalar == Scalar {
        var out = try DoRALinear<NewBase>(base: transform(base), branch: branch, magnitude: magnitude, adapterName: adapterName)
        out.isMerged = isMerged
        out.normAtMerge = normAtMerge
        return out
    }

    /// Puts `newBase` in place: merged at weight norm `n` (kept for unmerging), or unmerged when `n` is nil.
    mutating func setBase(_ newBase: Base, mergedAtNorm n: Matrix<Scalar>?) {
        base = newBase
        normAtMerge = n
        isMerged = n != nil
    }
}

extension DoRALinear {
    /// The base's parameters (always frozen), then `lora_A.weight`, `lora_B.weight` and
    /// `lora_magnitude_vector` (always trained); changes to the flags are ignored.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        base.visitParameters { name, value, _ in
            var frozen = false
            body(name, &value, &frozen)
        }
        var trained = true
        body(LoRAFactor.a.parameterName, &branch.a, &trained)
        trained = true
        body(LoRAFactor.b.parameterName, &branch.b, &trained)
        trained = true
        body(Self.magnitudeName, &magnitude, &trained)
    }

    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { base.quantizedWeights }

    /// A DoRA layer over the dense base in `Other` (4-bit bases are dequantized), same A, B and m.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> {
        var out = try! DoRALinear<Linear<Other>>(base: base.dense(as: Other.self), branch: branch.converted(to: Other.self),
                                                 magnitude: magnitude.converted(), adapterName: adapterName)
        out.isMerged = isMerged
        out.normAtMerge = normAtMerge?.converted()
        return out
    }
}
