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
    /// - Throws: ``TargetModuleError`` (bad pattern, no match, non-linear match, already adapted,
    ///   a 4-bit layer of a QLoRA model)
    ///   or ``LoRAError/invalidConfiguration(_:)`` (e.g. r larger than a layer allows).
    @discardableResult
    public mutating func injectLoRA(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        hyperparameters: LoRAHyperparameters = LoRAHyperparameters(), seed: UInt64
    ) throws -> [String] {
        try inject(targets: targets, exclude: exclude, seed: seed) { base, generator in
            .lora(try LoRALinear(base: base, hyperparameters: hyperparameters, using: &generator))
        }
    }

    /// Replaces each selected plain linear layer by `wrap(layer, generator)` (one generator
    /// seeded with `seed`, layers in module order) and freezes everything but the adapters.
    /// Nothing changes when this throws. Shared by LoRA and QLoRA injection.
    mutating func inject(
        targets: TargetModules, exclude: ExcludeModules?, seed: UInt64,
        wrap: (Linear<Scalar>, inout SeededGenerator) throws -> AdaptableLinear<Scalar>
    ) throws -> [String] {
        let names = try resolveTargets(targets, exclude: exclude)
        var copy = self
        var generator = SeededGenerator(seed: seed)
        for name in names {
            guard let base = copy[linear: name].plainLinear else {
                if case .quantized = copy[linear: name] { throw TargetModuleError.quantizedBase(name) }
                throw TargetModuleError.alreadyAdapted(name)
            }
            copy[linear: name] = try wrap(base, &generator)
        }
        copy.setBaseParametersTrainable(false)
        self = copy
        return names
    }

    /// The paths of layers that carry an adapter (LoRA or QLoRA).
    public var adaptedLayerNames: [String] {
        linearLayerNames.filter { self[linear: $0].isAdapted }
    }

    /// A copy with every adapter merged into its base and removed (PEFT's `merge_and_unload`);
    /// all float parameters of the result are trainable (4-bit layers without adapter stay
    /// `.quantized` and frozen).
    ///
    /// A QLoRA layer merges into a float weight, dequant(W4) + s·B·A, kept in float (re-quantizing
    /// it would round ΔW away: see ``QLoRALinear/mergedWeight(probe:)``).
    public func mergedAndUnloaded() -> TransformerModel {
        var copy = self
        for name in adaptedLayerNames {
            switch copy[linear: name] {
            case .lora(let l): copy[linear: name] = .linear(l.mergeAndUnload())
            case .qlora(let l): copy[linear: name] = .linear(Self.dequantizedLoRA(l).mergeAndUnload())
            case .linear, .quantized: break
            }
        }
        copy.setBaseParametersTrainable(true)
        return copy
    }

    /// The `.lora` layer over dequant(W4) with the same A, B and hyper-parameters as `q`.
    static func dequantizedLoRA(_ q: QLoRALinear) -> LoRALinear<Scalar> {
        try! LoRALinear<Scalar>(
            base: Linear(weight: q.weight.dequantized().converted(), bias: q.bias?.converted()),
            a: q.a.converted(), b: q.b.converted(), hyperparameters: q.hyperparameters, adapterName: q.adapterName)
    }
}
