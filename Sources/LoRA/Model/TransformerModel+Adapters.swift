import Foundation

/// Saving and loading a model's adapters in PEFT's format, by module path.
///
/// ```
/// model.saveAdapter(to: dir)              adapter_model.safetensors + adapter_config.json
/// model.loadAdapter(from: dir)            the SAME modules must already carry adapters
/// base.loadingAdapter(from: dir)          PEFT's PeftModel.from_pretrained(base, dir):
///                                         inject the config's targets, then load
/// ```
/// On-disk names are `base_model.model.<path>.lora_A.weight` with the path PEFT gives the module
/// (``adapterFilePath(for:)``): transformers' `LlamaForCausalLM` nests its layers under `model.`,
/// so a LLaMA configuration writes `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`;
/// the package's miniature has no `model.` level and writes `base_model.model.layers.0.…`.
/// LoRA and QLoRA adapters are saved alike (float32 A and B): a QLoRA adapter loads onto a 4-bit
/// base or a 16/32-bit one.
///
/// Both loads are strict and all-or-nothing: every problem is a thrown ``AdapterError`` and the
/// model is unchanged (``loadAdapter(from:dtypes:)``) or no model is returned (``loadingAdapter(from:)``).
extension TransformerModel: LoRAAdapterHost {
    /// Every layer that carries an adapter, with its module path, in module order.
    public var adaptedLayers: [(path: String, layer: any AdaptedLayer<Scalar>)] {
        var out: [(path: String, layer: any AdaptedLayer<Scalar>)] = []
        forEachLinearLayer { path, layer in
            if let adapted = layer as? any AdaptedLayer<Scalar> { out.append((path, adapted)) }
        }
        return out
    }

    /// Puts `layers` in place of the adapted layers with the same paths.
    /// - Precondition: `layers` has exactly the paths of ``adaptedLayers``.
    public mutating func replaceAdaptedLayers(_ layers: [String: any AdaptedLayer<Scalar>]) {
        let current = adaptedLayerNames
        precondition(Set(layers.keys) == Set(current),
                     "TransformerModel.replaceAdaptedLayers: got layers \(layers.keys.sorted()), the model's adapted layers are \(current)")
        updateLinearLayers { path, layer in if let new = layers[path] { layer = new } }
    }

    /// A copy of this model with the adapter in `directory` injected and loaded: PEFT's
    /// `PeftModel.from_pretrained(base, directory)`.
    ///
    /// ```
    /// targets  = resolve(target_modules, exclude_modules) on this model   (PEFT's rules)
    /// require  targets == the modules with tensors in adapter_model.safetensors
    /// inject LoRA (r, α from rank_pattern/alpha_pattern or the config, dropout, scaling) on
    /// targets, then set A, B from the file
    /// ```
    /// This model's linear layers may be dense or 4-bit (a QLoRA base): the adapter wraps
    /// whichever base it finds. The fresh factors are overwritten, so they are drawn with the
    /// default initialisation whatever `init_lora_weights` says (PiSSA's would change the base).
    /// The result has frozen base weights and trainable adapters. This model must carry no
    /// adapters yet (use ``loadAdapter(from:dtypes:allowNonFinite:)`` to replace the weights of adapters
    /// already injected).
    /// - Throws: ``AdapterError``: everything ``AdapterFiles/read(from:dtypes:)`` checks (a missing
    ///   or corrupt file, a config whose r disagrees with the tensors, …);
    ///   ``AdapterError/Kind/targetMismatch`` when `target_modules` selects nothing on this model,
    ///   selects a module the file has no tensors for, or the file has tensors for a module the
    ///   targets do not select or this model lacks, or this model already carries adapters;
    ///   ``AdapterError/Kind/shapeMismatch`` when a factor does not fit this model's layer;
    ///   ``AdapterError/Kind/rankMismatch`` when r exceeds a target layer's min(in, out).
    public func loadingAdapter(from directory: URL) throws(AdapterError) -> TransformerModel {
        let adapter = try AdapterFiles.read(from: directory)
        let config = adapter.config
        let configFile = AdapterConfig.fileName
        let adapted = adaptedLayerNames
        if let first = adapted.first {
            throw AdapterError(file: configFile, kind: .targetMismatch,
                               problem: "the model already carries adapters (e.g. on '\(first)'); loadingAdapter(from:) "
                                   + "needs the base model, loadAdapter(from:) replaces the weights of adapters already injected",
                               found: "\(adapted.count) adapted layer(s)")
        }
        let targets = config.targetModules ?? .names([])
        let resolved: [String]
        do {
            // Resolved on the paths the file uses (a LLaMA's under `model.`), as PEFT resolves them.
            resolved = try TargetModuleMatcher.resolve(
                targets: targets, exclude: config.excludeModules, moduleNames: moduleNames.map(adapterFilePath),
                linearNames: linearLayerNames.map(adapterFilePath), outputLayerName: adapterFilePath(for: Self.outputLayerName))
        } catch {
            throw AdapterError(file: configFile, subject: "target_modules", kind: .targetMismatch,
                               problem: "does not fit this model (\(error))")
        }
        let inFile = adapter.modules
        if let extra = inFile.first(where: { !resolved.contains($0) }) {
            throw AdapterError(file: AdapterFiles.weightsFileName, subject: extra,
                               kind: .targetMismatch, problem: "has factors in the file but is not a target on this model",
                               expected: "one of \(resolved)")
        }
        if let missing = resolved.first(where: { !inFile.contains($0) }) {
            throw AdapterError(file: AdapterFiles.weightsFileName, subject: missing,
                               kind: .targetMismatch, problem: "is a target on this model but has no factors in the file",
                               expected: "lora_A and lora_B for each of \(resolved.count) targets", found: "\(inFile.count) module(s)")
        }
        var copy = self
        do {
            func fresh(_ h: LoRAHyperparameters) -> LoRAHyperparameters {
                var h = h
                h.initialization = .kaimingUniform
                return h
            }
            let modelPath = Dictionary(uniqueKeysWithValues: linearLayerNames.map { (adapterFilePath(for: $0), $0) })
            try copy.injectLoRA(targets: .names(resolved.map { modelPath[$0]! }), hyperparameters: fresh(adapter.hyperparameters), seed: 0,
                                override: { fresh(adapter.hyperparameters(for: self.adapterFilePath(for: $0))) })
        } catch {
            throw AdapterError(file: configFile, subject: "r", kind: .rankMismatch, problem: "the config does not fit this model (\(error))")
        }
        copy.replaceAdaptedLayers(try copy.layers(applying: adapter))
        return copy
    }
}
