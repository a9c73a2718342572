extension TransformerModel {
    /// The linear layers `targets` selects (after `exclude`), by PEFT's rules.
    /// - Throws: ``TargetModuleError``.
    public func resolveTargets(_ targets: TargetModules, exclude: ExcludeModules? = nil) throws -> [String] {
        // A tied head is the embedding, not a linear slot here; PEFT would adapt it, so a target
        // naming it is refused rather than silently skipped.
        if lmHead == nil, !(try TargetModuleMatcher.isExcluded(Self.outputLayerName, by: exclude)) {
            let head = Self.outputLayerName
            let named: Bool
            switch targets {
            case .names(let items): named = items.contains { TargetModuleMatcher.matchesSuffix(head, $0) }
            case .pattern(let p): named = try TargetModuleMatcher.fullMatch(head, pattern: p)
            case .allLinear: named = false
            }
            if named { throw TargetModuleError.tiedOutputHead(head) }
        }
        return try TargetModuleMatcher.resolve(
            targets: targets, exclude: exclude, moduleNames: moduleNames,
            linearNames: linearLayerNames, outputLayerName: Self.outputLayerName)
    }

    /// Wraps each selected linear layer in a ``LoRALinear`` and freezes everything else
    /// (embeddings, norms, other linears, the adapted base weights): PEFT's `get_peft_model`.
    /// A 4-bit layer takes an adapter like a dense one, giving a ``QLoRALinear`` (PEFT on a
    /// model loaded with `load_in_4bit`).
    ///
    /// Adapters are initialised in module order from one generator seeded with `seed`. Nothing
    /// changes when this throws.
    /// - Parameters:
    ///   - targets: the modules to adapt (PEFT's `target_modules`).
    ///   - exclude: modules never adapted, checked first (PEFT's `exclude_modules`).
    ///   - hyperparameters: the adapter of every target, unless `override` gives one for a path.
    ///   - seed: seeds the one generator the adapters are initialised from.
    ///   - override: per-path hyper-parameters (PEFT's `rank_pattern` / `alpha_pattern`).
    /// - Returns: the adapted module paths.
    /// - Throws: ``TargetModuleError`` (bad pattern, no match, non-linear match, already adapted)
    ///   or ``LoRAError`` (e.g. r larger than a layer allows).
    @discardableResult
    public mutating func injectLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(), seed: UInt64,
        override: (String) -> LoRAHyperparameters? = { _ in nil }
    ) throws -> [String] {
        let names = try resolveTargets(targets, exclude: exclude)
        let selected = Set(names)
        var copy = self
        var generator = SeededGenerator(seed: seed)
        try copy.updateLinearLayers { path, layer in
            guard selected.contains(path) else { return }
            guard let base = layer as? any LoRABase<Scalar> else { throw TargetModuleError.alreadyAdapted(path) }
            layer = try base.adapted(hyperparameters: override(path) ?? hyperparameters, using: &generator)
        }
        copy.setBaseParametersTrainable(false)
        self = copy
        return names
    }

    /// A copy with every adapter merged into its base and removed (PEFT's `merge_and_unload`).
    /// Trainable flags are left as they were: after injection everything but the adapters is
    /// frozen, and PEFT's merged model keeps those `requires_grad` flags off too
    /// (``setBaseParametersTrainable(_:)`` unfreezes it for further training).
    ///
    /// A QLoRA layer merges into a float weight, dequant(W4) + s·B·A, kept in float (re-quantizing
    /// it would round ΔW away: see ``LoRALinear/mergedWeight(probe:)``).
    public func mergedAndUnloaded() -> TransformerModel {
        var copy = self
        copy.updateLinearLayers { _, layer in
            if let adapted = layer as? any AdaptedLayer<Scalar> { layer = adapted.mergedAndUnloaded() }
        }
        return copy
    }
}
