import Foundation

/// A model that exposes its adapted layers by dotted module path, so adapters can be saved and
/// loaded without the file code knowing the model's structure or the layers' bases (dense or
/// 4-bit: PEFT saves a QLoRA adapter exactly like a LoRA one).
///
/// ```
/// model.adaptedLayers          [("layers.0.self_attn.q_proj", LoRALinear), …]   module order
/// model.replaceAdaptedLayers   called once, with every layer, after the whole file validated
/// model.adapterFilePath        "layers.0.self_attn.q_proj" → the module path written in files
///                              (a LLaMA's: "model.layers.0.self_attn.q_proj", as PEFT names it)
/// ```
public protocol LoRAAdapterHost {
    /// The scalar type of the model's layers.
    associatedtype Scalar: BLASScalar
    /// Every adapted layer with its dotted module path, in module order.
    var adaptedLayers: [(path: String, layer: any AdaptedLayer<Scalar>)] { get }
    /// Puts `layers` (the same paths as ``adaptedLayers``) in place of the current ones.
    mutating func replaceAdaptedLayers(_ layers: [String: any AdaptedLayer<Scalar>])
    /// The module path adapter files use for the model's module `path`: PEFT's path for this
    /// kind of model. The default is `path` itself.
    func adapterFilePath(for path: String) -> String
}

extension LoRAAdapterHost {
    /// `path` unchanged: files name modules as the model does.
    public func adapterFilePath(for path: String) -> String { path }

    /// ``adaptedLayers`` keyed by their paths in adapter files (``adapterFilePath(for:)``).
    public var adaptedLayersByFilePath: [(path: String, layer: any AdaptedLayer<Scalar>)] {
        adaptedLayers.map { (adapterFilePath(for: $0.path), $0.layer) }
    }

    /// `adapter`'s factors put on this model's adapted layers (see ``LoadedAdapter/applied(to:)``),
    /// keyed by the model's own paths, ready for ``replaceAdaptedLayers(_:)``.
    public func layers(applying adapter: LoadedAdapter) throws(AdapterError) -> [String: any AdaptedLayer<Scalar>] {
        let modelPath = Dictionary(uniqueKeysWithValues: adaptedLayers.map { (adapterFilePath(for: $0.path), $0.path) })
        let replaced = try adapter.applied(to: adaptedLayersByFilePath)
        return Dictionary(uniqueKeysWithValues: replaced.map { (modelPath[$0.key]!, $0.value) })
    }

    /// Saves the model's adapters to `directory` (see ``AdapterFiles/save(_:to:baseModel:taskType:)-438x1``, the list form).
    @discardableResult
    public func saveAdapter(to directory: URL, baseModel: String? = nil, taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        try AdapterFiles.save(adaptedLayersByFilePath, to: directory, baseModel: baseModel, taskType: taskType)
    }

    /// Loads an adapter directory into the model's adapted layers, all or nothing
    /// (see ``AdapterFiles/read(from:dtypes:allowNonFinite:)`` and ``LoadedAdapter/applied(to:)``);
    /// on error the model is unchanged. NaN and ±Inf in the factors are refused unless
    /// `allowNonFinite` is true.
    @discardableResult
    public mutating func loadAdapter(from directory: URL, dtypes: Set<SafetensorsDType> = Set(SafetensorsDType.allCases),
                                     allowNonFinite: Bool = false) throws(AdapterError) -> AdapterConfig {
        let adapter = try AdapterFiles.read(from: directory, dtypes: dtypes, allowNonFinite: allowNonFinite)
        replaceAdaptedLayers(try layers(applying: adapter))
        return adapter.config
    }
}
