/// One pre-norm decoder block: causal self-attention then an MLP, each added to the residual.
///
/// ```
/// a = input_layernorm(h)                                          (N, d)
/// q = rope(q_proj(a))  (N, H·d_h)    k = rope(k_proj(a))  (N, KV·d_h)    v = v_proj(a)  (N, KV·d_h)
/// h′ = h + o_proj(attention(q, k, v))                             o_proj: (d, H·d_h)
/// m = post_attention_layernorm(h′)
/// out = h′ + down_proj(gelu(up_proj(m)))                          .gelu    up: d → m, down: m → d
/// out = h′ + down_proj(silu(gate_proj(m)) ⊙ up_proj(m))           .swiglu  gate, up: d → m
/// ```
/// `rope` (``RotaryEmbedding``) turns each head by its row's position p = row mod T under
/// `.rotary` positions and is the identity under `.learned`. The linear slots hold
/// `any LinearLayer`: a dense ``Linear``, a 4-bit ``QuantizedLinear``, or either wrapped in an
/// adapter.
public struct TransformerBlock<Scalar: BLASScalar>: Sendable {
    /// Norm before attention.
    public var inputLayernorm: RMSNorm<Scalar>
    /// Query and output projections, (H·d_h, d) and (d, H·d_h); key and value, (KV·d_h, d) each.
    public var qProj, kProj, vProj, oProj: any LinearLayer<Scalar>
    /// Norm before the MLP.
    public var postAttentionLayernorm: RMSNorm<Scalar>
    /// SwiGLU's gate projection (m, d); nil in a GELU MLP.
    public var gateProj: (any LinearLayer<Scalar>)?
    /// MLP projections: up (m, d), down (d, m).
    public var upProj, downProj: any LinearLayer<Scalar>
    /// Number of query heads H.
    public let headCount: Int
    /// Number of key/value heads KV (divides H).
    public let keyValueHeadCount: Int
    /// The rotation of queries and keys; nil under learned positions.
    public let rotary: RotaryEmbedding<Scalar>?

    /// A block with PyTorch-default linear initialisation, drawn from `generator` in the order
    /// q, k, v, o, (gate,) up, down.
    public init(configuration c: TransformerConfiguration, using generator: inout SeededGenerator) {
        self.init(configuration: c) { input, output in Linear<Scalar>(inFeatures: input, outFeatures: output, bias: false, using: &generator) }
    }

    /// A block whose linear layers `linear(in, out)` makes, called in the order q, k, v, o,
    /// (gate,) up, down.
    init(configuration c: TransformerConfiguration, linear: (_ input: Int, _ output: Int) -> any LinearLayer<Scalar>) {
        let (d, m, dkv) = (c.modelDimension, c.mlpDimension, c.keyValueDimension)
        inputLayernorm = RMSNorm(dimension: d, epsilon: c.normEpsilon)
        qProj = linear(d, c.headCount * c.headDimension); kProj = linear(d, dkv); vProj = linear(d, dkv)
        oProj = linear(c.headCount * c.headDimension, d)
        postAttentionLayernorm = RMSNorm(dimension: d, epsilon: c.normEpsilon)
        gateProj = c.feedForward == .swiglu ? linear(d, m) : nil
        upProj = linear(d, m); downProj = linear(m, d)
        headCount = c.headCount
        keyValueHeadCount = c.keyValueHeadCount
        switch c.positionEncoding {
        case .learned: rotary = nil
        case .rotary(let theta): rotary = RotaryEmbedding(headDimension: c.headDimension, theta: theta)
        }
    }

    /// Everything the block's backward pass needs.
    public struct Cache: LayerCache {
        var norm1: RMSNormCache<Scalar>
        /// q and k after the rotation (what the attention saw), v.
        var q, k, v: Matrix<Scalar>
        var qCache, kCache, vCache, oCache: any LayerCache<Scalar>
        var attention: ScaledDotProductAttention.Cache<Scalar>
        var norm2: RMSNormCache<Scalar>
        var gateOutput: Matrix<Scalar>?
        var upOutput: Matrix<Scalar>
        var gateCache: (any LayerCache<Scalar>)?
        var upCache, downCache: any LayerCache<Scalar>

