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
    /// same draws as ``injectLoRA(targets:exclude:hyperparameters:seed:override:)``: a QLoRA model and a
    /// LoRA model injected with the same seed hold the same A and B. Layers that already hold a
    /// `.lora` adapter are left as they are. Nothing changes when this throws.
    /// - Parameters:
    ///   - targets: the modules to adapt (PEFT's `target_modules`).
    ///   - exclude: modules never adapted, checked first (PEFT's `exclude_modules`).
    ///   - hyperparameters: the adapter of every target, unless `override` gives one for a path.
    ///   - blocksize: weights per absmax block of the 4-bit bases (64, as bitsandbytes).
    ///   - doubleQuantization: whether the absmax constants are quantized again to 8 bits.
    ///   - seed: seeds the one generator the adapters are initialised from.
    ///   - override: per-path hyper-parameters (PEFT's `rank_pattern` / `alpha_pattern`).
    /// - Returns: the adapted module paths.
    /// - Throws: ``TargetModuleError``, ``LoRAError`` (e.g. r larger than a layer allows) or
    ///   ``QuantizationError`` (bad blocksize, non-finite weight).
    @discardableResult
    public mutating func injectQLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, doubleQuantization: Bool = true, seed: UInt64,
        override: (String) -> LoRAHyperparameters? = { _ in nil }
    ) throws -> [String] {
        var copy = self
        // Adapters first, on the float weights (PiSSA's SVD needs them), then quantize the bases.
        let names = try copy.injectLoRA(targets: targets, exclude: exclude, hyperparameters: hyperparameters, seed: seed, override: override)
        let targeted = Set(names)
        func quantize(_ base: Linear<Float>) throws -> QuantizedLinear {
            try QuantizedLinear(quantizing: base, blocksize: blocksize, codebook: .nf4, doubleQuantization: doubleQuantization)
        }
        try copy.updateLinearLayers { path, layer in
            if let dense = layer as? Linear<Float>, path != Self.outputLayerName {
                layer = try quantize(dense)
            } else if targeted.contains(path), let adapted = layer as? any AdaptedLayer<Float>,
                      let dense = adapted.frozenBase as? Linear<Float> {
                // A variant starts afresh on the 4-bit base (PEFT computes DoRA's magnitude from
                // the quantized layer's dequantized weight).
                layer = try adapted.replacingBase(quantize(dense), restartingVariant: true)
            }
        }
        self = copy
        return names
    }

    /// The model as bitsandbytes loads it with `load_in_4bit=True`: every dense linear layer
    /// except the output head quantized to NF4, frozen, with no adapter (adapted layers keep
    /// their adapter over a quantized base). PEFT's `get_peft_model` on such a model, or
    /// ``loadingAdapter(from:)``, then gives a QLoRA model.
    /// - Throws: ``QuantizationError`` (bad blocksize, non-finite weight); nothing changes.
    public func quantized(blocksize: Int = 64, doubleQuantization: Bool = true) throws -> TransformerModel {
        var copy = self
        try copy.updateLinearLayers { path, layer in
            guard path != Self.outputLayerName else { return }
            let quantize = { (base: Linear<Float>) in
                try QuantizedLinear(quantizing: base, blocksize: blocksize, codebook: .nf4, doubleQuantization: doubleQuantization)
            }
            if let dense = layer as? Linear<Float> {
                layer = try quantize(dense)
            } else if let adapted = layer as? any AdaptedLayer<Float>, let dense = adapted.frozenBase as? Linear<Float> {
                layer = try adapted.replacingBase(quantize(dense), restartingVariant: false)  // trained variant tensors are kept
            }
        }
        copy.setBaseParametersTrainable(false)
        return copy
    }
}
