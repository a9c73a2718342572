/// One pre-norm decoder block: causal self-attention then an MLP, each added to the residual.
///
/// ```
/// a = input_layernorm(h)                              (N, d)
/// h′ = h + o_proj(attention(q_proj(a), k_proj(a), v_proj(a)))
/// m = post_attention_layernorm(h′)
/// out = h′ + down_proj(gelu(up_proj(m)))              up: d → 4d, down: 4d → d
/// ```
public struct TransformerBlock<Scalar: BLASScalar>: Sendable {
    /// Norm before attention.
    public var inputLayernorm: RMSNorm<Scalar>
    /// Query, key, value and output projections, each (d, d).
    public var qProj, kProj, vProj, oProj: AdaptableLinear<Scalar>
    /// Norm before the MLP.
    public var postAttentionLayernorm: RMSNorm<Scalar>
    /// MLP projections: up (4d, d), down (d, 4d).
    public var upProj, downProj: AdaptableLinear<Scalar>
    /// Number of heads.
    public let headCount: Int

    /// A block with PyTorch-default linear initialisation, drawn from `generator`.
    public init(configuration c: TransformerConfiguration, using generator: inout SeededGenerator) {
        let (d, m) = (c.modelDimension, c.mlpDimension)
        func linear(_ input: Int, _ output: Int) -> AdaptableLinear<Scalar> {
            .linear(Linear(inFeatures: input, outFeatures: output, bias: false, using: &generator))
        }
        inputLayernorm = RMSNorm(dimension: d)
        qProj = linear(d, d); kProj = linear(d, d); vProj = linear(d, d); oProj = linear(d, d)
        postAttentionLayernorm = RMSNorm(dimension: d)
        upProj = linear(d, m); downProj = linear(m, d)
        headCount = c.headCount
    }

    /// The linear slots with their names relative to the block, in module order.
    public static var linearNames: [String] {
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.up_proj", "mlp.down_proj"]
    }

    /// The linear slot with a relative name from ``linearNames``.
    public subscript(linear name: String) -> AdaptableLinear<Scalar> {
        get { self[keyPath: TransformerBlock.keyPath(name)] }
        set { self[keyPath: TransformerBlock.keyPath(name)] = newValue }
    }

    static func keyPath(_ name: String) -> WritableKeyPath<TransformerBlock, AdaptableLinear<Scalar>> {
        switch name {
        case "self_attn.q_proj": \.qProj
        case "self_attn.k_proj": \.kProj
        case "self_attn.v_proj": \.vProj
        case "self_attn.o_proj": \.oProj
        case "mlp.up_proj": \.upProj
        case "mlp.down_proj": \.downProj
        default: preconditionFailure("TransformerBlock: no linear layer named '\(name)'")
        }
    }

    /// Everything the block's backward pass needs.
    public struct Cache: Sendable {
        var norm1Input: Matrix<Scalar>, norm1RMS: [Scalar]
        var q, k, v: Matrix<Scalar>
        var qCache, kCache, vCache, oCache: AdaptableLinearCache<Scalar>
        var attention: ScaledDotProductAttention.Cache<Scalar>
        var norm2Input: Matrix<Scalar>, norm2RMS: [Scalar]
        var upOutput: Matrix<Scalar>
        var upCache, downCache: AdaptableLinearCache<Scalar>

        /// The tensors kept for backward, by name relative to the block (for the memory ledger).
        public var savedTensors: [(String, Matrix<Scalar>)] {
            var out: [(String, Matrix<Scalar>)] = [
                ("input_layernorm.input", norm1Input),
                ("input_layernorm.inverse_rms", Matrix(rows: norm1RMS.count, columns: 1, storage: norm1RMS)),
                ("self_attn.q", q), ("self_attn.k", k), ("self_attn.v", v),
                ("self_attn.probabilities", attention.probabilities),
                ("post_attention_layernorm.input", norm2Input),
                ("post_attention_layernorm.inverse_rms", Matrix(rows: norm2RMS.count, columns: 1, storage: norm2RMS)),
                ("mlp.up_output", upOutput),
            ]
            for (name, cache) in [("self_attn.q_proj", qCache), ("self_attn.k_proj", kCache), ("self_attn.v_proj", vCache),
                                  ("self_attn.o_proj", oCache), ("mlp.up_proj", upCache), ("mlp.down_proj", downCache)] {
                out += cache.savedTensors.map { (name + "." + $0.0, $0.1) }
            }
            return out
        }
    }

