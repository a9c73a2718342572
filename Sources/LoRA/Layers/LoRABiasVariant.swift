/// LoRA with a trainable bias on B: PEFT's `lora_bias` (`LoraConfig(lora_bias=True)`, whose
/// `lora_B` is an `nn.Linear(r, out, bias=True)`), a variant of ``LoRALinear``.
///
/// ```
/// y = base(x) + s·(drop(x)·Aᵀ·Bᵀ + b_B)          b_B: (1, out), starts at 0
/// ∂L/∂b_B = s · Σ_rows ∂L/∂y                      (1, out); A's and B's gradients are LoRA's
/// merge:   W += s·B·A,   b += s·b_B               (the base needs a bias to merge into)
/// ```
/// The scaling multiplies b_B too, because PEFT scales the whole `lora_B(lora_A(x))` output.
/// PEFT's use for it: adapters extracted from a fully fine-tuned model, whose biases moved too
/// (the field's help text in `peft/tuners/lora/config.py`). On disk b_B is the 1-D
/// `base_model.model.<path>.lora_B.bias` of length out, and `lora_bias: true` marks the config.
/// PEFT refuses it with DoRA and with initialisations other than `true`/`false`; so does
/// ``LoRABias/validate(_:)``.
///
/// This file is the whole variant; its only other mention is its entry in ``LoRAVariantKind/registered``.
public struct LoRABiasVariant<Scalar: BLASScalar>: LoRAVariant {
    /// b_B, (1, out).
    public var bias: Matrix<Scalar>

    /// The variant with bias b_B, (1, out).
    public init(bias: Matrix<Scalar>) { self.bias = bias }

    public var kind: LoRAVariantKind { .loraBias }

    public var tensors: [NamedTensor<Scalar>] { [NamedTensor(LoRABias.biasName, bias)] }

    public mutating func updateTensors(_ body: (String, inout Matrix<Scalar>) -> Void) {
        body(LoRABias.biasName, &bias)
    }

    public func replacingTensors(_ tensors: [NamedTensor<Scalar>]) throws(LoRAError) -> LoRABiasVariant {
        let expected = [1, bias.columns]
        guard tensors.count == 1, let t = tensors.first, t.name == LoRABias.biasName else {
            throw .factorShape(factor: LoRABias.biasName, expected: expected, found: [])
        }
        guard t.value.rows == 1, t.value.columns == bias.columns else {
            throw .factorShape(factor: LoRABias.biasName, expected: expected, found: [t.value.rows, t.value.columns])
        }
        return LoRABiasVariant(bias: t.value)
    }

    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LoRAVariant<Other> {
        LoRABiasVariant<Other>(bias: bias.converted())
    }

    // MARK: Forward and backward

    /// y += s·b_B on every row: (n, 1) ones times the (1, out) row, one product per element.
    private func addScaledBias(to y: inout Matrix<Scalar>, scale s: Scalar) {
        Matrix.gemm(Matrix<Scalar>(rows: y.rows, columns: 1) { _, _ in 1 }, bias, alpha: s, beta: 1, into: &y)
    }

