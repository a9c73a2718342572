/// A small decoder-only transformer with named modules, hand-written forward and backward.
///
/// Module paths follow Hugging Face LLaMA (transformers' `LlamaForCausalLM` without the `model.` prefix):
/// ```
/// embed_tokens  embed_positions                          (embed_positions: learned positions only)
/// layers.ℓ.input_layernorm  layers.ℓ.self_attn.{q,k,v,o}_proj
/// layers.ℓ.post_attention_layernorm  layers.ℓ.mlp.{gate,up,down}_proj   (gate_proj: SwiGLU only)
/// norm  lm_head                                          (lm_head: untied only)
/// ```
/// Parameter names add `.weight` (and `.lora_A.weight` / `.lora_B.weight` on adapted layers).
/// With tied embeddings there is no `lm_head` module: logits = norm(h)·Eᵀ with E the
/// `embed_tokens.weight` table, whose gradient then sums the lookup's and the head's.
/// `Scalar` is Float for training and Double for gradient checks.
public struct TransformerModel<Scalar: BLASScalar>: Sendable {
    /// The sizes.
    public let configuration: TransformerConfiguration
    /// Token embedding (vocab, d).
    public var embedTokens: Embedding<Scalar>
    /// Learned position embedding (context, d); nil under rotary positions.
    public var embedPositions: Embedding<Scalar>?
    /// The blocks.
    public var layers: [TransformerBlock<Scalar>]
    /// Final norm.
    public var norm: RMSNorm<Scalar>
    /// Output projection (vocab, d); nil when tied to ``embedTokens``.
    public var lmHead: (any LinearLayer<Scalar>)?

    /// The name of the output layer, which "all-linear" leaves out (as PEFT does).
    public static var outputLayerName: String { ModelModuleName.lmHead }

    /// A freshly initialised model; every parameter trainable. Draws, in order: the token
    /// table, the position table (learned positions), each block, the head (untied).
    /// - Throws: what ``TransformerConfiguration/validate()`` throws.
    public init(configuration c: TransformerConfiguration, seed: UInt64) throws {
        try c.validate()
        var g = SeededGenerator(seed: seed)
        self.init(validated: c, embedding: { count, dimension in Embedding(count: count, dimension: dimension, std: c.embeddingStd, using: &g) },
                  linear: { input, output in Linear<Scalar>(inFeatures: input, outFeatures: output, bias: false, using: &g) })
    }

    /// A model of a validated configuration whose weights are all zero, to be overwritten (a
    /// checkpoint being loaded): no random draws, one allocation per weight.
    init(zeroedFor c: TransformerConfiguration) {
        self.init(validated: c, embedding: { count, dimension in Embedding(weight: .zeroed(count, dimension)) },
                  linear: { input, output in Linear<Scalar>(weight: .zeroed(output, input)) })
    }

    /// The model whose embeddings `embedding(count, dimension)` and linear layers
    /// `linear(in, out)` make, called in the order tokens, (positions,) each block's q … down,
    /// lm_head (when untied).
    private init(validated c: TransformerConfiguration, embedding: (_ count: Int, _ dimension: Int) -> Embedding<Scalar>,
                 linear: (_ input: Int, _ output: Int) -> any LinearLayer<Scalar>) {
        configuration = c
        embedTokens = embedding(c.vocabularySize, c.modelDimension)
        embedPositions = c.positionEncoding == .learned ? embedding(c.contextLength, c.modelDimension) : nil
        layers = (0..<c.layerCount).map { _ in TransformerBlock(configuration: c, linear: linear) }
        norm = RMSNorm(dimension: c.modelDimension, epsilon: c.normEpsilon)
        lmHead = c.tieWordEmbeddings ? nil : linear(c.modelDimension, c.vocabularySize)
    }

