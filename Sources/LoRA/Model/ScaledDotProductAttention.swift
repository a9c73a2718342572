/// Causal multi-head scaled dot-product attention on projected queries, keys and values.
///
/// Rows are tokens of `batch` sequences of length T laid end to end (N = batch·T), and the
/// d_model columns hold H heads of width d_h side by side. For each (sequence b, head h):
/// ```
/// S = Q_bh·K_bhᵀ / √d_h            (T, d_h)·(d_h, T) → (T, T)
/// P = causal-softmax(S)             row i sees keys j ≤ i
/// O_bh = P·V_bh                     (T, T)·(T, d_h) → (T, d_h)
///
/// ∂L/∂P = ∂L/∂O_bh · V_bhᵀ          ∂L/∂V_bh = Pᵀ · ∂L/∂O_bh
/// ∂L/∂S = softmax-backward(P, ∂L/∂P)
/// ∂L/∂Q_bh = ∂L/∂S · K_bh / √d_h    ∂L/∂K_bh = ∂L/∂Sᵀ · Q_bh / √d_h
/// ```
/// Every product is one BLAS GEMM on a strided view (leading dimension d_model), so no head is
/// ever copied out: 2 GEMMs per (b, h) forward, 4 backward.
///
/// Grouped-query attention (Ainslie et al. 2023; transformers' `num_key_value_heads`): K and V
/// are (batch·T, KV·d_h) with KV dividing H, and query head h reads key/value head
/// h / (H/KV), as transformers' `repeat_kv` repeats each KV head for H/KV consecutive query heads.
/// The repeated heads are never copied; backward sums the H/KV query heads' contributions into
/// their shared K_bj and V_bj, in head order:
/// ```
/// ∂L/∂K_bj = Σ_{h : h/(H/KV) = j} ∂L/∂S_bhᵀ · Q_bh / √d_h       ∂L/∂V_bj = Σ_h P_bhᵀ · ∂L/∂O_bh
/// ```
public enum ScaledDotProductAttention {
    /// What the backward pass needs: the probabilities P, (batch·H·T, T).
    public struct Cache<Scalar: BLASScalar>: Sendable {
        /// Attention probabilities, one (T, T) block per (sequence, head).
        public let probabilities: Matrix<Scalar>
    }