        /// The tensors kept for backward, by name relative to the block (for the memory ledger).
        public var savedTensors: [NamedTensor<Scalar>] {
            var out = norm1.savedTensors.map { $0.prefixed(BlockModuleName.inputLayernorm) }
            out += [NamedTensor("q", q), NamedTensor("k", k), NamedTensor("v", v),
                    NamedTensor("probabilities", attention.probabilities)].map { $0.prefixed(BlockModuleName.attention) }
            out += norm2.savedTensors.map { $0.prefixed(BlockModuleName.postAttentionLayernorm) }
            if let gateOutput { out.append(NamedTensor("gate_output", gateOutput).prefixed(BlockModuleName.mlp)) }
            out.append(NamedTensor("up_output", upOutput).prefixed(BlockModuleName.mlp))
            var caches = [(BlockModuleName.q, qCache), (BlockModuleName.k, kCache), (BlockModuleName.v, vCache), (BlockModuleName.o, oCache)]
            if let gateCache { caches.append((BlockModuleName.gate, gateCache)) }
            caches += [(BlockModuleName.up, upCache), (BlockModuleName.down, downCache)]
            for (name, cache) in caches { out += cache.savedTensors.map { $0.prefixed(name) } }
            return out
        }
    }

    /// Position of each of `rows` rows: row mod T (sequences laid end to end).
    static func positions(rows: Int, sequenceLength t: Int) -> [Int] { (0..<rows).map { $0 % t } }

    /// Rotates queries or keys (N, heads·d_h) to their positions; the identity without RoPE.
    func rotated(_ x: Matrix<Scalar>, positions: [Int], inverse: Bool = false) -> Matrix<Scalar> {
        rotary?.rotate(x, positions: positions, inverse: inverse) ?? x
    }

