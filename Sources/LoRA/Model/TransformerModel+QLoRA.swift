/// One frozen 4-bit weight of a model, by its full name.
public struct NamedQuantizedWeight: Sendable {
    /// Full name, e.g. `layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The 4-bit tensor (codes and block constants).
    public let value: QuantizedTensor
}

extension TransformerModel where Scalar == Float {
    /// QLoRA's injection (Dettmers et al. 2023, §3): quantizes the whole base model's linear
    /// layers to 4 bits, wraps each selected one in a ``QLoRALinear`` and freezes everything else.
    ///
    /// ```
    /// W (out, in) float32  →  W4 = quant_NF4(W), absmax per `blocksize` block (double-quantized by default)
    /// targets:                 y = x·dequant(W4)ᵀ + s·(drop(x)·Aᵀ)·Bᵀ      (.qlora)
    /// other linears but head:  y = x·dequant(W4)ᵀ                          (.quantized, frozen)
    /// lm_head (not targeted):  y = x·Wᵀ                                    (.linear, float, frozen)
    /// ```
    /// This is what a QLoRA run does: the model is loaded with bitsandbytes
    /// (`BitsAndBytesConfig(load_in_4bit=True)`), whose Hugging Face Transformers integration
    /// (`replace_with_bnb_linear`) replaces every `nn.Linear` by `bnb.nn.Linear4bit` except the
    /// modules in `llm_int8_skip_modules`; left unset, that list is `get_keys_to_not_convert(model)`,
    /// the output head, kept "in full precision for numerical stability reasons" (its docstring).
    /// PEFT then attaches adapters to the targets. A targeted head is quantized and adapted like
    /// any other target.
    ///
    /// Adapters are initialised in module order from one generator seeded with `seed`, with the
    /// same draws as ``injectLoRA(targets:exclude:hyperparameters:seed:)``: a QLoRA model and a
    /// LoRA model injected with the same seed hold the same A and B. Layers that already hold a
    /// `.lora` adapter are left as they are. Nothing changes when this throws.
    /// - Returns: the adapted module paths.
    /// - Throws: ``TargetModuleError``, ``LoRAError/invalidConfiguration(_:)`` or ``QuantizationError``
    ///   (bad blocksize, non-finite weight).
    @discardableResult
    public mutating func injectQLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, doubleQuantization: Bool = true, seed: UInt64
    ) throws -> [String] {
        var copy = self
        let names = try copy.inject(targets: targets, exclude: exclude, seed: seed) { base, generator in
            .qlora(try QLoRALinear(
                base: base, hyperparameters: hyperparameters, blocksize: blocksize,
                codebook: .nf4, doubleQuantization: doubleQuantization, using: &generator))
        }
        for name in copy.linearLayerNames where name != Self.outputLayerName {
            guard let base = copy[linear: name].plainLinear else { continue }  // adapted or already 4-bit
            copy[linear: name] = .quantized(try QuantizedLinear(
                quantizing: base, blocksize: blocksize, codebook: .nf4, doubleQuantization: doubleQuantization))
        }
        self = copy
        return names
    }
}

extension TransformerModel {
    /// Every frozen 4-bit weight (of `.qlora` and `.quantized` slots), in module order. These are not
    /// in ``namedParameters``, which lists `Matrix` tensors only.
    public var namedQuantizedWeights: [NamedQuantizedWeight] {
        linearLayerNames.compactMap { name in
            self[linear: name].quantizedWeight.map { NamedQuantizedWeight(name: name + ".weight", value: $0) }
        }
    }

    /// The paths of layers that hold a 4-bit weight (``AdaptableLinear/qlora(_:)`` or
    /// ``AdaptableLinear/quantized(_:)``).
    public var quantizedLayerNames: [String] {
        linearLayerNames.filter { self[linear: $0].quantizedWeight != nil }
    }
}
