extension TransformerModel {
    /// The linear layers `targets` selects (after `exclude`), by PEFT's rules.
    /// - Throws: ``TargetModuleError``.
    public func resolveTargets(_ targets: TargetModules, exclude: ExcludeModules? = nil) throws -> [String] {
        try TargetModuleMatcher.resolve(
            targets: targets, exclude: exclude, moduleNames: moduleNames,
            linearNames: linearLayerNames, outputLayerName: Self.outputLayerName)
    }

    /// Wraps each selected linear layer in a ``LoRALinear`` and freezes everything else
    /// (embeddings, norms, other linears, the adapted base weights): PEFT's `get_peft_model`.
    ///
    /// Adapters are initialised in module order from one generator seeded with `seed`. Nothing
    /// changes when this throws.
    /// - Returns: the adapted module paths.
    /// - Throws: ``TargetModuleError`` (bad pattern, no match, non-linear match, already adapted)
    ///   or ``LoRAError/invalidConfiguration(_:)`` (e.g. r larger than a layer allows).
    @discardableResult
    public mutating func injectLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(), seed: UInt64
    ) throws -> [String] {
        let names = try resolveTargets(targets, exclude: exclude)
        var copy = self
        var generator = SeededGenerator(seed: seed)
        for name in names {
            guard let base = copy[linear: name].plainLinear else { throw TargetModuleError.alreadyAdapted(name) }
            copy[linear: name] = .lora(try LoRALinear(base: base, hyperparameters: hyperparameters, using: &generator))
        }
        copy.setBaseParametersTrainable(false)
        self = copy
        return names
    }

    /// The paths of layers that carry an adapter.
    public var adaptedLayerNames: [String] {
        linearLayerNames.filter { self[linear: $0].loraLinear != nil }
    }

    /// A copy with every adapter merged into its base and removed (PEFT's `merge_and_unload`);
    /// all parameters of the result are trainable.
    public func mergedAndUnloaded() -> TransformerModel {
        var copy = self
        for name in adaptedLayerNames { copy[linear: name] = .linear(copy[linear: name].loraLinear!.mergeAndUnload()) }
        copy.setBaseParametersTrainable(true)
        return copy
    }
}