    /// Inference forward on (batch·T, d) rows.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int) -> Matrix<Scalar> {
        var dummy = SeededGenerator(seed: 0)
        return forward(h, sequenceLength: t, training: &dummy, keepCache: false).output
    }

    /// Training forward; dropout masks of LoRA layers come from `generator`.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: Cache) {
        let r = forward(h, sequenceLength: t, training: &generator, keepCache: true)
        return (r.output, r.cache!)
    }

    private func forward(_ h: Matrix<Scalar>, sequenceLength t: Int, training generator: inout SeededGenerator, keepCache: Bool) -> (output: Matrix<Scalar>, cache: Cache?) {
        let (a, rho1) = inputLayernorm.forward(h)
        let (q, qc) = keepCache ? qProj.forward(a, training: &generator) : (qProj.forward(a), .linear(input: a))
        let (k, kc) = keepCache ? kProj.forward(a, training: &generator) : (kProj.forward(a), .linear(input: a))
        let (v, vc) = keepCache ? vProj.forward(a, training: &generator) : (vProj.forward(a), .linear(input: a))
        let (attn, ac) = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: headCount, sequenceLength: t)
        let (o, oc) = keepCache ? oProj.forward(attn, training: &generator) : (oProj.forward(attn), .linear(input: attn))
        var h1 = h
        h1.accumulate(o)
        let (m, rho2) = postAttentionLayernorm.forward(h1)
        let (u, uc) = keepCache ? upProj.forward(m, training: &generator) : (upProj.forward(m), .linear(input: m))
        let g = GELU.forward(u)
        let (down, dc) = keepCache ? downProj.forward(g, training: &generator) : (downProj.forward(g), .linear(input: g))
        var out = h1
        out.accumulate(down)
        guard keepCache else { return (out, nil) }
        return (out, Cache(norm1Input: h, norm1RMS: rho1, q: q, k: k, v: v, qCache: qc, kCache: kc, vCache: vc, oCache: oc,
                           attention: ac, norm2Input: h1, norm2RMS: rho2, upOutput: u, upCache: uc, downCache: dc))
    }

    /// ∂L/∂h and the gradients of trainable tensors, named relative to the block
    /// (e.g. `self_attn.q_proj.lora_A.weight`, `input_layernorm.weight`).
    public func backward(_ dOut: Matrix<Scalar>, cache c: Cache, sequenceLength t: Int) -> (input: Matrix<Scalar>, parameters: [(String, Matrix<Scalar>)]) {
        var grads: [(String, Matrix<Scalar>)] = []
        func collect(_ prefix: String, _ list: [(String, Matrix<Scalar>)]) {
            grads += list.map { (prefix + "." + $0.0, $0.1) }
        }
        // MLP branch: out = h1 + down(gelu(up(norm2(h1))))
        let down = downProj.backward(dOut, cache: c.downCache)
        collect("mlp.down_proj", down.parameters)
        let dU = GELU.backward(input: c.upOutput, outputGradient: down.input)
        let up = upProj.backward(dU, cache: c.upCache)
        collect("mlp.up_proj", up.parameters)
        let n2 = postAttentionLayernorm.backward(input: c.norm2Input, inverseRMS: c.norm2RMS, outputGradient: up.input)
        if let w = n2.weight { grads.append(("post_attention_layernorm.weight", w)) }
        var dH1 = dOut
        dH1.accumulate(n2.input)
        // Attention branch: h1 = h + o(attention(q(a), k(a), v(a))), a = norm1(h)
        let o = oProj.backward(dH1, cache: c.oCache)
        collect("self_attn.o_proj", o.parameters)
        let (dQ, dK, dV) = ScaledDotProductAttention.backward(
            outputGradient: o.input, query: c.q, key: c.k, value: c.v, cache: c.attention, heads: headCount, sequenceLength: t)
        let q = qProj.backward(dQ, cache: c.qCache)
        let k = kProj.backward(dK, cache: c.kCache)
        let v = vProj.backward(dV, cache: c.vCache)
        collect("self_attn.q_proj", q.parameters)
        collect("self_attn.k_proj", k.parameters)
        collect("self_attn.v_proj", v.parameters)
        var dA = q.input
        dA.accumulate(k.input)
        dA.accumulate(v.input)
        let n1 = inputLayernorm.backward(input: c.norm1Input, inverseRMS: c.norm1RMS, outputGradient: dA)
        if let w = n1.weight { grads.append(("input_layernorm.weight", w)) }
        var dH = dH1
        dH.accumulate(n1.input)
        return (dH, grads)
    }
}
