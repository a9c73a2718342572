/// The shape of a ``TransformerModel``: a decoder-only, pre-norm transformer in LLaMA's naming.
///
/// ```
/// h₀ = embed_tokens[token] + embed_positions[position]                    (N, d)
/// for each layer ℓ:
///   h += o_proj(attention(q_proj(n), k_proj(n), v_proj(n)))  n = input_layernorm(h)
///   h += down_proj(gelu(up_proj(post_attention_layernorm(h))))
/// logits = lm_head(norm(h))                                               (N, vocab)
/// ```
/// Linear layers have no bias (as in LLaMA), so every linear is exactly a weight W (out, in).
public struct TransformerConfiguration: Sendable, Equatable, Codable {
    /// Number of token ids.
    public var vocabularySize: Int
    /// Longest sequence (number of learned positions).
    public var contextLength: Int
    /// Width d of the residual stream.
    public var modelDimension: Int
    /// Attention heads H (d must be divisible by H).
    public var headCount: Int
    /// Number of transformer blocks.
    public var layerCount: Int
    /// Hidden width of the MLP (usually 4·d).
    public var mlpDimension: Int
    /// Standard deviation of the initial embeddings.
    public var embeddingStd: Double

    /// A configuration; ``validate()`` checks it.
    public init(
        vocabularySize: Int, contextLength: Int, modelDimension: Int = 64, headCount: Int = 4,
        layerCount: Int = 2, mlpDimension: Int? = nil, embeddingStd: Double = 0.1
    ) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.modelDimension = modelDimension
        self.headCount = headCount
        self.layerCount = layerCount
        self.mlpDimension = mlpDimension ?? 4 * modelDimension
        self.embeddingStd = embeddingStd
    }

    /// Width d_h = d / H of one head.
    public var headDimension: Int { modelDimension / headCount }

    /// Checks that every size is positive and d is divisible by H.
    /// - Throws: ``LoRAError/modelSize(field:value:)`` naming the bad field, or
    ///   ``LoRAError/headsDoNotDivide(modelDimension:headCount:)``.
    public func validate() throws(LoRAError) {
        for (name, value) in [("vocabularySize", vocabularySize), ("contextLength", contextLength),
                              ("modelDimension", modelDimension), ("headCount", headCount),
                              ("layerCount", layerCount), ("mlpDimension", mlpDimension)] where value <= 0 {
            throw LoRAError.modelSize(field: name, value: value)
        }
        guard modelDimension % headCount == 0 else {
            throw LoRAError.headsDoNotDivide(modelDimension: modelDimension, headCount: headCount)
        }
    }
}
