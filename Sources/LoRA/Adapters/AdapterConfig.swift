import Foundation

/// `adapter_config.json`: the fields of PEFT's `LoraConfig` this package reads and writes.
///
/// ```json
/// { "peft_type": "LORA", "r": 16, "lora_alpha": 32, "target_modules": ["layers.0.attn.q_proj", …],
///   "lora_dropout": 0.05, "bias": "none", "use_rslora": false, "init_lora_weights": true,
///   "fan_in_fan_out": false, "task_type": "CAUSAL_LM", "inference_mode": true,
///   "base_model_name_or_path": null, "modules_to_save": null }
/// ```
/// Reading fills absent keys with PEFT's defaults; a key of the wrong JSON type is an
/// ``AdapterError`` naming the field. Every other key PEFT writes is honoured or refused by
/// name (see the internal `AdapterConfig.checkField(_:_:fileName:)`): none is ignored.
/// Writing always emits every field above (sorted keys, pretty-printed), including `r` and
/// `lora_alpha`, which PEFT would otherwise fill with 8.
public struct AdapterConfig: Equatable, Sendable {
    /// Always `"LORA"` for this package.
    public var peftType: String = "LORA"
    /// The rank r.
    public var r: Int = 8
    /// α in s = α/r (or α/√r with `useRSLoRA`).
    public var loraAlpha: Double = 8
    /// Which modules carry an adapter; this package writes the resolved list of module paths.
    public var targetModules: TargetModules?
    /// Modules never adapted, checked before `targetModules`.
    public var excludeModules: ExcludeModules?
    /// Dropout probability on the LoRA branch's input.
    public var loraDropout: Double = 0
    /// Which biases are trained: `"none"` (the only value this package supports), `"all"`, `"lora_only"`.
    public var bias: String = "none"
    /// s = α/√r instead of α/r.
    public var useRSLoRA: Bool = false
    /// The LoRA variant, or nil for plain LoRA. PEFT spells each as its own boolean field
    /// (``LoRAVariantKind/configField``: `use_dora`, `lora_bias`), read for every registered
    /// variant; at most one may be true. Written only when set (PEFT reads a missing key as
    /// false), so plain LoRA configs are unchanged.
    public var variant: LoRAVariantKind?
    /// How fresh A and B were initialised (informational once weights are loaded).
    public var initLoRAWeights: LoRAWeightInitSetting = .flag(true)
    /// `true` when the base stores W as (in, out) (GPT-2's Conv1D); must be `false` here.
    public var fanInFanOut: Bool = false
    /// PEFT's task type, e.g. `"CAUSAL_LM"`, or nil.
    public var taskType: String?
    /// PEFT sets this to true when saving.
    public var inferenceMode: Bool = true
    /// The base model the adapter was trained on, if known.
    public var baseModelNameOrPath: String?
    /// Modules saved in full besides the adapters: must be null or empty here (refused otherwise).
    public var modulesToSave: [String]?
    /// Per-module ranks overriding `r`, in the file's key order (PEFT's `rank_pattern`).
    public var rankPattern: [PatternEntry<Int>] = []
    /// Per-module α overriding `lora_alpha`, in the file's key order (PEFT's `alpha_pattern`).
    public var alphaPattern: [PatternEntry<Double>] = []

    /// A config with PEFT's defaults (r = 8, α = 8, no targets).
    public init() {}

    /// JSON keys, as PEFT spells them.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case peftType = "peft_type", r, loraAlpha = "lora_alpha", targetModules = "target_modules"
        case excludeModules = "exclude_modules", loraDropout = "lora_dropout", bias
        case useRSLoRA = "use_rslora", initLoRAWeights = "init_lora_weights", fanInFanOut = "fan_in_fan_out"
        case taskType = "task_type", inferenceMode = "inference_mode"
        case baseModelNameOrPath = "base_model_name_or_path", modulesToSave = "modules_to_save"
        case rankPattern = "rank_pattern", alphaPattern = "alpha_pattern"
    }

    /// The file name PEFT uses.
    public static let fileName = "adapter_config.json"

    /// The largest config file read: 16 MiB (PEFT's configs are a few hundred bytes).
    static let maximumFileSize = 16 << 20

    /// Reads `adapter_config.json` from `url`.
    ///
    /// A directory, a FIFO, a device, a socket or a symbolic link loop in place of the file is
    /// refused before it is opened, with a message saying what the path is.
    /// - Throws: ``AdapterError`` naming the full path (``AdapterError/path``):
    ///   ``AdapterError/Kind/invalidConfig`` naming the field, or ``AdapterError/Kind/io``.
    public static func read(contentsOf url: URL) throws(AdapterError) -> AdapterConfig {
        try readWithBytes(contentsOf: url).config
    }

    /// ``read(contentsOf:)``, also returning the bytes read (the weights' binding is a digest of them).
    static func readWithBytes(contentsOf url: URL) throws(AdapterError) -> (config: AdapterConfig, bytes: [UInt8]) {
        let name = url.lastPathComponent
        let bytes: [UInt8]
        do { bytes = try RegularFile.wholeFile(at: url, maximumSize: maximumFileSize) } catch {
            switch error {
            case .tooLarge(let size):
                throw AdapterError(file: name, path: url.path, kind: .io, problem: "the file is too large for an adapter config",
                                   expected: "at most \(maximumFileSize) bytes", found: "\(size) bytes")
            case .unreadable(let problem):
                throw AdapterError(file: name, path: url.path, kind: .io, problem: "cannot read the file: \(problem.reason)")
            }
        }
        do {
            return (try decode(Data(bytes), fileName: name), bytes)
        } catch {
            var located = error
            located.path = url.path
            throw located
        }
    }

    /// Pretty-printed JSON with sorted keys and a final newline; the same config gives the same bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and booleans cannot fail.
        var data: Data
        do { data = try encoder.encode(self) } catch {
            preconditionFailed("AdapterConfig.encoded: JSON encoding failed (\(error))", file: #fileID, line: #line)
        }
        data.append(0x0A)
        return data
    }

    /// Writes the config atomically to `url`.
    /// - Throws: ``AdapterError`` of kind ``AdapterError/Kind/io``.
    public func write(to url: URL) throws(AdapterError) {
        do { try AtomicFile.write([UInt8](encoded()), to: url) } catch { throw AdapterError(error) }
    }
}

