/// What this package does with each key transformers may write into a LLaMA `config.json`:
/// honoured, carried as information, accepted only "off", or refused by name.
///
/// ```
/// honoured     architectures (["LlamaForCausalLM"]), model_type ("llama"), vocab_size, hidden_size,
///              intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
///              head_dim (null or hidden_size / num_attention_heads), hidden_act ("silu"),
///              max_position_embeddings, rms_norm_eps, rope_theta, tie_word_embeddings,
///              rope_parameters / rope_scaling (null or rope_type "default"), attention_dropout (0)
/// information  bos_token_id, eos_token_id, pad_token_id, initializer_range, dtype, torch_dtype,
///              transformers_version, _name_or_path, use_cache, pretraining_tp, is_llama_config,
///              output_attentions, output_hidden_states, return_dict, chunk_size_feed_forward,
///              id2label, label2id, problem_type
/// off only     attention_bias, mlp_bias, rope_interleaved, is_encoder_decoder,
///              add_cross_attention (false or null)
/// refused      any other key, by name
/// ```
/// Information keys change what a forward pass returns or how the weights were made, never the
/// function computed: `use_cache` and `output_*` select outputs; `pretraining_tp` is the tensor
/// parallelism of pretraining, whose sliced products transformers sums to the same result;
/// `is_llama_config` is a marker SmolLM2's files carry that transformers does not read;
/// `chunk_size_feed_forward` splits the MLP's rows into chunks with the same result; the label
/// fields serve classification heads, which a causal LM does not have.
extension LlamaConfig {
    /// Keys read into this type's properties.
    static let honouredKeys: Set<String> = [
        "architectures", "model_type", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "head_dim", "hidden_act", "max_position_embeddings",
        "rms_norm_eps", "rope_theta", "rope_parameters", "rope_scaling", "tie_word_embeddings", "attention_dropout",
        "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range", "dtype", "torch_dtype",
    ]
    /// Keys that describe the file or select outputs, accepted with any value.
    static let informationKeys: Set<String> = [
        "transformers_version", "_name_or_path", "use_cache", "pretraining_tp", "is_llama_config",
        "output_attentions", "output_hidden_states", "return_dict", "chunk_size_feed_forward",
        "id2label", "label2id", "problem_type",
    ]
    /// Keys that turn on a feature this package lacks: accepted only as false or null.
    static let offOnlyKeys: Set<String> = [
        "attention_bias", "mlp_bias", "rope_interleaved", "is_encoder_decoder", "add_cross_attention",
    ]

