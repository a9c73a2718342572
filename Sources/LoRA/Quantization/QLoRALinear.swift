/// A LoRA layer over a frozen 4-bit base weight: QLoRA (Dettmers et al. 2023, §3).
///
/// ```
/// y = x·dequant(W4)ᵀ + b + s · (drop(x)·Aᵀ)·Bᵀ
///
/// x: (n, in)   W4: (out, in) NF4 codes + absmax   A: (r, in)   B: (out, r)   s = α/r (or α/√r)
/// ```
/// The base weight is never held as a float matrix: forward and backward dequantize it in tiles
/// of ``tileRows`` rows into one scratch buffer and multiply each tile with BLAS. All compute is
/// float32 (bitsandbytes computes in the layer's compute dtype, often bfloat16; float32 keeps
/// our comparison with ``LoRALinear`` exact up to summation order). A and B, their
/// initialisation, dropout and scaling are ``LoRALinear``'s; only the base differs.
public struct QLoRALinear: Sendable {
    /// The frozen 4-bit base weight, (out, in).
    public internal(set) var weight: QuantizedTensor
    /// The frozen bias, (1, out), or `nil`.
    public let bias: Matrix<Float>?
    /// A, B, scaling and dropout: the same trainable branch as ``LoRALinear``'s.
    public var branch: LoRABranch<Float>
    /// The down-projection A, (r, in).
    public var a: Matrix<Float> {
        get { branch.a }
        set { branch.a = newValue }
    }
    /// The up-projection B, (out, r).
    public var b: Matrix<Float> {
        get { branch.b }
        set { branch.b = newValue }
    }
    /// The adapter's hyper-parameters (shared with ``LoRALinear``).
    public var hyperparameters: LoRAHyperparameters { branch.hyperparameters }
    /// The adapter's name, used in messages.
    public let adapterName: String
    /// Rows of W dequantized at a time (the scratch buffer holds tileRows · in floats).
    public var tileRows: Int = 128

    /// The rank r.
    public var rank: Int { hyperparameters.rank }
    /// The scaling s as `Float`.
    public var scale: Float { branch.scale }
    /// Input features.
    public var inFeatures: Int { weight.columns }
    /// Output features.
    public var outFeatures: Int { weight.rows }