    /// O = attention(Q, K, V): Q and O (batch·T, H·d_h), K and V (batch·T, KV·d_h);
    /// `keyValueHeads` KV defaults to H (multi-head attention).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(
        query q: Matrix<Scalar>, key k: Matrix<Scalar>, value v: Matrix<Scalar>, heads: Int, keyValueHeads: Int? = nil,
        sequenceLength t: Int
    ) -> (output: Matrix<Scalar>, cache: Cache<Scalar>) {
        let (n, d) = (q.rows, q.columns)
        let kvHeads = keyValueHeads ?? heads
        precondition(t > 0 && n % t == 0 && heads > 0 && d % heads == 0 && kvHeads > 0 && heads % kvHeads == 0,
                     "Attention: \(n) rows are not whole sequences of length \(t), or d_model \(d) is not divisible by \(heads) heads, or \(heads) heads by \(kvHeads) key/value heads")
        let (batch, dh) = (n / t, d / heads)
        let (dkv, group) = (kvHeads * dh, heads / kvHeads)
        precondition(k.rows == n && k.columns == dkv && v.rows == n && v.columns == dkv,
                     "Attention: Q \(q.shapeDescription), K \(k.shapeDescription), V \(v.shapeDescription) do not fit \(heads) heads and \(kvHeads) key/value heads")
        let scale = Scalar(1 / Double(dh).squareRoot())
        var scores = Matrix<Scalar>.zeroed(batch * heads * t, t)
        var output = Matrix<Scalar>.zeroed(n, d)
        q.storage.withUnsafeBufferPointer { qp in
            k.storage.withUnsafeBufferPointer { kp in
                scores.storage.withUnsafeMutableBufferPointer { sp in
                    for b in 0..<batch {
                        for h in 0..<heads {
                            let head = b * t * d + h * dh, kvHead = b * t * dkv + (h / group) * dh
                            // Q_bh: (T, d_h) · K_bjᵀ: (d_h, T) → S: (T, T), scaled by 1/√d_h  (j = h / group)
                            Scalar.gemm(transposeA: false, transposeB: true, m: t, n: t, k: dh, alpha: scale,
                                        a: qp.baseAddress! + head, lda: d, b: kp.baseAddress! + kvHead, ldb: dkv,
                                        beta: 0, c: sp.baseAddress! + (b * heads + h) * t * t, ldc: t)
                        }
                    }
                }
            }
        }
        CausalSoftmax.forward(&scores)
        scores.storage.withUnsafeBufferPointer { sp in
            v.storage.withUnsafeBufferPointer { vp in
                output.storage.withUnsafeMutableBufferPointer { op in
                    for b in 0..<batch {
                        for h in 0..<heads {
                            let head = b * t * d + h * dh, kvHead = b * t * dkv + (h / group) * dh
                            // P: (T, T) · V_bj: (T, d_h) → O_bh: (T, d_h), written into its columns
                            Scalar.gemm(transposeA: false, transposeB: false, m: t, n: dh, k: t, alpha: 1,
                                        a: sp.baseAddress! + (b * heads + h) * t * t, lda: t,
                                        b: vp.baseAddress! + kvHead, ldb: dkv,
                                        beta: 0, c: op.baseAddress! + head, ldc: d)
                        }
                    }
                }
            }
        }
        return (output, Cache(probabilities: scores))
    }

    /// ∂L/∂Q, ∂L/∂K, ∂L/∂V from ∂L/∂O.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: BLASScalar>(
        outputGradient dO: Matrix<Scalar>, query q: Matrix<Scalar>, key k: Matrix<Scalar>, value v: Matrix<Scalar>,
        cache: Cache<Scalar>, heads: Int, keyValueHeads: Int? = nil, sequenceLength t: Int
    ) -> (query: Matrix<Scalar>, key: Matrix<Scalar>, value: Matrix<Scalar>) {
        let (n, d) = (q.rows, q.columns)
        precondition(dO.rows == n && dO.columns == d, "Attention.backward: gradient \(dO.shapeDescription) does not match Q \(q.shapeDescription)")
        let (batch, dh) = (n / t, d / heads)
        let (dkv, group) = (k.columns, heads / (keyValueHeads ?? heads))
        let scale = Scalar(1 / Double(dh).squareRoot())
        let p = cache.probabilities
        var dP = Matrix<Scalar>.zeroed(p.rows, p.columns)
        var dQ = Matrix<Scalar>.zeroed(n, d), dK = Matrix<Scalar>.zeroed(n, dkv), dV = Matrix<Scalar>.zeroed(n, dkv)
        dO.storage.withUnsafeBufferPointer { gp in
            v.storage.withUnsafeBufferPointer { vp in
                p.storage.withUnsafeBufferPointer { pp in
                    dP.storage.withUnsafeMutableBufferPointer { dpp in
                        dV.storage.withUnsafeMutableBufferPointer { dvp in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let head = b * t * d + h * dh, kvHead = b * t * dkv + (h / group) * dh
                                    let block = (b * heads + h) * t * t
                                    // The first query head of a group writes ∂L/∂K_bj, ∂L/∂V_bj; the others add.
                                    let accumulate: Scalar = h % group == 0 ? 0 : 1
                                    // ∂L/∂O_bh: (T, d_h) · V_bjᵀ: (d_h, T) → ∂L/∂P: (T, T)
                                    Scalar.gemm(transposeA: false, transposeB: true, m: t, n: t, k: dh, alpha: 1,
                                                a: gp.baseAddress! + head, lda: d, b: vp.baseAddress! + kvHead, ldb: dkv,
                                                beta: 0, c: dpp.baseAddress! + block, ldc: t)
                                    // Pᵀ: (T, T) · ∂L/∂O_bh: (T, d_h) → ∂L/∂V_bj: (T, d_h), summed over the group
                                    Scalar.gemm(transposeA: true, transposeB: false, m: t, n: dh, k: t, alpha: 1,
                                                a: pp.baseAddress! + block, lda: t, b: gp.baseAddress! + head, ldb: d,
                                                beta: accumulate, c: dvp.baseAddress! + kvHead, ldc: dkv)
                                }
                            }
                        }
                    }
                }
            }
        }
        CausalSoftmax.backward(probabilities: p, gradient: &dP)  // dP now holds ∂L/∂S
        dP.storage.withUnsafeBufferPointer { dsp in
            q.storage.withUnsafeBufferPointer { qp in
                k.storage.withUnsafeBufferPointer { kp in
                    dQ.storage.withUnsafeMutableBufferPointer { dqp in
                        dK.storage.withUnsafeMutableBufferPointer { dkp in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let head = b * t * d + h * dh, kvHead = b * t * dkv + (h / group) * dh
                                    let block = (b * heads + h) * t * t
                                    let accumulate: Scalar = h % group == 0 ? 0 : 1
                                    // ∂L/∂S: (T, T) · K_bj: (T, d_h) → ∂L/∂Q_bh, scaled by 1/√d_h
                                    Scalar.gemm(transposeA: false, transposeB: false, m: t, n: dh, k: t, alpha: scale,
                                                a: dsp.baseAddress! + block, lda: t, b: kp.baseAddress! + kvHead, ldb: dkv,
                                                beta: 0, c: dqp.baseAddress! + head, ldc: d)
                                    // ∂L/∂Sᵀ: (T, T) · Q_bh: (T, d_h) → ∂L/∂K_bj, scaled by 1/√d_h, summed over the group
                                    Scalar.gemm(transposeA: true, transposeB: false, m: t, n: dh, k: t, alpha: scale,
                                                a: dsp.baseAddress! + block, lda: t, b: qp.baseAddress! + head, ldb: d,
                                                beta: accumulate, c: dkp.baseAddress! + kvHead, ldc: dkv)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dQ, dK, dV)
    }
}