    /// Decodes the bytes of a `config.json`; `fileName` is used in messages.
    static func decode(_ bytes: [UInt8], fileName: String) throws(CheckpointError) -> LlamaConfig {
        let f = try ConfigFields(bytes, fileName: fileName)
        // Every key is known, or refused by name.
        for key in f.fields.keys.sorted() {
            if honouredKeys.contains(key) || informationKeys.contains(key) { continue }
            let value = f.fields[key]!
            if offOnlyKeys.contains(key) {
                guard value == .bool(false) || value == .null else {
                    throw f.unsupported(key, "this package's LLaMA has no such feature", expected: "false", found: value.typeName)
                }
                continue
            }
            throw f.unsupported(key, "a config field this package does not know", expected: "only LlamaConfig's fields",
                                found: value.typeName)
        }

        // The architecture.
        guard case .array(let architectures)? = f.fields["architectures"] else {
            throw f.unsupported("architectures", "this package reads LlamaForCausalLM checkpoints only",
                                expected: "[\"\(architecture)\"]", found: f.fields["architectures"]?.typeName ?? "no field")
        }
        guard architectures == [.string(architecture)] else {
            let names = architectures.map { if case .string(let s) = $0 { "\"\(s)\"" } else { $0.typeName } }
            throw f.unsupported("architectures", "this package reads LlamaForCausalLM checkpoints only",
                                expected: "[\"\(architecture)\"]", found: "[" + names.joined(separator: ", ") + "]")
        }
        let modelType = try f.string("model_type")
        guard modelType == "llama" else {
            throw f.unsupported("model_type", "this package reads LLaMA checkpoints only", expected: "\"llama\"",
                                found: modelType.map { "\"\($0)\"" } ?? "no field")
        }
        let act = try f.string("hidden_act") ?? "silu"
        guard act == "silu" else {
            throw f.unsupported("hidden_act", "the SwiGLU MLP here uses SiLU only", expected: "\"silu\"", found: "\"\(act)\"")
        }

        var c = LlamaConfig()
        c.vocabularySize = try f.positive("vocab_size") ?? c.vocabularySize
        c.hiddenSize = try f.positive("hidden_size") ?? c.hiddenSize
        c.intermediateSize = try f.positive("intermediate_size") ?? c.intermediateSize
        c.layerCount = try f.positive("num_hidden_layers") ?? c.layerCount
        c.headCount = try f.positive("num_attention_heads") ?? c.headCount
        c.keyValueHeadCount = try f.positive("num_key_value_heads") ?? c.headCount
        c.maxPositionEmbeddings = try f.positive("max_position_embeddings") ?? c.maxPositionEmbeddings
        guard c.hiddenSize % c.headCount == 0 else {
            throw f.invalid("num_attention_heads", "does not divide hidden_size",
                            expected: "a divisor of \(c.hiddenSize)", found: "\(c.headCount)")
        }
        guard c.headCount % c.keyValueHeadCount == 0 else {
            throw f.invalid("num_key_value_heads", "does not divide num_attention_heads",
                            expected: "a divisor of \(c.headCount)", found: "\(c.keyValueHeadCount)")
        }
        if let headDim = try f.int("head_dim"), headDim != c.headDimension {
            throw f.unsupported("head_dim", "this package's heads are hidden_size / num_attention_heads wide",
                                expected: "\(c.headDimension) (or null)", found: "\(headDim)")
        }
        guard c.headDimension % 2 == 0 else {
            throw f.invalid("hidden_size", "RoPE rotates the two halves of a head, so a head's width must be even",
                            expected: "an even hidden_size / num_attention_heads", found: "\(c.headDimension)")
        }
        if let eps = try f.number("rms_norm_eps") {
            guard eps > 0 else { throw f.invalid("rms_norm_eps", "must be positive", expected: "ε > 0", found: "\(eps)") }
            c.rmsNormEps = eps
        }
        c.tieWordEmbeddings = try f.bool("tie_word_embeddings") ?? false
        if let dropout = try f.number("attention_dropout"), dropout != 0 {
            throw f.unsupported("attention_dropout", "this package's attention has no dropout", expected: "0.0", found: "\(dropout)")
        }
        c.ropeTheta = try f.ropeTheta()
        c.bosTokenId = try f.int("bos_token_id")
        c.padTokenId = try f.int("pad_token_id")
        c.eosTokenIds = try f.intList("eos_token_id")
        c.initializerRange = try f.number("initializer_range") ?? c.initializerRange
        c.dtype = try f.string("dtype")
        if c.dtype == nil { c.dtype = try f.string("torch_dtype") }
        return c
    }
}

/// The members of a parsed `config.json` with typed readers whose errors name the field.
struct ConfigFields {
    var fields: [String: HeaderJSON] = [:]
    var fileName: String

    init(_ bytes: [UInt8], fileName: String) throws(CheckpointError) {
        self.fileName = fileName
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw CheckpointError(file: fileName, kind: .invalidConfig, problem: "not valid JSON (the file is not UTF-8 text)")
        }
        let tree: HeaderJSON
        do { tree = try HeaderJSONParser.parse(bytes) } catch {
            throw CheckpointError(file: fileName, kind: .invalidConfig, problem: "not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object(let members) = tree else {
            throw CheckpointError(file: fileName, kind: .invalidConfig, problem: "not a JSON object", found: tree.typeName)
        }
        for (key, value) in members {
            guard fields[key] == nil else { throw CheckpointError(file: fileName, subject: key, kind: .invalidConfig, problem: "appears twice") }
            fields[key] = value
        }
    }

    func invalid(_ subject: String?, _ problem: String, expected: String? = nil, found: String? = nil) -> CheckpointError {
        CheckpointError(file: fileName, subject: subject, kind: .invalidConfig, problem: problem, expected: expected, found: found)
    }