extension AdapterConfig: Codable {
    /// Decodes the JSON form described above.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        peftType = try c.decodeIfPresent(String.self, forKey: .peftType) ?? "LORA"
        r = try c.decodeNumberIfPresent(Int.self, forKey: .r) ?? 8
        loraAlpha = try c.decodeNumberIfPresent(Double.self, forKey: .loraAlpha) ?? 8
        targetModules = try c.decodeIfPresent(TargetModules.self, forKey: .targetModules)
        excludeModules = try c.decodeIfPresent(ExcludeModules.self, forKey: .excludeModules)
        loraDropout = try c.decodeNumberIfPresent(Double.self, forKey: .loraDropout) ?? 0
        bias = try c.decodeIfPresent(String.self, forKey: .bias) ?? "none"
        useRSLoRA = try c.decodeIfPresent(Bool.self, forKey: .useRSLoRA) ?? false
        variant = try Self.decodeVariant(from: decoder)
        initLoRAWeights = try c.decodeIfPresent(LoRAWeightInitSetting.self, forKey: .initLoRAWeights) ?? .flag(true)
        fanInFanOut = try c.decodeIfPresent(Bool.self, forKey: .fanInFanOut) ?? false
        taskType = try c.decodeIfPresent(String.self, forKey: .taskType)
        inferenceMode = try c.decodeIfPresent(Bool.self, forKey: .inferenceMode) ?? true
        baseModelNameOrPath = try c.decodeIfPresent(String.self, forKey: .baseModelNameOrPath)
        modulesToSave = try c.decodeIfPresent([String].self, forKey: .modulesToSave)
    }

    /// Encodes the JSON form described above.

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(peftType, forKey: .peftType)
        try c.encode(r, forKey: .r)
        try c.encode(JSONNumber(loraAlpha), forKey: .loraAlpha)
        try c.encode(targetModules, forKey: .targetModules)
        if let excludeModules { try c.encode(excludeModules, forKey: .excludeModules) }
        try c.encode(loraDropout, forKey: .loraDropout)
        try c.encode(bias, forKey: .bias)
        try c.encode(useRSLoRA, forKey: .useRSLoRA)
        if let variant {
            var fields = encoder.container(keyedBy: VariantField.self)
            try fields.encode(true, forKey: VariantField(variant.configField))
        }
        try c.encode(initLoRAWeights, forKey: .initLoRAWeights)
        try c.encode(fanInFanOut, forKey: .fanInFanOut)
        try c.encode(taskType, forKey: .taskType)
        try c.encode(inferenceMode, forKey: .inferenceMode)
        try c.encode(baseModelNameOrPath, forKey: .baseModelNameOrPath)
        try c.encode(modulesToSave, forKey: .modulesToSave)
        try c.encode(Dictionary(uniqueKeysWithValues: rankPattern.map { ($0.key, $0.value) }), forKey: .rankPattern)
        try c.encode(Dictionary(uniqueKeysWithValues: alphaPattern.map { ($0.key, JSONNumber($0.value)) }), forKey: .alphaPattern)
    }
}

extension AdapterConfig {
    /// A registered variant's config field, as a JSON key.
    struct VariantField: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue _: Int) { nil }
    }

    /// The one variant whose field is true, reading every registered variant's field.
    /// - Throws: a `DecodingError` naming the field when one is not a boolean, or when two are true
    ///   (PEFT refuses `lora_bias` with `use_dora`).
    static func decodeVariant(from decoder: any Decoder) throws -> LoRAVariantKind? {
        let fields = try decoder.container(keyedBy: VariantField.self)
        var chosen: LoRAVariantKind?
        for kind in LoRAVariantKind.registered {
            let key = VariantField(kind.configField)
            guard try fields.decodeIfPresent(Bool.self, forKey: key) == true else { continue }
            if let chosen {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: fields,
                    debugDescription: "\(kind.configField) and \(chosen.configField) cannot both be true (one LoRA variant per adapter)")
            }
            chosen = kind
        }
        return chosen
    }
}
