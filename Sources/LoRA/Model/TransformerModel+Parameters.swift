/// Names, counts, freezing and conversion: each is a visitor of the model's one traversal
/// (``ModuleContainer/visitModules(_:prefix:)``), not a walk of its own.
extension TransformerModel {
    /// Makes every non-adapter parameter trainable (`true`, full fine-tuning) or frozen (`false`).
    /// Adapters (A, B) stay trainable and adapted or 4-bit base weights stay frozen: their layers
    /// ignore the change.
    public mutating func setBaseParametersTrainable(_ trainable: Bool) {
        visitParameters { _, _, isTrainable in isTrainable = trainable }
    }

    /// The paths of layers that carry an adapter, in module order.
    public var adaptedLayerNames: [String] {
        var names: [String] = []
        forEachLinearLayer { path, layer in if layer is any AdaptedLayer<Scalar> { names.append(path) } }
        return names
    }

    /// The paths of layers that hold a 4-bit weight, in module order.
    public var quantizedLayerNames: [String] {
        var names: [String] = []
        forEachLinearLayer { path, layer in if !layer.quantizedWeights.isEmpty { names.append(path) } }
        return names
    }

    /// The same model in another precision (e.g. a Float model checked in Double).
    ///
    /// Each linear slot converts itself (``LinearLayer/converted(to:)``): a QLoRA layer becomes a
    /// LoRA layer over dequant(W4) with the same A and B, and a 4-bit layer a frozen dense layer
    /// over dequant(W4), so the model computes the same function, with the 4-bit rounding kept
    /// and the storage lost. Every other parameter is copied by name, with its trainable flag.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> TransformerModel<Other> {
        var source = self
        var out: TransformerModel<Other>
        do {
            out = try TransformerModel<Other>(configuration: configuration, seed: 0)
        } catch {
            preconditionFailed("TransformerModel.converted: the configuration this model was built with was refused (\(error))", file: #fileID, line: #line)
        }
        var linears: [String: any LinearLayer<Other>] = [:]
        forEachLinearLayer { path, layer in linears[path] = layer.converted(to: Other.self) }
        out.updateLinearLayers { path, layer in layer = linears[path]! }
        // The linear slots converted themselves; copy only the other parameters (norms, embeddings).
        let linearPaths = Set(linears.keys)
        func inLinearSlot(_ name: String) -> Bool {
            var path = Substring(name)
            while let dot = path.lastIndex(of: ".") {
                path = path[..<dot]
                if linearPaths.contains(String(path)) { return true }
            }
            return false
        }
        var values: [String: (Matrix<Scalar>, Bool)] = [:]
        source.visitParameters { name, value, trainable in if !inLinearSlot(name) { values[name] = (value, trainable) } }
        out.visitParameters { name, value, trainable in
            guard let (v, t) = values[name] else { return }
            value = v.converted()
            trainable = t
        }
        return out
    }
}

/// One frozen 4-bit weight of a model, by its full name.
public struct NamedQuantizedWeight: Sendable {
    /// Full name, e.g. `layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The 4-bit tensor (codes and block constants).
    public let value: QuantizedTensor
}

extension ModuleContainer {
    /// Every frozen 4-bit weight, in module order (``Module/quantizedWeights`` as named values).
    public var namedQuantizedWeights: [NamedQuantizedWeight] {
        quantizedWeights.map { NamedQuantizedWeight(name: $0.name, value: $0.value) }
    }
}