    func unsupported(_ subject: String, _ problem: String, expected: String, found: String) -> CheckpointError {
        CheckpointError(file: fileName, subject: subject, kind: .unsupported, problem: problem, expected: expected, found: found)
    }

    /// An integer field, nil when absent or null.
    func int(_ key: String) throws(CheckpointError) -> Int? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .number(let text) = value, let n = Int(text) else {
            throw invalid(key, "wrong type", expected: "an integer", found: value.typeName)
        }
        return n
    }

    func positive(_ key: String) throws(CheckpointError) -> Int? {
        guard let n = try int(key) else { return nil }
        guard n > 0 else { throw invalid(key, "must be positive", expected: "an integer ≥ 1", found: "\(n)") }
        return n
    }

    /// One integer, a list of integers, or nothing (`eos_token_id`).
    func intList(_ key: String) throws(CheckpointError) -> [Int] {
        guard case .array(let items)? = fields[key] else { return try int(key).map { [$0] } ?? [] }
        var out: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .number(let text) = item, let id = Int(text) else {
                throw invalid("\(key)[\(i)]", "wrong type", expected: "an integer", found: item.typeName)
            }
            out.append(id)
        }
        return out
    }

    /// A finite number field (of `object` when given, named `name` in messages).
    func number(_ key: String, in object: [String: HeaderJSON]? = nil, name: String? = nil) throws(CheckpointError) -> Double? {
        guard let value = (object ?? fields)[key], value != .null else { return nil }
        guard case .number(let text) = value, let d = Double(text), d.isFinite else {
            throw invalid(name ?? key, "wrong type", expected: "a number", found: value.typeName)
        }
        return d
    }

    func string(_ key: String) throws(CheckpointError) -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw invalid(key, "wrong type", expected: "a string", found: value.typeName) }
        return text
    }

    func bool(_ key: String) throws(CheckpointError) -> Bool? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .bool(let b) = value else { throw invalid(key, "wrong type", expected: "true or false", found: value.typeName) }
        return b
    }

    /// The members of a RoPE object (`rope_parameters`, `rope_scaling`), nil when absent or null;
    /// a type other than "default" and any key but the type and θ are refused by name.
    func ropeObject(_ key: String) throws(CheckpointError) -> [String: HeaderJSON]? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .object(let members) = value else {
            throw invalid(key, "wrong type", expected: "an object or null", found: value.typeName)
        }
        var object: [String: HeaderJSON] = [:]
        for (k, v) in members { object[k] = v }
        for typeKey in ["rope_type", "type"] {
            guard let type = object[typeKey] else { continue }
            guard type == .string("default") else {
                let shown = if case .string(let s) = type { "\"\(s)\"" } else { type.typeName }
                throw unsupported("\(key).\(typeKey)", "this package implements only the default RoPE",
                                  expected: "\"default\"", found: shown)
            }
        }
        for k in object.keys.sorted() where !["rope_type", "type", "rope_theta"].contains(k) {
            throw unsupported("\(key).\(k)", "a RoPE setting this package does not implement",
                              expected: "only rope_type and rope_theta", found: object[k]!.typeName)
        }
        return object
    }

    /// θ from `rope_parameters` (transformers 5) or `rope_theta` + `rope_scaling` (older files);
    /// several may be present when they agree; 10000 when none is.
    func ropeTheta() throws(CheckpointError) -> Double {
        let parameters = try ropeObject("rope_parameters")
        let scaling = try ropeObject("rope_scaling")
        var given: [(name: String, value: Double)] = []
        if let p = parameters, let t = try number("rope_theta", in: p, name: "rope_parameters.rope_theta") {
            given.append(("rope_parameters.rope_theta", t))
        }
        if let s = scaling, let t = try number("rope_theta", in: s, name: "rope_scaling.rope_theta") {
            given.append(("rope_scaling.rope_theta", t))
        }
        if let t = try number("rope_theta") { given.append(("rope_theta", t)) }
        guard let first = given.first else { return 10000 }
        if let other = given.first(where: { $0.value != first.value }) {
            throw invalid(other.name, "disagrees with \(first.name)", expected: "\(first.value)", found: "\(other.value)")
        }
        guard first.value > 0 else { throw invalid(first.name, "must be positive", expected: "θ > 0", found: "\(first.value)") }
        return first.value
    }
}