    /// Quantizes `base.weight` and wraps it with an adapter initialised exactly as
    /// ``LoRALinear`` would (same draws from `generator`; with PiSSA the residual is quantized).
    ///
    /// - Parameters:
    ///   - blocksize: 4-bit blocksize (QLoRA uses 64).
    ///   - doubleQuantization: quantize the absmax constants too (QLoRA's default).
    /// - Throws: ``LoRAError`` for a bad configuration, ``QuantizationError`` for non-finite weights.
    public init(
        base: Linear<Float>, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, codebook: FourBitCodebook = .nf4, doubleQuantization: Bool = true,
        adapterName: String = "default", using generator: inout SeededGenerator
    ) throws {
        let lora = try LoRALinear(base: base, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
        let quantized = try QuantizedTensor(
            quantizing: lora.base.weight, blocksize: blocksize, codebook: codebook, doubleQuantization: doubleQuantization)
        try self.init(weight: quantized, bias: base.bias, a: lora.a, b: lora.b, hyperparameters: hyperparameters, adapterName: adapterName)
    }

    /// Wraps an already quantized weight with given factors.
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` when the shapes or values disagree.
    public init(
        weight: QuantizedTensor, bias: Matrix<Float>?, a: Matrix<Float>, b: Matrix<Float>,
        hyperparameters: LoRAHyperparameters, adapterName: String = "default"
    ) throws {
        try hyperparameters.validate(inFeatures: weight.columns, outFeatures: weight.rows)
        try LoRABranch.validate(a: a, b: b, rank: hyperparameters.rank, inFeatures: weight.columns, outFeatures: weight.rows)
        if let bias, bias.rows != 1 || bias.columns != weight.rows {
            throw LoRAError.invalidConfiguration("bias \(bias.shapeDescription) does not fit weight \(weight.shapeDescription); expected (1, \(weight.rows))")
        }
        self.weight = weight
        self.bias = bias
        self.branch = LoRABranch(a: a, b: b, hyperparameters: hyperparameters)
        self.adapterName = adapterName
    }

    // MARK: Base weight, tile by tile

    /// Calls `body(rows, tile)` for consecutive row ranges of dequant(W4), tile: (rows.count, in).
    func forEachTile(_ body: (Range<Int>, UnsafePointer<Float>) -> Void) {
        let rowsPerTile = max(1, min(tileRows, outFeatures))
        var tile = [Float](repeating: 0, count: rowsPerTile * inFeatures)
        var absmaxScratch = [Float](repeating: 0, count: (rowsPerTile * inFeatures) / weight.blocksize + 2)
        tile.withUnsafeMutableBufferPointer { t in
            for start in stride(from: 0, to: outFeatures, by: rowsPerTile) {
                let rows = start..<min(start + rowsPerTile, outFeatures)
                weight.dequantizeRows(rows, into: t.baseAddress!, absmaxScratch: &absmaxScratch)
                body(rows, UnsafePointer(t.baseAddress!))
            }
        }
    }

    /// y (n, out) = x·dequant(W4)ᵀ + b, tile by tile.
    func baseForward(_ x: Matrix<Float>) -> Matrix<Float> {
        precondition(x.columns == inFeatures, "QLoRALinear.forward: input \(x.shapeDescription) does not match weight \(weight.shapeDescription)")
        let (n, k, d) = (x.rows, inFeatures, outFeatures)
        var y = Matrix<Float>.zeros(n, d)
        if let bias { for i in 0..<n { for j in 0..<d { y.storage[i * d + j] = bias.storage[j] } } }
        guard n > 0 else { return y }
        x.storage.withUnsafeBufferPointer { xp in
            y.storage.withUnsafeMutableBufferPointer { yp in
                forEachTile { rows, tile in
                    // x: (n, in) · tileᵀ: (in, t) → y[:, rows]: (n, t), accumulated (ldc = out)
                    Float.gemm(
                        transposeA: false, transposeB: true, m: n, n: rows.count, k: k,
                        alpha: 1, a: xp.baseAddress!, lda: k, b: tile, ldb: k,
                        beta: 1, c: yp.baseAddress! + rows.lowerBound, ldc: d)
                }
            }
        }
        return y
    }

    /// ∂L/∂x through the base: dy (n, out) · dequant(W4) (out, in) → (n, in), tile by tile.
    func baseInputGradient(_ dy: Matrix<Float>) -> Matrix<Float> {
        let (n, k, d) = (dy.rows, inFeatures, outFeatures)
        var dx = Matrix<Float>.zeros(n, k)
        guard n > 0 else { return dx }
        dy.storage.withUnsafeBufferPointer { gp in
            dx.storage.withUnsafeMutableBufferPointer { xp in
                forEachTile { rows, tile in
                    // dy[:, rows]: (n, t) (lda = out) · tile: (t, in) → dx: (n, in), accumulated
                    Float.gemm(
                        transposeA: false, transposeB: false, m: n, n: k, k: rows.count,
                        alpha: 1, a: gp.baseAddress! + rows.lowerBound, lda: d, b: tile, ldb: k,
                        beta: 1, c: xp.baseAddress!, ldc: k)
                }
            }
        }
        return dx
    }

    // MARK: Forward and backward

    /// Inference forward (no dropout).
    public func forward(_ x: Matrix<Float>) -> Matrix<Float> {
        var y = baseForward(x)
        branch.addUpdate(input: x, to: &y)
        return y
    }

    /// Training forward: draws the dropout mask from `generator` (as ``LoRALinear`` does) and
    /// returns what backward needs.
    public func forward(_ x: Matrix<Float>, training generator: inout SeededGenerator) -> (output: Matrix<Float>, cache: LoRACache<Float>) {
        var y = baseForward(x)
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        return (y, cache)
    }

    /// Gradients for x, A and B (the 4-bit weight is frozen and gets none); see ``LoRABranch``.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · dequant(W4) + mask ⊙ (∂L/∂u · A)    (the base term tile by tile)
    /// ```
    public func backward(_ dy: Matrix<Float>, cache: LoRACache<Float>) -> LoRAGradients<Float> {
        precondition(
            dy.rows == cache.input.rows && dy.columns == outFeatures,
            "QLoRALinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.input.shapeDescription) and weight \(weight.shapeDescription)")
        return branch.backward(dy, cache: cache, baseInputGradient: baseInputGradient(dy))
    }

    /// ΔW = s·B·A, (out, in).
    public var deltaWeight: Matrix<Float> { branch.deltaWeight }

    /// Trainable parameters: r·(in + out).
    public var trainableParameterCount: Int { rank * (inFeatures + outFeatures) }
}
