import Foundation

/// A model that exposes its adapted layers by dotted module path, so adapters can be saved and
/// loaded without the file code knowing the model's structure or the layers' bases (dense or
/// 4-bit: PEFT saves a QLoRA adapter exactly like a LoRA one).
///
/// ```
/// model.adaptedLayers          [("layers.0.self_attn.q_proj", LoRALinear), …]   module order
/// model.replaceAdaptedLayers   called once, with every layer, after the whole file validated
/// ```
public protocol LoRAAdapterHost {
    /// The scalar type of the model's layers.
    associatedtype Scalar: BLASScalar
    /// Every adapted layer with its dotted module path, in module order.
    var adaptedLayers: [(path: String, layer: any AdaptedLayer<Scalar>)] { get }
    /// Puts `layers` (the same paths as ``adaptedLayers``) in place of the current ones.
    mutating func replaceAdaptedLayers(_ layers: [String: any AdaptedLayer<Scalar>])
}

extension LoRAAdapterHost {
    /// Saves the model's adapters to `directory` (see ``AdapterFiles/save(_:to:baseModel:taskType:)-438x1``, the list form).
    @discardableResult
    public func saveAdapter(to directory: URL, baseModel: String? = nil, taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        try AdapterFiles.save(adaptedLayers, to: directory, baseModel: baseModel, taskType: taskType)
    }

    /// Loads an adapter directory into the model's adapted layers, all or nothing
    /// (see ``AdapterFiles/read(from:dtypes:allowNonFinite:)`` and ``LoadedAdapter/applied(to:)``);
    /// on error the model is unchanged. NaN and ±Inf in the factors are refused unless
    /// `allowNonFinite` is true.
    @discardableResult
    public mutating func loadAdapter(from directory: URL, dtypes: Set<SafetensorsDType> = Set(SafetensorsDType.allCases),
                                     allowNonFinite: Bool = false) throws(AdapterError) -> AdapterConfig {
        let adapter = try AdapterFiles.read(from: directory, dtypes: dtypes, allowNonFinite: allowNonFinite)
        replaceAdaptedLayers(try adapter.applied(to: adaptedLayers))
        return adapter.config
    }
}
