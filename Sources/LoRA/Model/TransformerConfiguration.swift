/// The shape of a ``TransformerModel``: a decoder-only, pre-norm transformer in LLaMA's naming.
///
/// ```
/// h₀ = embed_tokens[token] (+ embed_positions[position] when .learned)      (N, d)
/// for each layer ℓ:
///   h += o_proj(attention(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))  n = input_layernorm(h)
///   h += mlp(post_attention_layernorm(h))
///          .gelu:   down_proj(gelu(up_proj(m)))
///          .swiglu: down_proj(silu(gate_proj(m)) ⊙ up_proj(m))
/// logits = lm_head(norm(h))            (lm_head = embed_tokens.weight when tied)  (N, vocab)
/// ```
/// `rope` is the identity under `.learned` positions. Linear layers have no bias (as in LLaMA),
/// so every linear is exactly a weight W (out, in). The defaults of ``init(vocabularySize:contextLength:modelDimension:headCount:layerCount:mlpDimension:embeddingStd:keyValueHeadCount:positionEncoding:feedForward:normEpsilon:tieWordEmbeddings:)``
/// are the package's miniature (learned positions, GELU MLP, full attention, untied head);
/// ``llama(vocabularySize:contextLength:modelDimension:headCount:keyValueHeadCount:layerCount:mlpDimension:ropeTheta:normEpsilon:tieWordEmbeddings:)``
/// gives transformers' `LlamaForCausalLM`.
public struct TransformerConfiguration: Sendable, Equatable, Codable {
    /// Number of token ids.
    public var vocabularySize: Int
    /// Longest sequence (number of learned positions, or of rotary positions).
    public var contextLength: Int
    /// Width d of the residual stream.
    public var modelDimension: Int
    /// Attention (query) heads H (d must be divisible by H).
    public var headCount: Int
    /// Number of transformer blocks.
    public var layerCount: Int
    /// Hidden width of the MLP (usually 4·d for GELU, about 8/3·d for SwiGLU).
    public var mlpDimension: Int
    /// Standard deviation of the initial embeddings.
    public var embeddingStd: Double
    /// Key/value heads (grouped-query attention, transformers' `num_key_value_heads`); each is
    /// shared by H / KV query heads. Equal to H: ordinary multi-head attention.
    public var keyValueHeadCount: Int
    /// How positions enter: learned embeddings added to h₀, or rotary (RoPE) on queries and keys.
    public var positionEncoding: PositionEncoding
    /// The MLP: GELU (up, down) or SwiGLU (gate, up, down).
    public var feedForward: FeedForwardKind
    /// ε of every RMSNorm (transformers' `rms_norm_eps`).
    public var normEpsilon: Double
    /// Whether the output head reuses the token embedding (transformers' `tie_word_embeddings`).
    public var tieWordEmbeddings: Bool

