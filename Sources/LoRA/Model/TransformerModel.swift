/// A small decoder-only transformer with named modules, hand-written forward and backward.
///
/// Module paths follow Hugging Face LLaMA (without the `model.` prefix):
/// ```
/// embed_tokens  embed_positions
/// layers.ℓ.input_layernorm  layers.ℓ.self_attn.{q,k,v,o}_proj
/// layers.ℓ.post_attention_layernorm  layers.ℓ.mlp.{up,down}_proj
/// norm  lm_head
/// ```
/// Parameter names add `.weight` (and `.lora_A.weight` / `.lora_B.weight` on adapted layers).
/// `Scalar` is Float for training and Double for gradient checks.
public struct TransformerModel<Scalar: BLASScalar>: Sendable {
    /// The sizes.
    public let configuration: TransformerConfiguration
    /// Token embedding (vocab, d).
    public var embedTokens: Embedding<Scalar>
    /// Learned position embedding (context, d).
    public var embedPositions: Embedding<Scalar>
    /// The blocks.
    public var layers: [TransformerBlock<Scalar>]
    /// Final norm.
    public var norm: RMSNorm<Scalar>
    /// Output projection (vocab, d).
    public var lmHead: AdaptableLinear<Scalar>

    /// The name of the output layer, which "all-linear" leaves out (as PEFT does).
    public static var outputLayerName: String { "lm_head" }

