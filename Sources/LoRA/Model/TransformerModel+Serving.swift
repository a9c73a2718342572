/// Serving many adapters on one frozen base without merging (``MultiAdapterLinear`` in every
/// adapted slot): PEFT's `model.add_adapter` / `load_adapter(..., adapter_name=)` plus mixed
/// batches `model(input_ids, adapter_names=[…])`; S-LoRA and vLLM's multi-LoRA serving.
///
/// ```
/// var server = base                                   a model without adapters
/// try server.addServedAdapter("reverse", from: reverseModel)
/// try server.addServedAdapter("shift5", loaded: try AdapterFiles.read(from: dir))
/// server.logits(tokens: t, sequenceLength: T, adapters: ["reverse", "shift5", nil, …])   one per sequence
/// server.removeServedAdapter("reverse")               hot swap: the base is never written
/// ```
extension TransformerModel {
    /// The names of the adapters served, in the order added.
    public var servedAdapterNames: [String] {
        var names: [String] = []
        forEachLinearLayer { _, layer in
            for name in (layer as? any ServingLayer<Scalar>)?.adapterNames ?? [] where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Serves the adapter of `adapted` (a model trained from this base) under `name`, keeping
    /// this model's base weights as they are.
    /// - Throws: ``ServingError`` (a name already served, a DoRA layer, a path with no plain
    ///   linear layer here), ``LoRAError`` (factors that do not fit). Nothing changes on error.
    public mutating func addServedAdapter(_ name: String, from adapted: TransformerModel) throws {
        var branches: [String: LoRABranch<Scalar>] = [:]
        for (path, layer) in adapted.adaptedLayers {
            guard layer.extraAdapterTensors.isEmpty else { throw ServingError.unsupportedVariant(module: path) }
            branches[path] = layer.branch
        }
        try addServedAdapter(name, branches: branches)
    }

    /// Serves the adapter read from files (``AdapterFiles/read(from:dtypes:)``) under `name`.
    /// - Throws: as ``addServedAdapter(_:from:)``.
    public mutating func addServedAdapter(_ name: String, loaded: LoadedAdapter) throws {
        var branches: [String: LoRABranch<Scalar>] = [:]
        for (path, factors) in loaded.factors {
            guard factors.extra.isEmpty, loaded.hyperparameters.variant == nil else { throw ServingError.unsupportedVariant(module: path) }
            let h = loaded.hyperparameters(for: path)
            branches[path] = try LoRABranch(a: factors.a.converted(), b: factors.b.converted(), hyperparameters: h,
                                            inFeatures: factors.a.columns, outFeatures: factors.b.rows)
        }
        try addServedAdapter(name, branches: branches)
    }

    /// Serves `branches` (by module path) under `name`.
    public mutating func addServedAdapter(_ name: String, branches: [String: LoRABranch<Scalar>]) throws {
        guard !servedAdapterNames.contains(name) else { throw ServingError.duplicateAdapter(name) }
        var copy = self
        try copy.updateLinearLayers { path, layer in
            guard let branch = branches[path] else { return }
            if let serving = layer as? any ServingLayer<Scalar> {
                layer = try serving.addingAdapter(name, branch: branch)
            } else if let base = layer as? any LoRABase<Scalar> {
                layer = try Self.serving(base).addingAdapter(name, branch: branch)
            } else {
                throw ServingError.noBase(module: path)
            }
        }
        let known = Set(copy.linearLayerNames)
        if let missing = branches.keys.sorted().first(where: { !known.contains($0) }) { throw ServingError.noBase(module: missing) }
        self = copy
    }

    /// Stops serving `name`; slots left with no adapter become their plain base again. The base
    /// weights are not touched.
    /// - Throws: ``ServingError/unknownAdapter(_:)``.
    public mutating func removeServedAdapter(_ name: String) throws {
        guard servedAdapterNames.contains(name) else { throw ServingError.unknownAdapter(name) }
        updateLinearLayers { _, layer in
            guard let serving = layer as? any ServingLayer<Scalar> else { return }
            let removed = serving.removingAdapter(name)
            layer = removed.adapterNames.isEmpty ? removed.baseLayer : removed
        }
    }

    /// A copy in which sequence i of the next batch uses adapter `adapters[i]` (`nil`: the base
    /// alone): the routing PEFT takes as `adapter_names`.
    /// - Throws: ``ServingError/unknownAdapter(_:)`` for a name not served.
    public func routing(_ adapters: [String?], sequenceLength t: Int) throws -> TransformerModel {
        let served = Set(servedAdapterNames)
        if let unknown = adapters.compactMap({ $0 }).first(where: { !served.contains($0) }) { throw ServingError.unknownAdapter(unknown) }
        let rows = adapters.flatMap { Array(repeating: $0, count: t) }
        var copy = self
        copy.updateLinearLayers { _, layer in
            if let serving = layer as? any ServingLayer<Scalar> { layer = serving.routingRows(rows, default: nil) }
        }
        return copy
    }

    /// Logits (batch·T, vocab) with sequence i computed under adapter `adapters[i]` (mixed batch).
    /// - Throws: ``ServingError`` for an unknown name or a count other than one per sequence.
    public func logits(tokens: [Int], sequenceLength t: Int, adapters: [String?]) throws -> Matrix<Scalar> {
        guard adapters.count * t == tokens.count else { throw ServingError.routing(sequences: tokens.count / max(1, t), names: adapters.count) }
        return try routing(adapters, sequenceLength: t).logits(tokens: tokens, sequenceLength: t)
    }

    private static func serving<B: LoRABase>(_ base: B) -> any ServingLayer<B.Scalar> {
        MultiAdapterLinear(base: base)
    }
}