    /// A configuration; ``validate()`` checks it. The defaults give the package's miniature.
    public init(
        vocabularySize: Int, contextLength: Int, modelDimension: Int = 64, headCount: Int = 4,
        layerCount: Int = 2, mlpDimension: Int? = nil, embeddingStd: Double = 0.1,
        keyValueHeadCount: Int? = nil, positionEncoding: PositionEncoding = .learned,
        feedForward: FeedForwardKind = .gelu, normEpsilon: Double = 1e-5, tieWordEmbeddings: Bool = false
    ) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.modelDimension = modelDimension
        self.headCount = headCount
        self.layerCount = layerCount
        self.mlpDimension = mlpDimension ?? 4 * modelDimension
        self.embeddingStd = embeddingStd
        self.keyValueHeadCount = keyValueHeadCount ?? headCount
        self.positionEncoding = positionEncoding
        self.feedForward = feedForward
        self.normEpsilon = normEpsilon
        self.tieWordEmbeddings = tieWordEmbeddings
    }

    /// A LLaMA (transformers' `LlamaForCausalLM`): rotary positions with base `ropeTheta`,
    /// SwiGLU MLP, grouped-query attention with `keyValueHeadCount` heads (nil: H), RMSNorm ε
    /// `normEpsilon`. The defaults are `LlamaConfig`'s (`rope_theta` 10000, `rms_norm_eps` 1e-6,
    /// `tie_word_embeddings` false).
    public static func llama(
        vocabularySize: Int, contextLength: Int, modelDimension: Int, headCount: Int,
        keyValueHeadCount: Int? = nil, layerCount: Int, mlpDimension: Int,
        ropeTheta: Double = 10_000, normEpsilon: Double = 1e-6, tieWordEmbeddings: Bool = false
    ) -> TransformerConfiguration {
        TransformerConfiguration(
            vocabularySize: vocabularySize, contextLength: contextLength, modelDimension: modelDimension,
            headCount: headCount, layerCount: layerCount, mlpDimension: mlpDimension,
            keyValueHeadCount: keyValueHeadCount, positionEncoding: .rotary(theta: ropeTheta), feedForward: .swiglu,
            normEpsilon: normEpsilon, tieWordEmbeddings: tieWordEmbeddings)
    }

    /// Width d_h = d / H of one head.
    public var headDimension: Int { modelDimension / headCount }

    /// Width KV·d_h of the keys and values (k_proj and v_proj are (KV·d_h, d)).
    public var keyValueDimension: Int { keyValueHeadCount * headDimension }

    /// Checks that every size is positive, d is divisible by H and H by KV, the head width is
    /// even under RoPE, and θ and ε are positive and finite.
    /// - Throws: ``LoRAError/modelSize(field:value:)`` naming the bad field,
    ///   ``LoRAError/headsDoNotDivide(modelDimension:headCount:)``,
    ///   ``LoRAError/keyValueHeadsDoNotDivide(headCount:keyValueHeadCount:)``,
    ///   ``LoRAError/rotaryHeadDimensionOdd(headDimension:)`` or
    ///   ``LoRAError/modelSetting(field:value:)``.
    public func validate() throws(LoRAError) {
        for (name, value) in [("vocabularySize", vocabularySize), ("contextLength", contextLength),
                              ("modelDimension", modelDimension), ("headCount", headCount),
                              ("layerCount", layerCount), ("mlpDimension", mlpDimension),
                              ("keyValueHeadCount", keyValueHeadCount)] where value <= 0 {
            throw LoRAError.modelSize(field: name, value: value)
        }
        guard modelDimension % headCount == 0 else {
            throw LoRAError.headsDoNotDivide(modelDimension: modelDimension, headCount: headCount)
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw LoRAError.keyValueHeadsDoNotDivide(headCount: headCount, keyValueHeadCount: keyValueHeadCount)
        }
        guard normEpsilon > 0, normEpsilon.isFinite else { throw LoRAError.modelSetting(field: "normEpsilon", value: normEpsilon) }
        if case .rotary(let theta) = positionEncoding {
            guard theta > 0, theta.isFinite else { throw LoRAError.modelSetting(field: "ropeTheta", value: theta) }
            guard headDimension % 2 == 0 else { throw LoRAError.rotaryHeadDimensionOdd(headDimension: headDimension) }
        }
    }

    // MARK: Codable (fields added later default as in init, so older JSON still decodes)

    private enum CodingKeys: String, CodingKey {
        case vocabularySize, contextLength, modelDimension, headCount, layerCount, mlpDimension, embeddingStd
        case keyValueHeadCount, positionEncoding, feedForward, normEpsilon, tieWordEmbeddings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            vocabularySize: try c.decode(Int.self, forKey: .vocabularySize),
            contextLength: try c.decode(Int.self, forKey: .contextLength),
            modelDimension: try c.decode(Int.self, forKey: .modelDimension),
            headCount: try c.decode(Int.self, forKey: .headCount),
            layerCount: try c.decode(Int.self, forKey: .layerCount),
            mlpDimension: try c.decode(Int.self, forKey: .mlpDimension),
            embeddingStd: try c.decode(Double.self, forKey: .embeddingStd),
            keyValueHeadCount: try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount),
            positionEncoding: try c.decodeIfPresent(PositionEncoding.self, forKey: .positionEncoding) ?? .learned,
            feedForward: try c.decodeIfPresent(FeedForwardKind.self, forKey: .feedForward) ?? .gelu,
            normEpsilon: try c.decodeIfPresent(Double.self, forKey: .normEpsilon) ?? 1e-5,
            tieWordEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false)
    }
}

/// How a ``TransformerModel`` knows positions.
public enum PositionEncoding: Sendable, Equatable, Codable {
    /// A learned table `embed_positions` (context, d) added to the token embeddings (GPT-2).
    case learned
    /// Rotary position embeddings (Su et al. 2021) on queries and keys, with base θ
    /// (transformers' `rope_theta`); no position parameters.
    case rotary(theta: Double)
}

/// The MLP of every block.
public enum FeedForwardKind: Sendable, Equatable, Codable {
    /// down_proj(gelu(up_proj(x))), GELU's tanh approximation (GPT-2).
    case gelu
    /// down_proj(silu(gate_proj(x)) ⊙ up_proj(x)) (Shazeer 2020; LLaMA).
    case swiglu
}
