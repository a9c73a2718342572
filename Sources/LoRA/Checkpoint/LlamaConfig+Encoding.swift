/// `config.json` as this package writes it: the fields transformers 5.25's `save_pretrained`
/// writes for a `LlamaForCausalLM`, sorted, two-space indented, with a final newline, so the
/// same config always gives the same bytes.
///
/// ```json
/// { "architectures": ["LlamaForCausalLM"], "attention_bias": false, …,
///   "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"}, …, "vocab_size": 300 }
/// ```
/// θ is written in transformers 5's `rope_parameters` form only; transformers 4 reads that key
/// as unknown and would fall back to θ = 10000, so a file for it needs `rope_theta` instead.
extension LlamaConfig {
    /// The JSON bytes.
    public func encoded() -> [UInt8] {
        func int(_ n: Int?) -> String { n.map(String.init) ?? "null" }
        func quoted(_ s: String?) -> String { s.map(SafetensorsWriter.quoted) ?? "null" }
        let eos = eosTokenIds.count == 1 ? "\(eosTokenIds[0])" : (eosTokenIds.isEmpty ? "null" : "[" + eosTokenIds.map(String.init).joined(separator: ", ") + "]")
        let fields: [(String, String)] = [
            ("architectures", "[\"\(Self.architecture)\"]"),
            ("attention_bias", "false"),
            ("attention_dropout", "0.0"),
            ("bos_token_id", int(bosTokenId)),
            ("dtype", quoted(dtype)),
            ("eos_token_id", eos),
            ("head_dim", "\(headDimension)"),
            ("hidden_act", "\"silu\""),
            ("hidden_size", "\(hiddenSize)"),
            ("initializer_range", "\(initializerRange)"),
            ("intermediate_size", "\(intermediateSize)"),
            ("max_position_embeddings", "\(maxPositionEmbeddings)"),
            ("mlp_bias", "false"),
            ("model_type", "\"llama\""),
            ("num_attention_heads", "\(headCount)"),
            ("num_hidden_layers", "\(layerCount)"),
            ("num_key_value_heads", "\(keyValueHeadCount)"),
            ("pad_token_id", int(padTokenId)),
            ("rms_norm_eps", "\(rmsNormEps)"),
            ("rope_parameters", "{\"rope_theta\": \(ropeTheta), \"rope_type\": \"default\"}"),
            ("tie_word_embeddings", "\(tieWordEmbeddings)"),
            ("use_cache", "true"),
            ("vocab_size", "\(vocabularySize)"),
        ]
        let body = fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n")
        return Array(("{\n" + body + "\n}\n").utf8)
    }
}
