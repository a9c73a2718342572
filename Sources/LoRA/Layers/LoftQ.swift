/// LoftQ (Li et al. 2023, "LoftQ: LoRA-Fine-Tuning-Aware Quantization for Large Language
/// Models", Algorithm 1; PEFT `init_lora_weights="loftq"`, `peft/utils/loftq_utils.py`): choose
/// the 4-bit weight Q and the adapter together so that Q + s·B·A is close to W before training.
///
/// ```
/// B·A ← 0
/// repeat T times:
///     Q   ← NF4(W − s·B·A)                          quantize what the adapter does not carry
///     s·B·A ← best rank-r approximation of W − Q     SVD: B = U_r·√(Σ_r/s),  A = √(Σ_r/s)·V_rᵀ
/// error_t = ‖W − Q − s·B·A‖_F
/// ```
/// With T = 1, Q = NF4(W): the plain QLoRA base, and the adapter starts at the top of the
/// quantization error. Later iterations move Q away from NF4(W), so an adapter initialised this
/// way belongs to its own Q: a user must keep that base (PEFT's LoftQ example saves it next to
/// the adapter, with `init_lora_weights` set back to true so loading does not run LoftQ again).
///
/// PEFT sets B·A to the rank-r approximation itself, ignoring s (exact only for
/// lora_alpha = r); here the split divides by s, so Q + s·B·A is the approximation for any α.
/// PEFT quantizes with bitsandbytes' `Params4bit(compress_statistics=False)`: NF4, blocksize 64,
/// no double quantization (the defaults here).
public enum LoftQ {
    /// What ``initialize(_:rank:scale:iterations:blocksize:doubleQuantization:)`` returns.
    public struct Result: Sendable {
        /// Q, (out, in), 4-bit.
        public let quantized: QuantizedTensor
        /// A, (r, in).
        public let a: Matrix<Float>
        /// B, (out, r).
        public let b: Matrix<Float>
        /// ‖W − Q_t − s·B_t·A_t‖_F after each iteration t = 1…T.
        public let errors: [Double]
    }

    /// Runs LoftQ on one weight W (out, in).
    /// - Parameters:
    ///   - w: the float weight W (out, in) to approximate.
    ///   - r: the rank r, 1 ≤ r ≤ min(out, in).
    ///   - s: the scale s of the adapter that will carry A and B (α/r or α/√r).
    ///   - iterations: T ≥ 1 (PEFT's `loftq_iter`, default 1).
    ///   - blocksize: weights per absmax block of the NF4 quantization Q_t.
    ///   - doubleQuantization: whether Q_t's absmax constants are quantized again to 8 bits.
    /// - Throws: ``QuantizationError`` (blocksize, non-finite W), ``LinearAlgebraError`` (SVD),
    ///   ``LoRAError/rankTooLarge(rank:limit:)`` / ``LoRAError/rankNotPositive(_:)``.
    /// - Complexity: T quantizations and T SVDs of an (out, in) matrix.
    public static func initialize(_ w: Matrix<Float>, rank r: Int, scale s: Double, iterations: Int,
                                  blocksize: Int = 64, doubleQuantization: Bool = false) throws -> Result {
        guard r > 0 else { throw LoRAError.rankNotPositive(r) }
        guard r <= min(w.rows, w.columns) else { throw LoRAError.rankTooLarge(rank: r, limit: min(w.rows, w.columns)) }
        precondition(iterations >= 1 && s > 0, "LoftQ: needs T ≥ 1 and s > 0, got T = \(iterations), s = \(s)")
        var residual = w
        var errors: [Double] = []
        var q: QuantizedTensor?, a = Matrix<Float>.zeros(r, w.columns), b = Matrix<Float>.zeros(w.rows, r)
        for _ in 0..<iterations {
            let quantized = try QuantizedTensor(quantizing: residual, blocksize: blocksize, codebook: .nf4, doubleQuantization: doubleQuantization)
            let error = w - quantized.dequantized()                          // W − Q: (out, in)
            let svd = try error.svd()
            let roots = svd.singularValues.prefix(r).map { Float(($0.doubleValue / s).squareRoot()) }
            a = Matrix(rows: r, columns: w.columns) { i, j in roots[i] * svd.vt[i, j] }
            b = Matrix(rows: w.rows, columns: r) { i, j in svd.u[i, j] * roots[j] }
            residual = w
            Matrix.gemm(b, a, alpha: -Float(s), beta: 1, into: &residual)   // W − s·B·A
            errors.append((residual - quantized.dequantized()).frobeniusNorm)
            q = quantized
        }
        return Result(quantized: q!, a: a, b: b, errors: errors)
    }
}