    /// Inference forward on (batch·T, d) rows: no cache, no dropout.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int) -> Matrix<Scalar> {
        let a = inputLayernorm.forward(h)
        let positions = Self.positions(rows: h.rows, sequenceLength: t)
        let (attn, _) = ScaledDotProductAttention.forward(
            query: rotated(qProj.forward(a), positions: positions), key: rotated(kProj.forward(a), positions: positions),
            value: vProj.forward(a), heads: headCount, keyValueHeads: keyValueHeadCount, sequenceLength: t)
        var h1 = h
        h1.accumulate(oProj.forward(attn))
        var out = h1
        out.accumulate(feedForward(postAttentionLayernorm.forward(h1)))
        return out
    }

    /// The MLP on normed rows m (n, d) → (n, d), inference.
    func feedForward(_ m: Matrix<Scalar>) -> Matrix<Scalar> {
        if let gateProj {
            return downProj.forward(SwiGLU.forward(gate: gateProj.forward(m), up: upProj.forward(m)))
        }
        return downProj.forward(GELU.forward(upProj.forward(m)))
    }

    /// Training forward; dropout masks of LoRA layers come from `generator`.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: Cache) {
        let positions = Self.positions(rows: h.rows, sequenceLength: t)
        let (a, n1) = inputLayernorm.forward(h, training: &generator)
        let (q, qc) = qProj.forwardErasingCache(a, training: &generator)
        let (k, kc) = kProj.forwardErasingCache(a, training: &generator)
        let (v, vc) = vProj.forwardErasingCache(a, training: &generator)
        let (qr, kr) = (rotated(q, positions: positions), rotated(k, positions: positions))
        let (attn, ac) = ScaledDotProductAttention.forward(query: qr, key: kr, value: v, heads: headCount, keyValueHeads: keyValueHeadCount, sequenceLength: t)
        let (o, oc) = oProj.forwardErasingCache(attn, training: &generator)
        var h1 = h
        h1.accumulate(o)
        let (m, n2) = postAttentionLayernorm.forward(h1, training: &generator)
        var gate: (output: Matrix<Scalar>, cache: any LayerCache<Scalar>)?
        if let gateProj { gate = gateProj.forwardErasingCache(m, training: &generator) }
        let (u, uc) = upProj.forwardErasingCache(m, training: &generator)
        let hidden = gate.map { SwiGLU.forward(gate: $0.output, up: u) } ?? GELU.forward(u)
        let (down, dc) = downProj.forwardErasingCache(hidden, training: &generator)
        var out = h1
        out.accumulate(down)
        return (out, Cache(norm1: n1, q: qr, k: kr, v: v, qCache: qc, kCache: kc, vCache: vc, oCache: oc,
                           attention: ac, norm2: n2, gateOutput: gate?.output, upOutput: u, gateCache: gate?.cache,
                           upCache: uc, downCache: dc))
    }

    /// ∂L/∂h and the gradients of trainable tensors, named relative to the block
    /// (e.g. `self_attn.q_proj.lora_A.weight`, `input_layernorm.weight`).
    public func backward(_ dOut: Matrix<Scalar>, cache c: Cache, sequenceLength t: Int) -> LayerGradients<Scalar> {
        var grads: [NamedTensor<Scalar>] = []
        func collect(_ prefix: String, _ g: LayerGradients<Scalar>) -> Matrix<Scalar> {
            grads += g.parameters.map { $0.prefixed(prefix) }
            return g.input
        }
        // MLP branch: out = h1 + down(gelu(up(m))) or h1 + down(silu(gate(m)) ⊙ up(m)), m = norm2(h1)
        let dHidden = collect(BlockModuleName.down, downProj.backward(dOut, erasedCache: c.downCache))
        var dM: Matrix<Scalar>
        if let gateProj, let g = c.gateOutput, let gateCache = c.gateCache {
            let (dGate, dUp) = SwiGLU.backward(gate: g, up: c.upOutput, outputGradient: dHidden)
            dM = collect(BlockModuleName.up, upProj.backward(dUp, erasedCache: c.upCache))
            dM.accumulate(collect(BlockModuleName.gate, gateProj.backward(dGate, erasedCache: gateCache)))
        } else {
            let dU = GELU.backward(input: c.upOutput, outputGradient: dHidden)
            dM = collect(BlockModuleName.up, upProj.backward(dU, erasedCache: c.upCache))
        }
        var dH1 = dOut
        dH1.accumulate(collect(BlockModuleName.postAttentionLayernorm, postAttentionLayernorm.backward(dM, cache: c.norm2)))
        // Attention branch: h1 = h + o(attention(rope(q(a)), rope(k(a)), v(a))), a = norm1(h)
        let dAttn = collect(BlockModuleName.o, oProj.backward(dH1, erasedCache: c.oCache))
        let (dQr, dKr, dV) = ScaledDotProductAttention.backward(
            outputGradient: dAttn, query: c.q, key: c.k, value: c.v, cache: c.attention,
            heads: headCount, keyValueHeads: keyValueHeadCount, sequenceLength: t)
        let positions = Self.positions(rows: dOut.rows, sequenceLength: t)
        let q = qProj.backward(rotated(dQr, positions: positions, inverse: true), erasedCache: c.qCache)
        let k = kProj.backward(rotated(dKr, positions: positions, inverse: true), erasedCache: c.kCache)
        let v = vProj.backward(dV, erasedCache: c.vCache)
        var dA = collect(BlockModuleName.q, q)
        dA.accumulate(collect(BlockModuleName.k, k))
        dA.accumulate(collect(BlockModuleName.v, v))
        var dH = dH1
        dH.accumulate(collect(BlockModuleName.inputLayernorm, inputLayernorm.backward(dA, cache: c.norm1)))
        return LayerGradients(input: dH, parameters: grads)
    }
}

extension TransformerBlock: ModuleContainer {
    public mutating func visitModules<V: ModuleVisitor>(_ visitor: inout V, prefix: String) where V.Scalar == Scalar {
        visitor.visit(joinPath(prefix, BlockModuleName.inputLayernorm), &inputLayernorm)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.q), &qProj)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.k), &kProj)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.v), &vProj)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.o), &oProj)
        visitor.visit(joinPath(prefix, BlockModuleName.postAttentionLayernorm), &postAttentionLayernorm)
        if var gate = gateProj {
            gateProj = nil  // the slot's only copy is `gate` while the visitor may replace it
            visitor.visitLinear(joinPath(prefix, BlockModuleName.gate), &gate)
            gateProj = gate
        }
        visitor.visitLinear(joinPath(prefix, BlockModuleName.up), &upProj)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.down), &downProj)
    }
}

/// The block children's names, each spelled once (Hugging Face LLaMA's).
enum BlockModuleName {
    static let inputLayernorm = "input_layernorm", postAttentionLayernorm = "post_attention_layernorm"
    static let attention = "self_attn", mlp = "mlp"
    static let q = attention + ".q_proj", k = attention + ".k_proj", v = attention + ".v_proj", o = attention + ".o_proj"
    static let gate = mlp + ".gate_proj", up = mlp + ".up_proj", down = mlp + ".down_proj"
}
