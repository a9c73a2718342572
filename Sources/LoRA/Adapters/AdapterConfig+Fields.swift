/// What this package does with each key PEFT may write into `adapter_config.json`: honoured,
/// carried as information, or accepted only at its "off" value and refused otherwise, by name.
///
/// ```
/// honoured       r, lora_alpha, target_modules, exclude_modules, lora_dropout, use_rslora,
///                use_dora, lora_bias (every registered variant's field), init_lora_weights, rank_pattern, alpha_pattern, bias ("none"),
///                fan_in_fan_out (false), modules_to_save (null or [])
/// information    peft_type, task_type, inference_mode, base_model_name_or_path, revision,
///                auto_mapping, peft_version
/// off only       layers_to_transform, layers_pattern, loftq_config ({}),
///                megatron_config, layer_replication, use_qalora (false),
///                target_parameters, trainable_token_indices, … : any other key
/// ```
/// "Off" means null, false, an empty object or an empty list (or an object of such values,
/// e.g. `runtime_config: {"ephemeral_gpu_offload": false}`); a key whose default is a setting
/// that only matters when another feature is on (`megatron_core`, `qalora_group_size`) is
/// accepted with any value. Any other value asks for a feature this package does not have, so
/// the load fails with ``AdapterError/Kind/unsupported`` naming the key: an adapter is never
/// loaded with a setting silently dropped.
extension AdapterConfig {
    /// Keys read into this type's properties (checked by their decoders and ``hyperparameters(fileName:)``).
    static let honouredKeys = Set(CodingKeys.allCases.map(\.rawValue)).union(LoRAVariantKind.registered.map(\.configField))
    /// Keys that describe the file and change nothing about the adapter's function.
    static let informationKeys: Set<String> = ["revision", "auto_mapping", "peft_version"]
    /// Keys whose value matters only when another key turns a feature on.
    static let dependentKeys: Set<String> = ["megatron_core", "qalora_group_size"]

    /// Refuses `key` unless it is honoured, information, or off.
    static func checkField(_ key: String, _ value: HeaderJSON, fileName: String) throws(AdapterError) {
        if honouredKeys.contains(key) || informationKeys.contains(key) || dependentKeys.contains(key) { return }
        guard isOff(value) else {
            throw AdapterError(file: fileName, subject: key, kind: .unsupported,
                               problem: "this package does not support the feature this field turns on",
                               expected: "null, false or empty (the feature off)", found: value.typeName)
        }
    }

    /// null, false, {}, [], or an object or list made only of such values.
    static func isOff(_ value: HeaderJSON) -> Bool {
        switch value {
        case .null, .bool(false): true
        case .object(let fields): fields.allSatisfy { isOff($0.value) }
        case .array(let items): items.allSatisfy(isOff)
        case .bool(true), .string, .number: false
        }
    }
}
