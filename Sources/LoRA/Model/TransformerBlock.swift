/// One pre-norm decoder block: causal self-attention then an MLP, each added to the residual.
///
/// ```
/// a = input_layernorm(h)                              (N, d)
/// h′ = h + o_proj(attention(q_proj(a), k_proj(a), v_proj(a)))
/// m = post_attention_layernorm(h′)
/// out = h′ + down_proj(gelu(up_proj(m)))              up: d → 4d, down: 4d → d
/// ```
/// The linear slots hold `any LinearLayer`: a dense ``Linear``, a 4-bit ``QuantizedLinear``, or
/// either wrapped in a ``LoRALinear``.
public struct TransformerBlock<Scalar: BLASScalar>: Sendable {
    /// Norm before attention.
    public var inputLayernorm: RMSNorm<Scalar>
    /// Query, key, value and output projections, each (d, d).
    public var qProj, kProj, vProj, oProj: any LinearLayer<Scalar>
    /// Norm before the MLP.
    public var postAttentionLayernorm: RMSNorm<Scalar>
    /// MLP projections: up (4d, d), down (d, 4d).
    public var upProj, downProj: any LinearLayer<Scalar>
    /// Number of heads.
    public let headCount: Int

    /// A block with PyTorch-default linear initialisation, drawn from `generator`.
    public init(configuration c: TransformerConfiguration, using generator: inout SeededGenerator) {
        let (d, m) = (c.modelDimension, c.mlpDimension)
        func linear(_ input: Int, _ output: Int) -> any LinearLayer<Scalar> {
            Linear<Scalar>(inFeatures: input, outFeatures: output, bias: false, using: &generator)
        }
        inputLayernorm = RMSNorm(dimension: d)
        qProj = linear(d, d); kProj = linear(d, d); vProj = linear(d, d); oProj = linear(d, d)
        postAttentionLayernorm = RMSNorm(dimension: d)
        upProj = linear(d, m); downProj = linear(m, d)
        headCount = c.headCount
    }

    /// Everything the block's backward pass needs.
    public struct Cache: LayerCache {
        var norm1: RMSNormCache<Scalar>
        var q, k, v: Matrix<Scalar>
        var qCache, kCache, vCache, oCache: any LayerCache<Scalar>
        var attention: ScaledDotProductAttention.Cache<Scalar>
        var norm2: RMSNormCache<Scalar>
        var upOutput: Matrix<Scalar>
        var upCache, downCache: any LayerCache<Scalar>

        /// The tensors kept for backward, by name relative to the block (for the memory ledger).
        public var savedTensors: [NamedTensor<Scalar>] {
            var out = norm1.savedTensors.map { $0.prefixed(BlockModuleName.inputLayernorm) }
            out += [NamedTensor("q", q), NamedTensor("k", k), NamedTensor("v", v),
                    NamedTensor("probabilities", attention.probabilities)].map { $0.prefixed(BlockModuleName.attention) }
            out += norm2.savedTensors.map { $0.prefixed(BlockModuleName.postAttentionLayernorm) }
            out.append(NamedTensor("up_output", upOutput).prefixed(BlockModuleName.mlp))
            for (name, cache) in [(BlockModuleName.q, qCache), (BlockModuleName.k, kCache), (BlockModuleName.v, vCache), (BlockModuleName.o, oCache), (BlockModuleName.up, upCache), (BlockModuleName.down, downCache)] {
                out += cache.savedTensors.map { $0.prefixed(name) }
            }
            return out
        }
    }

    /// Inference forward on (batch·T, d) rows: no cache, no dropout.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int) -> Matrix<Scalar> {
        let a = inputLayernorm.forward(h)
        let (attn, _) = ScaledDotProductAttention.forward(
            query: qProj.forward(a), key: kProj.forward(a), value: vProj.forward(a), heads: headCount, sequenceLength: t)
        var h1 = h
        h1.accumulate(oProj.forward(attn))
        var out = h1
        out.accumulate(downProj.forward(GELU.forward(upProj.forward(postAttentionLayernorm.forward(h1)))))
        return out
    }

    /// Training forward; dropout masks of LoRA layers come from `generator`.
    public func forward(_ h: Matrix<Scalar>, sequenceLength t: Int, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: Cache) {
        let (a, n1) = inputLayernorm.forward(h, training: &generator)
        let (q, qc) = qProj.forwardErasingCache(a, training: &generator)
        let (k, kc) = kProj.forwardErasingCache(a, training: &generator)
        let (v, vc) = vProj.forwardErasingCache(a, training: &generator)
        let (attn, ac) = ScaledDotProductAttention.forward(query: q, key: k, value: v, heads: headCount, sequenceLength: t)
        let (o, oc) = oProj.forwardErasingCache(attn, training: &generator)
        var h1 = h
        h1.accumulate(o)
        let (m, n2) = postAttentionLayernorm.forward(h1, training: &generator)
        let (u, uc) = upProj.forwardErasingCache(m, training: &generator)
        let (down, dc) = downProj.forwardErasingCache(GELU.forward(u), training: &generator)
        var out = h1
        out.accumulate(down)
        return (out, Cache(norm1: n1, q: q, k: k, v: v, qCache: qc, kCache: kc, vCache: vc, oCache: oc,
                           attention: ac, norm2: n2, upOutput: u, upCache: uc, downCache: dc))
    }

    /// ∂L/∂h and the gradients of trainable tensors, named relative to the block
    /// (e.g. `self_attn.q_proj.lora_A.weight`, `input_layernorm.weight`).
    public func backward(_ dOut: Matrix<Scalar>, cache c: Cache, sequenceLength t: Int) -> LayerGradients<Scalar> {
        var grads: [NamedTensor<Scalar>] = []
        func collect(_ prefix: String, _ g: LayerGradients<Scalar>) -> Matrix<Scalar> {
            grads += g.parameters.map { $0.prefixed(prefix) }
            return g.input
        }
        // MLP branch: out = h1 + down(gelu(up(norm2(h1))))
        let dG = collect(BlockModuleName.down, downProj.backward(dOut, erasedCache: c.downCache))
        let dU = GELU.backward(input: c.upOutput, outputGradient: dG)
        let dM = collect(BlockModuleName.up, upProj.backward(dU, erasedCache: c.upCache))
        var dH1 = dOut
        dH1.accumulate(collect(BlockModuleName.postAttentionLayernorm, postAttentionLayernorm.backward(dM, cache: c.norm2)))
        // Attention branch: h1 = h + o(attention(q(a), k(a), v(a))), a = norm1(h)
        let dAttn = collect(BlockModuleName.o, oProj.backward(dH1, erasedCache: c.oCache))
        let (dQ, dK, dV) = ScaledDotProductAttention.backward(
            outputGradient: dAttn, query: c.q, key: c.k, value: c.v, cache: c.attention, heads: headCount, sequenceLength: t)
        let q = qProj.backward(dQ, erasedCache: c.qCache)
        let k = kProj.backward(dK, erasedCache: c.kCache)
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
        visitor.visitLinear(joinPath(prefix, BlockModuleName.up), &upProj)
        visitor.visitLinear(joinPath(prefix, BlockModuleName.down), &downProj)
    }
}

/// The block children's names, each spelled once (Hugging Face LLaMA's).
enum BlockModuleName {
    static let inputLayernorm = "input_layernorm", postAttentionLayernorm = "post_attention_layernorm"
    static let attention = "self_attn", mlp = "mlp"
    static let q = attention + ".q_proj", k = attention + ".k_proj", v = attention + ".v_proj", o = attention + ".o_proj"
    static let up = mlp + ".up_proj", down = mlp + ".down_proj"
}

