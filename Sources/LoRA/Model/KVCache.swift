/// The keys and values every layer has computed so far, for incremental decoding.
///
/// Decoding token by token, the attention of a new token at position p needs the keys and values
/// of positions 0 … p; they do not change once computed (causal attention), so each layer keeps
/// them instead of recomputing the whole prefix:
/// ```
/// layer ℓ:  K_ℓ (L, KV·d_h)  V_ℓ (L, KV·d_h)      L = ``count`` tokens seen, keys after RoPE
/// next n tokens at positions L … L+n−1:  append their k, v rows, attend over all L+n rows
/// ```
/// Memory: 2·layers·L·KV·d_h numbers; grouped-query attention divides it by H/KV.
public struct KVCache<Scalar: BLASScalar>: Sendable {
    /// Keys and values of one layer, rows appended in position order.
    struct Layer: Sendable {
        var keys: [Scalar] = [], values: [Scalar] = []
    }

    var layers: [Layer]
    /// Width KV·d_h of one key (or value) row.
    public let keyValueDimension: Int
    /// Tokens cached so far: the position of the next token.
    public internal(set) var count: Int = 0

    /// An empty cache for `configuration`.
    public init(configuration c: TransformerConfiguration) {
        layers = Array(repeating: Layer(), count: c.layerCount)
        keyValueDimension = c.keyValueDimension
    }

    /// The cached keys of layer `layer`, (count, KV·d_h), after RoPE.
    public func keys(layer: Int) -> Matrix<Scalar> {
        Matrix(rows: count, columns: keyValueDimension, storage: layers[layer].keys)
    }

    /// The cached values of layer `layer`, (count, KV·d_h).
    public func values(layer: Int) -> Matrix<Scalar> {
        Matrix(rows: count, columns: keyValueDimension, storage: layers[layer].values)
    }

    /// Numbers held: 2·layers·count·KV·d_h.
    public var elementCount: Int { 2 * layers.count * count * keyValueDimension }
}

extension ScaledDotProductAttention {
    /// Attention of n new queries at positions L₀ … L₀+n−1 over L = L₀ + n cached keys and values
    /// (one sequence; inference only, no cache for backward).
    /// ```
    /// S = Q_h·K_jᵀ / √d_h      (n, d_h)·(d_h, L) → (n, L)      j = h / (H/KV)
    /// P = softmax of row i over keys 0 … L₀+i                   (the causal mask at absolute positions)
    /// O_h = P·V_j              (n, L)·(L, d_h) → (n, d_h)
    /// ```
    /// Each score and each output element is the same sum, in the same order, as in the uncached
    /// ``forward(query:key:value:heads:keyValueHeads:sequenceLength:)`` on the whole sequence.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(
        query q: Matrix<Scalar>, cachedKeys k: Matrix<Scalar>, cachedValues v: Matrix<Scalar>, heads: Int, keyValueHeads: Int
    ) -> Matrix<Scalar> {
        let (n, d, length, dkv) = (q.rows, q.columns, k.rows, k.columns)
        precondition(n <= length && d % heads == 0 && heads % keyValueHeads == 0 && v.rows == length && v.columns == dkv
                     && dkv == keyValueHeads * (d / heads),
                     "Attention (cached): Q \(q.shapeDescription), K \(k.shapeDescription), V \(v.shapeDescription) do not fit \(heads) heads and \(keyValueHeads) key/value heads")
        let (dh, group, start) = (d / heads, heads / keyValueHeads, length - n)
        let scale = Scalar(1 / Double(dh).squareRoot())
        var scores = [Scalar](repeating: 0, count: n * length)
        var output = Matrix<Scalar>.zeroed(n, d)
        q.storage.withUnsafeBufferPointer { qp in
            k.storage.withUnsafeBufferPointer { kp in
                v.storage.withUnsafeBufferPointer { vp in
                    output.storage.withUnsafeMutableBufferPointer { op in
                        scores.withUnsafeMutableBufferPointer { sp in
                            for h in 0..<heads {
                                let kvHead = (h / group) * dh
                                // Q_h: (n, d_h) · K_jᵀ: (d_h, L) → S: (n, L), scaled by 1/√d_h
                                Scalar.gemm(transposeA: false, transposeB: true, m: n, n: length, k: dh, alpha: scale,
                                            a: qp.baseAddress! + h * dh, lda: d, b: kp.baseAddress! + kvHead, ldb: dkv,
                                            beta: 0, c: sp.baseAddress!, ldc: length)
                                for i in 0..<n {
                                    CausalSoftmax.softmax(row: UnsafeMutableBufferPointer(rebasing: sp[(i * length)..<((i + 1) * length)]), position: start + i)
                                }
                                // P: (n, L) · V_j: (L, d_h) → O_h: (n, d_h), written into its columns
                                Scalar.gemm(transposeA: false, transposeB: false, m: n, n: dh, k: length, alpha: 1,
                                            a: sp.baseAddress!, lda: length, b: vp.baseAddress! + kvHead, ldb: dkv,
                                            beta: 0, c: op.baseAddress! + h * dh, ldc: d)
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}

extension TransformerBlock {
    /// Inference forward of n new rows (n, d) of one sequence at positions `cache.count` …:
    /// appends their keys (after RoPE) and values to `layer`, attends over everything cached.
    func forward(_ h: Matrix<Scalar>, appendingTo layer: inout KVCache<Scalar>.Layer, at offset: Int) -> Matrix<Scalar> {
        let a = inputLayernorm.forward(h)
        let positions = Array(offset..<(offset + h.rows))
        let q = rotated(qProj.forward(a), positions: positions)
        layer.keys += rotated(kProj.forward(a), positions: positions).storage
        layer.values += vProj.forward(a).storage
        let length = offset + h.rows
        let dkv = keyValueHeadCount * (q.columns / headCount)
        let attn = ScaledDotProductAttention.forward(
            query: q, cachedKeys: Matrix(rows: length, columns: dkv, storage: layer.keys),
            cachedValues: Matrix(rows: length, columns: dkv, storage: layer.values), heads: headCount, keyValueHeads: keyValueHeadCount)
        var h1 = h
        h1.accumulate(oProj.forward(attn))
        var out = h1
        out.accumulate(feedForward(postAttentionLayernorm.forward(h1)))
        return out
    }
}
