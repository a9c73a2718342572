import Foundation

/// A model that exposes its LoRA layers by dotted module path, so adapters can be saved and
/// loaded without the file code knowing the model's structure.
///
/// ```
/// model.loraLayers          ["layers.0.self_attn.q_proj": LoRALinear, …]
/// model.replaceLoRALayers   called once, with every layer, after the whole file validated
/// ```
public protocol LoRAAdapterHost {
    /// The scalar type of the model's layers.
    associatedtype Scalar: BLASScalar
    /// Every LoRA layer, keyed by dotted module path (`layers.0.self_attn.q_proj`).
    var loraLayers: [String: LoRALinear<Scalar>] { get }
    /// Puts `layers` (same keys as ``loraLayers``) in place of the current ones.
    mutating func replaceLoRALayers(_ layers: [String: LoRALinear<Scalar>])
}

extension LoRAAdapterHost {
    /// Saves the model's adapters to `directory` (see ``AdapterFiles/save(_:to:baseModel:taskType:)``).
    @discardableResult
    public func saveAdapter(to directory: URL, baseModel: String? = nil, taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        try AdapterFiles.save(loraLayers, to: directory, baseModel: baseModel, taskType: taskType)
    }

    /// Loads an adapter directory into the model, all or nothing
    /// (see ``AdapterFiles/load(from:into:dtypes:)``); on error the model is unchanged.
    @discardableResult
    public mutating func loadAdapter(from directory: URL) throws(AdapterError) -> AdapterConfig {
        try loadAdapter(from: directory, allowNonFinite: false)
    }

    /// ``loadAdapter(from:)`` with a choice about NaN and ±Inf in the factors (refused unless
    /// `allowNonFinite` is true).
    @discardableResult
    public mutating func loadAdapter(from directory: URL, allowNonFinite: Bool) throws(AdapterError) -> AdapterConfig {
        var layers = loraLayers
        let config = try AdapterFiles.load(from: directory, into: &layers, allowNonFinite: allowNonFinite)
        replaceLoRALayers(layers)
        return config
    }
}
