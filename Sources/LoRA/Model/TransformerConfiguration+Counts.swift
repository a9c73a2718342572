/// What a model of a given shape holds, counted from the shape alone (no weights are built), so
/// that a LLaMA-7B or -70B configuration can be counted on a laptop.
///
/// ```
/// per block   q: d·(H·d_h)   k, v: d·(KV·d_h) each   o: (H·d_h)·d
///             MLP: 3·d·m (SwiGLU: gate, up, down) or 2·d·m (GELU: up, down)   two RMSNorms: 2·d
/// model       embed_tokens V·d (+ embed_positions T·d when learned) + L blocks + norm d
///             + lm_head V·d unless tied
/// KV cache    2·L·KV·d_h numbers per token (a key and a value row per layer)
/// ```
/// Grouped-query attention (Ainslie et al. 2023) shrinks k_proj, v_proj and the cache by H/KV;
/// nothing else changes. The counts equal ``Module/parameterCount`` of a model built from the
/// configuration (`TransformerCountsTests`).
extension TransformerConfiguration {
    /// Parameters of one decoder block.
    public var blockParameterCount: Int {
        let (d, m) = (modelDimension, mlpDimension)
        let attention = 2 * d * (headCount * headDimension) + 2 * d * keyValueDimension
        let mlp = (feedForward == .swiglu ? 3 : 2) * d * m
        return attention + mlp + 2 * d
    }

    /// Parameters of the whole model: embeddings, blocks, final norm and (untied) output head.
    public var parameterCount: Int {
        var count = vocabularySize * modelDimension + layerCount * blockParameterCount + modelDimension
        if positionEncoding == .learned { count += contextLength * modelDimension }
        if !tieWordEmbeddings { count += vocabularySize * modelDimension }
        return count
    }

    /// Numbers the key/value cache keeps per token: 2·L·KV·d_h (``KVCache/elementCount`` grows by
    /// this much with every token). Multiply by the bytes of the cache's element type.
    public var keyValueCacheElementsPerToken: Int { 2 * layerCount * keyValueDimension }
}