    /// The linear slot at a path from ``linearLayerNames``.
    public subscript(linear path: String) -> any LinearLayer<Scalar> {
        get {
            var found: (any LinearLayer<Scalar>)?
            forEachLinearLayer { name, layer in if name == path { found = layer } }
            guard let found else { preconditionFailed("TransformerModel: '\(path)' is not a linear layer path", file: #fileID, line: #line) }
            return found
        }
        set {
            var replaced = false
            updateLinearLayers { name, layer in
                if name == path { layer = newValue; replaced = true }
            }
            precondition(replaced, "TransformerModel: '\(path)' is not a linear layer path")
        }
    }

    // MARK: Forward and backward

    /// Logits (batch·T, vocab) for token sequences of length `sequenceLength`, without dropout.
    public func logits(tokens: [Int], sequenceLength t: Int) -> Matrix<Scalar> {
        precondition(t > 0 && t <= configuration.contextLength && tokens.count % t == 0,
                     "TransformerModel: \(tokens.count) tokens are not whole sequences of length \(t) ≤ context \(configuration.contextLength)")
        var h = embedTokens.forward(tokens)
        if let embedPositions { h.accumulate(embedPositions.forward(tokens.indices.map { $0 % t })) }
        for layer in layers { h = layer.forward(h, sequenceLength: t) }
        return head(norm.forward(h))
    }

    /// The output head on normed rows x (n, d) → (n, vocab): lm_head, or x·Eᵀ when tied.
    func head(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        lmHead?.forward(x) ?? x.matmul(embedTokens.weight, transposeB: true)  // (n, d)·(d, vocab)
    }

    /// What ``backward(_:cache:)`` needs from a training forward pass.
    public struct Cache: Sendable {
        var tokens: [Int], positions: [Int], sequenceLength: Int
        var blocks: [TransformerBlock<Scalar>.Cache]
        var norm: RMSNormCache<Scalar>
        var headCache: any LayerCache<Scalar>

        /// Every tensor the forward pass kept for backward, by name (for the memory ledger).
        public var savedTensors: [NamedTensor<Scalar>] {
            var out: [NamedTensor<Scalar>] = []
            for (l, b) in blocks.enumerated() { out += b.savedTensors.map { $0.prefixed(ModelModuleName.layers + ".\(l)") } }
            out += norm.savedTensors.map { $0.prefixed(ModelModuleName.norm) }
            out += headCache.savedTensors.map { $0.prefixed(ModelModuleName.lmHead) }
            return out
        }
    }

    /// Training forward: logits and the cache; LoRA dropout masks come from `generator`.
    public func forward(tokens: [Int], sequenceLength t: Int, training generator: inout SeededGenerator) -> (logits: Matrix<Scalar>, cache: Cache) {
        precondition(t > 0 && t <= configuration.contextLength && tokens.count % t == 0,
                     "TransformerModel: \(tokens.count) tokens are not whole sequences of length \(t) ≤ context \(configuration.contextLength)")
        let positions = tokens.indices.map { $0 % t }
        var h = embedTokens.forward(tokens)
        if let embedPositions { h.accumulate(embedPositions.forward(positions)) }
        var blocks: [TransformerBlock<Scalar>.Cache] = []
        for layer in layers {
            let (out, cache) = layer.forward(h, sequenceLength: t, training: &generator)
            blocks.append(cache)
            h = out
        }
        let (normed, normCache) = norm.forward(h, training: &generator)
        let (logits, headCache): (Matrix<Scalar>, any LayerCache<Scalar>)
        if let lmHead {
            (logits, headCache) = lmHead.forwardErasingCache(normed, training: &generator)
        } else {
            (logits, headCache) = (head(normed), InputCache(input: normed))  // tied: keeps x for ∂L/∂E
        }
        return (logits, Cache(tokens: tokens, positions: positions, sequenceLength: t, blocks: blocks, norm: normCache, headCache: headCache))
    }

    /// Gradients of every trainable tensor given ∂L/∂logits, in backward order.
    public func backward(_ dLogits: Matrix<Scalar>, cache c: Cache) -> ParameterGradients<Scalar> {
        var grads = ParameterGradients<Scalar>()
        func collect(_ prefix: String, _ g: LayerGradients<Scalar>) -> Matrix<Scalar> {
            for p in g.parameters { grads.append(p.prefixed(prefix)) }
            return g.input
        }
        let dNormed: Matrix<Scalar>
        var tiedGradient: Matrix<Scalar>?
        if let lmHead {
            dNormed = collect(ModelModuleName.lmHead, lmHead.backward(dLogits, erasedCache: c.headCache))
        } else {
            // Tied head, logits = x·Eᵀ:  ∂L/∂x = ∂L/∂logits · E  (n, vocab)·(vocab, d);
            // ∂L/∂E += (∂L/∂logits)ᵀ · x  (vocab, n)·(n, d), added to the lookup's gradient below.
            guard let x = (c.headCache as? InputCache<Scalar>)?.input else {
                preconditionFailed("TransformerModel.backward: the cache is not from a tied-head forward", file: #fileID, line: #line)
            }
            dNormed = dLogits.matmul(embedTokens.weight)
            if embedTokens.isTrainable { tiedGradient = dLogits.matmul(x, transposeSelf: true) }
        }
        var dH = collect(ModelModuleName.norm, norm.backward(dNormed, cache: c.norm))
        for l in layers.indices.reversed() {
            dH = collect(ModelModuleName.layers + ".\(l)", layers[l].backward(dH, cache: c.blocks[l], sequenceLength: c.sequenceLength))
        }
        if embedTokens.isTrainable {
            var table = embedTokens.backward(dH, indices: c.tokens)
            if let tiedGradient { table.accumulate(tiedGradient) }
            grads.append(NamedTensor(ModelModuleName.embedTokens + ".weight", table))
        }
        if let embedPositions, embedPositions.isTrainable {
            grads.append(NamedTensor(ModelModuleName.embedPositions + ".weight", embedPositions.backward(dH, indices: c.positions)))
        }
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

extension TransformerModel: ModuleContainer {
    public mutating func visitModules<V: ModuleVisitor>(_ visitor: inout V, prefix: String) where V.Scalar == Scalar {
        visitor.visit(joinPath(prefix, ModelModuleName.embedTokens), &embedTokens)
        if var positions = embedPositions {
            embedPositions = nil  // the table's only copy is `positions` while the visitor holds it
            visitor.visit(joinPath(prefix, ModelModuleName.embedPositions), &positions)
            embedPositions = positions
        }
        for l in layers.indices { layers[l].visitModules(&visitor, prefix: joinPath(prefix, ModelModuleName.layers + ".\(l)")) }
        visitor.visit(joinPath(prefix, ModelModuleName.norm), &norm)
        if var head = lmHead {
            lmHead = nil
            visitor.visitLinear(joinPath(prefix, ModelModuleName.lmHead), &head)
            lmHead = head
        }
    }
}

/// The model children's names, each spelled once.
enum ModelModuleName {
    static let embedTokens = "embed_tokens", embedPositions = "embed_positions", layers = "layers"
    static let norm = "norm", lmHead = "lm_head"
}