    /// A freshly initialised model; every parameter trainable.
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` for a bad configuration.
    public init(configuration c: TransformerConfiguration, seed: UInt64) throws {
        try c.validate()
        var g = SeededGenerator(seed: seed)
        configuration = c
        embedTokens = Embedding(count: c.vocabularySize, dimension: c.modelDimension, std: c.embeddingStd, using: &g)
        embedPositions = Embedding(count: c.contextLength, dimension: c.modelDimension, std: c.embeddingStd, using: &g)
        layers = (0..<c.layerCount).map { _ in TransformerBlock(configuration: c, using: &g) }
        norm = RMSNorm(dimension: c.modelDimension)
        lmHead = .linear(Linear(inFeatures: c.modelDimension, outFeatures: c.vocabularySize, bias: false, using: &g))
    }

    // MARK: Names

    /// Every module path, containers included, in PyTorch's `named_modules()` order.
    public var moduleNames: [String] {
        var names = ["embed_tokens", "embed_positions", "layers"]
        for l in layers.indices {
            let p = "layers.\(l)"
            names += [p, p + ".input_layernorm", p + ".self_attn"]
            names += ["q_proj", "k_proj", "v_proj", "o_proj"].map { p + ".self_attn." + $0 }
            names += [p + ".post_attention_layernorm", p + ".mlp", p + ".mlp.up_proj", p + ".mlp.down_proj"]
        }
        return names + ["norm", "lm_head"]
    }

    /// The paths of the linear layers (the modules LoRA can adapt), `lm_head` last.
    public var linearLayerNames: [String] {
        layers.indices.flatMap { l in TransformerBlock<Scalar>.linearNames.map { "layers.\(l)." + $0 } } + ["lm_head"]
    }

    /// The linear slot at a path from ``linearLayerNames``.
    public subscript(linear name: String) -> AdaptableLinear<Scalar> {
        get {
            if name == "lm_head" { return lmHead }
            let (l, rest) = Self.split(name)
            return layers[l][linear: rest]
        }
        set {
            if name == "lm_head" { lmHead = newValue; return }
            let (l, rest) = Self.split(name)
            layers[l][linear: rest] = newValue
        }
    }

    private static func split(_ name: String) -> (Int, String) {
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "layers", let l = Int(parts[1]) else {
            preconditionFailure("TransformerModel: '\(name)' is not a linear layer path")
        }
        return (l, parts[2])
    }

    // MARK: Forward and backward

    /// Logits (batch·T, vocab) for token sequences of length `sequenceLength`, without dropout.
    public func logits(tokens: [Int], sequenceLength t: Int) -> Matrix<Scalar> {
        precondition(t > 0 && t <= configuration.contextLength && tokens.count % t == 0,
                     "TransformerModel: \(tokens.count) tokens are not whole sequences of length \(t) ≤ context \(configuration.contextLength)")
        var h = embedTokens.forward(tokens)
        h.accumulate(embedPositions.forward(tokens.indices.map { $0 % t }))
        for layer in layers { h = layer.forward(h, sequenceLength: t) }
        return lmHead.forward(norm.forward(h).output)
    }

    /// What ``backward(_:cache:)`` needs from a training forward pass.
    public struct Cache: Sendable {
        var tokens: [Int], positions: [Int], sequenceLength: Int
        var blocks: [TransformerBlock<Scalar>.Cache]
        var normInput: Matrix<Scalar>, normRMS: [Scalar]
        var headCache: AdaptableLinearCache<Scalar>

        /// Every tensor the forward pass kept for backward, by name (for the memory ledger).
        public var savedTensors: [(String, Matrix<Scalar>)] {
            var out: [(String, Matrix<Scalar>)] = []
            for (l, b) in blocks.enumerated() { out += b.savedTensors.map { ("layers.\(l)." + $0.0, $0.1) } }
            out.append(("norm.input", normInput))
            out.append(("norm.inverse_rms", Matrix(rows: normRMS.count, columns: 1, storage: normRMS)))
            out += headCache.savedTensors.map { ("lm_head." + $0.0, $0.1) }
            return out
        }
    }

    /// Training forward: logits and the cache; LoRA dropout masks come from `generator`.
    public func forward(tokens: [Int], sequenceLength t: Int, training generator: inout SeededGenerator) -> (logits: Matrix<Scalar>, cache: Cache) {
        precondition(t > 0 && t <= configuration.contextLength && tokens.count % t == 0,
                     "TransformerModel: \(tokens.count) tokens are not whole sequences of length \(t) ≤ context \(configuration.contextLength)")
        let positions = tokens.indices.map { $0 % t }
        var h = embedTokens.forward(tokens)
        h.accumulate(embedPositions.forward(positions))
        var blocks: [TransformerBlock<Scalar>.Cache] = []
        for layer in layers {
            let (out, cache) = layer.forward(h, sequenceLength: t, training: &generator)
            blocks.append(cache)
            h = out
        }
        let (normed, rho) = norm.forward(h)
        let (logits, headCache) = lmHead.forward(normed, training: &generator)
        return (logits, Cache(tokens: tokens, positions: positions, sequenceLength: t, blocks: blocks, normInput: h, normRMS: rho, headCache: headCache))
    }

    /// Gradients of every trainable tensor given ∂L/∂logits.
    public func backward(_ dLogits: Matrix<Scalar>, cache c: Cache) -> ParameterGradients<Scalar> {
        var grads = ParameterGradients<Scalar>()
        let head = lmHead.backward(dLogits, cache: c.headCache)
        for (n, g) in head.parameters { grads.tensors["lm_head." + n] = g }
        let n = norm.backward(input: c.normInput, inverseRMS: c.normRMS, outputGradient: head.input)
        if let w = n.weight { grads.tensors["norm.weight"] = w }
        var dH = n.input
        for l in layers.indices.reversed() {
            let r = layers[l].backward(dH, cache: c.blocks[l], sequenceLength: c.sequenceLength)
            for (name, g) in r.parameters { grads.tensors["layers.\(l)." + name] = g }
            dH = r.input
        }
        if embedTokens.isTrainable { grads.tensors["embed_tokens.weight"] = embedTokens.backward(c.tokens, outputGradient: dH) }
        if embedPositions.isTrainable { grads.tensors["embed_positions.weight"] = embedPositions.backward(c.positions, outputGradient: dH) }
        return grads
    }

    /// One forward and backward pass on a batch: mean cross-entropy over scored positions,
    /// the gradients of trainable tensors, the arg-max predictions and the forward cache.
    public func lossAndGradients(_ batch: TokenBatch, training generator: inout SeededGenerator) -> (loss: Double, gradients: ParameterGradients<Scalar>, predictions: [Int], cache: Cache) {
        let (logits, cache) = forward(tokens: batch.tokens, sequenceLength: batch.sequenceLength, training: &generator)
        let (loss, dLogits, predictions) = CrossEntropy.lossAndGradient(logits: logits, targets: batch.targets)
        return (loss, backward(dLogits, cache: cache), predictions, cache)
    }
}
