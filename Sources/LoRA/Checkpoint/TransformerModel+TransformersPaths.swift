/// The paths transformers and PEFT give this model's modules and parameters.
///
/// ```
/// this package                      LlamaForCausalLM (transformers, PEFT)
/// layers.0.self_attn.q_proj         model.layers.0.self_attn.q_proj
/// embed_tokens.weight               model.embed_tokens.weight
/// lm_head                           lm_head
/// ```
/// transformers' `LlamaForCausalLM` keeps the decoder under `model.` and the head beside it, so
/// a PEFT adapter for it is keyed `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`.
/// The package's miniature (learned positions, GELU) has no such level: its paths are used as
/// they are, so its adapter files keep the names they always had.
extension TransformerModel {
    /// Whether this model is transformers' `LlamaForCausalLM`: rotary positions and a SwiGLU MLP.
    public var isLlama: Bool {
        if case .rotary = configuration.positionEncoding, configuration.feedForward == .swiglu { return true }
        return false
    }

    /// transformers' path of a module or parameter `path` of this model.
    public func transformersPath(_ path: String) -> String { Self.transformersPath(path, llama: isLlama) }

    /// `model.` before every path but the head's, for a LLaMA; `path` unchanged otherwise.
    static func transformersPath(_ path: String, llama: Bool) -> String {
        guard llama else { return path }
        let head = ModelModuleName.lmHead
        return path == head || path.hasPrefix(head + ".") ? path : "model." + path
    }

    /// The module path in adapter files: the transformers path (see ``LoRAAdapterHost/adapterFilePath(for:)``).
    public func adapterFilePath(for path: String) -> String { transformersPath(path) }
}
