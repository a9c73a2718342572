/// Conversion between PEFT's config and the library's ``LoRAHyperparameters``.
///
/// ```
/// r ↔ rank   lora_alpha ↔ alpha   lora_dropout ↔ dropout
/// use_rslora ↔ scaling (.rankStabilized when true)   use_dora, lora_bias, … ↔ variant (one registered variant)
/// init_lora_weights: true ↔ .kaimingUniform, "gaussian" ↔ .gaussian, "pissa" ↔ .pissa
/// ```
/// The seed's swapped scheme (``LoRAInitialization/swappedZeroA``) has no PEFT name; it is
/// written as `true`. That loses nothing a loaded adapter needs: the initialisation only decides
/// how fresh weights start, and a saved adapter carries its weights.
extension AdapterConfig {
    /// A config for adapters with hyper-parameters `h` on the modules `targetModules`.
    ///
    /// - Parameters:
    ///   - h: rank, α, dropout, scaling and initialisation shared by all adapted modules.
    ///   - targetModules: the resolved module paths (written sorted).
    ///   - baseModel: `base_model_name_or_path`, if known.
    ///   - taskType: PEFT's `task_type`, e.g. `"CAUSAL_LM"`.
    public init(hyperparameters h: LoRAHyperparameters, targetModules: [String],
                baseModel: String? = nil, taskType: String? = nil) {
        self.init()
        r = h.rank
        loraAlpha = h.alpha
        loraDropout = h.dropout
        useRSLoRA = h.scaling == .rankStabilized
        variant = h.variant
        switch h.initialization {
        case .kaimingUniform, .swappedZeroA: initLoRAWeights = .flag(true)
        case .gaussian: initLoRAWeights = .scheme("gaussian")
        case .pissa: initLoRAWeights = .scheme("pissa")
        }
        self.targetModules = .names(targetModules.sorted())
        baseModelNameOrPath = baseModel
        self.taskType = taskType
    }

    /// The library's hyper-parameters for this config, after checking that the package supports it.
    ///
    /// - Throws: ``AdapterError`` naming the field: ``AdapterError/Kind/invalidConfig`` for
    ///   `peft_type` other than "LORA", r ≤ 0, α ≤ 0 or not finite, dropout outside [0, 1);
    ///   ``AdapterError/Kind/unsupported`` for `fan_in_fan_out: true`, `bias` other than "none",
    ///   or an `init_lora_weights` scheme other than true/false/"gaussian"/"pissa".
    public func hyperparameters(fileName: String = AdapterConfig.fileName) throws(AdapterError) -> LoRAHyperparameters {
        func invalid(_ field: String, _ expected: String, _ found: String) -> AdapterError {
            AdapterError(file: fileName, subject: field, kind: .invalidConfig, problem: "invalid value", expected: expected, found: found)
        }
        func unsupported(_ field: String, _ expected: String, _ found: String) -> AdapterError {
            AdapterError(file: fileName, subject: field, kind: .unsupported, problem: "not supported by this package",
                         expected: expected, found: found)
        }
        guard peftType == "LORA" else { throw invalid("peft_type", "\"LORA\"", "\"\(peftType)\"") }
        guard !fanInFanOut else { throw unsupported("fan_in_fan_out", "false (weights stored as (out, in))", "true") }
        guard bias == "none" else { throw unsupported("bias", "\"none\"", "\"\(bias)\"") }
        if let modules = modulesToSave, !modules.isEmpty {
            throw unsupported("modules_to_save", "null or [] (only LoRA factors are loaded)", "\(modules)")
        }
        let initialization: LoRAInitialization
        switch initLoRAWeights {
        case .flag: initialization = .kaimingUniform
        case .scheme("gaussian"): initialization = .gaussian
        case .scheme(let name) where name == "pissa" || name.hasPrefix("pissa_niter_"): initialization = .pissa
        case .scheme(let name):
            throw unsupported("init_lora_weights", "true, false, \"gaussian\" or \"pissa\"", "\"\(name)\"")
        }
        let h = LoRAHyperparameters(rank: r, alpha: loraAlpha, dropout: loraDropout,
                                    scaling: useRSLoRA ? .rankStabilized : .standard, initialization: initialization,
                                    variant: variant)
        // The one validation of these values, with each error mapped to the field it concerns.
        do { try h.validate() } catch {
            switch error {
            case .rankNotPositive(let r): throw invalid("r", "a positive integer", "\(r)")
            case .alphaNotPositive(let a): throw invalid("lora_alpha", "a positive number", "\(a)")
            case .dropoutOutOfRange(let p): throw invalid("lora_dropout", "a number in [0, 1)", "\(p)")
            case .variantUnsupported(_, let reason):
                throw unsupported(variant?.configField ?? "init_lora_weights", "a setting the variant supports", reason)
            default: throw AdapterError(file: fileName, kind: .invalidConfig, problem: "\(error)")
            }
        }
        return h
    }
}
