/// One frozen 4-bit weight of a model, by its full name.
public struct NamedQuantizedWeight: Sendable {
    /// Full name, e.g. `layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The 4-bit tensor (codes and block constants).
    public let value: QuantizedTensor
}

extension TransformerModel where Scalar == Float {
    /// QLoRA's injection (Dettmers et al. 2023, §3): quantizes each selected linear layer's
    /// weight to 4 bits, wraps it in a ``QLoRALinear`` and freezes everything else.
    ///
    /// ```
    /// W (out, in) float32  →  W4 = quant_NF4(W), absmax per `blocksize` block (double-quantized by default)
    /// y = x·dequant(W4)ᵀ + s·(drop(x)·Aᵀ)·Bᵀ
    /// ```
    /// Adapters are initialised in module order from one generator seeded with `seed`, with the
    /// same draws as ``injectLoRA(targets:exclude:hyperparameters:seed:)``: a QLoRA model and a
    /// LoRA model injected with the same seed hold the same A and B. Nothing changes when this throws.
    /// - Returns: the adapted module paths.
    /// - Throws: ``TargetModuleError``, ``LoRAError/invalidConfiguration(_:)`` or ``QuantizationError``
    ///   (bad blocksize, non-finite weight).
    @discardableResult
    public mutating func injectQLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, doubleQuantization: Bool = true, seed: UInt64
    ) throws -> [String] {
        try inject(targets: targets, exclude: exclude, seed: seed) { base, generator in
            .qlora(try QLoRALinear(
                base: base, hyperparameters: hyperparameters, blocksize: blocksize,
                codebook: .nf4, doubleQuantization: doubleQuantization, using: &generator))
        }
    }
}

extension TransformerModel {
    /// Every frozen 4-bit weight (the bases of `.qlora` slots), in module order. These are not
    /// in ``namedParameters``, which lists `Matrix` tensors only.
    public var namedQuantizedWeights: [NamedQuantizedWeight] {
        linearLayerNames.compactMap { name in
            self[linear: name].quantizedWeight.map { NamedQuantizedWeight(name: name + ".weight", value: $0) }
        }
    }

    /// The paths of layers that hold a 4-bit base (``AdaptableLinear/qlora(_:)``).
    public var quantizedLayerNames: [String] {
        linearLayerNames.filter { self[linear: $0].qloraLinear != nil }
    }
}