    public func addUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base _: Base,
                                          branch: LoRABranch<Scalar>) where Base.Scalar == Scalar {
        branch.addUpdate(input: x, to: &y)
        addScaledBias(to: &y, scale: branch.scale)
    }

    public func addTrainingUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base _: Base,
                                                  branch: LoRABranch<Scalar>, using generator: inout SeededGenerator)
        -> (branch: BranchCache<Scalar>, own: (any LayerCache<Scalar>)?) where Base.Scalar == Scalar {
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        addScaledBias(to: &y, scale: branch.scale)
        return (cache, nil)
    }

    public func backward<Base: LoRABase>(_ dy: Matrix<Scalar>, cache: LoRACache<Base>, base: Base,
                                         branch: LoRABranch<Scalar>) -> LayerGradients<Scalar> where Base.Scalar == Scalar {
        var grads = branch.backward(dy, cache: cache.branch, baseInputGradient: base.backward(dy, cache: cache.base).input)
        grads.parameters.append(NamedTensor(LoRABias.biasName, branch.scale * dy.columnSums))  // s·Σ_rows ∂L/∂y: (1, out)
        return grads
    }

    // MARK: Merging

    /// W += s·B·A and the base's bias += s·b_B (PEFT's merge with `lora_bias`).
    /// - Throws: ``LoRAError/variantUnsupported(variant:reason:)`` when the base has no bias
    ///   (PEFT raises the same); ``LoRAError/nonFiniteWeight`` from a 4-bit base.
    public mutating func merge<Base: LoRABase>(into base: inout Base, branch: LoRABranch<Scalar>,
                                               adapterName: String) throws(LoRAError) where Base.Scalar == Scalar {
        try addToBase(&base, branch: branch, sign: 1, adapterName: adapterName)
    }

    /// W −= s·B·A and the base's bias −= s·b_B.
    public mutating func unmerge<Base: LoRABase>(from base: inout Base, branch: LoRABranch<Scalar>,
                                                 adapterName: String) throws(LoRAError) where Base.Scalar == Scalar {
        try addToBase(&base, branch: branch, sign: -1, adapterName: adapterName)
    }

    private func addToBase<Base: LoRABase>(_ base: inout Base, branch: LoRABranch<Scalar>, sign: Scalar,
                                           adapterName: String) throws(LoRAError) where Base.Scalar == Scalar {
        guard base.namedParameters.contains(where: { $0.name == "bias" }) else {
            throw .variantUnsupported(variant: LoRABias.name,
                                      reason: "adapter '\(adapterName)' cannot merge: the base layer has no bias to take s·b_B")
        }
        var updated = base
        try updated.addProduct(branch.b, branch.a, scale: sign * branch.scale)
        let delta = (sign * branch.scale) * bias
        updated.visitParameters { name, value, _ in if name == "bias" { value += delta } }
        base = updated
    }

    /// W0 + s·B·A with bias b + s·b_B (a base without a bias gets s·b_B as its bias).
    public func merge(into dense: inout Linear<Scalar>, branch: LoRABranch<Scalar>) {
        Matrix.gemm(branch.b, branch.a, alpha: branch.scale, beta: 1, into: &dense.weight)
        dense.bias = (dense.bias ?? .zeros(1, dense.outFeatures)) + branch.scale * bias
    }
}

/// LoRA bias's entry in the variant registry: PEFT's `lora_bias`, its tensor's name and its start.
public enum LoRABias: LoRAVariantRecipe {
    public static var name: String { "LoRA bias" }
    public static var configField: String { "lora_bias" }
    /// The on-disk and parameter name of b_B, as PEFT's `lora_B` module names its bias.
    public static var biasName: String { "lora_B.bias" }
    public static var tensorNames: [String] { [biasName] }

    /// PEFT allows `lora_bias` only with `init_lora_weights` true or false (here Kaiming-uniform A
    /// and zero B, or the seed's swapped scheme, which is saved as true).
    public static func validate(_ h: LoRAHyperparameters) throws(LoRAError) {
        switch h.initialization {
        case .kaimingUniform, .swappedZeroA: return
        case .gaussian, .pissa:
            throw .variantUnsupported(variant: name, reason: "initialisation \(h.initialization) is not supported (PEFT allows init_lora_weights true or false)")
        }
    }

    /// b_B = 0, so the fresh layer computes LoRA's function (PEFT zeroes `lora_B.bias`).
    public static func start<Base: LoRABase>(base: Base, branch _: LoRABranch<Base.Scalar>) -> any LoRAVariant<Base.Scalar> {
        LoRABiasVariant(bias: .zeros(1, base.outFeatures))
    }
}

extension LoRAVariantKind {
    /// LoRA bias (``LoRABiasVariant``), PEFT's `lora_bias`.
    public static let loraBias = LoRAVariantKind(LoRABias.self)
}
