/// A frozen linear layer whose weight is stored in 4 bits: bitsandbytes' `Linear4bit`, the
/// base of every linear layer in a QLoRA model (Dettmers et al. 2023, §3).
///
/// ```
/// y = x·dequant(W4)ᵀ + b          x: (n, in)   W4: (out, in) 4-bit codes + absmax   b: (1, out)
/// ∂L/∂x = ∂L/∂y · dequant(W4)     (no gradient for W4 or b: the layer is frozen)
/// ```
/// The float weight is never materialised: forward and backward dequantize ``tileRows`` rows of
/// W4 at a time into one scratch buffer and multiply each tile with BLAS. All compute is float32
/// (bitsandbytes computes in the layer's compute dtype, often bfloat16).
public struct QuantizedLinear: Sendable {
    public typealias Scalar = Float
    /// The frozen 4-bit weight, (out, in).
    public internal(set) var weight: QuantizedTensor
    /// The frozen bias, (1, out), or `nil`.
    public private(set) var bias: Matrix<Float>?
    /// Rows of W dequantized at a time (the scratch buffer holds tileRows · in floats).
    public var tileRows: Int = 128

    /// Input features.
    public var inFeatures: Int { weight.columns }
    /// Output features.
    public var outFeatures: Int { weight.rows }

    /// Wraps an already quantized weight and an optional bias (1, out).
    /// - Throws: ``LoRAError/biasShape(expected:found:)`` when the bias does not fit the weight.
    public init(weight: QuantizedTensor, bias: Matrix<Float>? = nil) throws(LoRAError) {
        if let bias, bias.rows != 1 || bias.columns != weight.rows {
            throw .biasShape(expected: [1, weight.rows], found: [bias.rows, bias.columns])
        }
        self.weight = weight
        self.bias = bias
    }

    /// Quantizes `base.weight` (the bias stays float, as in bitsandbytes).
    ///
    /// - Parameters:
    ///   - base: the float layer whose weight is quantized.
    ///   - blocksize: 4-bit blocksize (QLoRA uses 64).
    ///   - codebook: the 4-bit code values (NF4 by default, as QLoRA).
    ///   - doubleQuantization: quantize the absmax constants too (QLoRA's default).
    /// - Throws: ``QuantizationError`` for a bad blocksize or non-finite weights.
    public init(quantizing base: Linear<Float>, blocksize: Int = 64, codebook: FourBitCodebook = .nf4, doubleQuantization: Bool = true) throws {
        let w = try QuantizedTensor(quantizing: base.weight, blocksize: blocksize, codebook: codebook, doubleQuantization: doubleQuantization)
        try self.init(weight: w, bias: base.bias)
    }

    /// The float layer dequant(W4) (+ b), frozen: the same function, without the 4-bit storage.
    public var dequantized: Linear<Float> { Linear(weight: weight.dequantized(), bias: bias, isTrainable: false) }

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
    /// - Complexity: 2·n·in·out flops plus one dequantization of W4.
    public func forward(_ x: Matrix<Float>) -> Matrix<Float> {
        precondition(x.columns == inFeatures, "QuantizedLinear.forward: input \(x.shapeDescription) does not match weight \(weight.shapeDescription)")
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

    /// ∂L/∂x = ∂L/∂y · dequant(W4): dy (n, out) · (out, in) → (n, in), tile by tile.
    /// - Complexity: 2·n·in·out flops plus one dequantization of W4.
    func inputGradient(_ dy: Matrix<Float>) -> Matrix<Float> {
        precondition(dy.columns == outFeatures, "QuantizedLinear.inputGradient: output gradient \(dy.shapeDescription) does not match weight \(weight.shapeDescription)")
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
}

extension QuantizedLinear: LinearLayer {
    /// The output, and x (kept so that the memory ledgers of LoRA and QLoRA models count the
    /// same activations; the backward pass does not need it).
    public func forward(_ x: Matrix<Float>, training _: inout SeededGenerator) -> (output: Matrix<Float>, cache: InputCache<Float>) {
        (forward(x), InputCache(input: x))
    }

    /// ∂L/∂x only: the 4-bit weight and the bias are frozen.
    public func backward(_ dy: Matrix<Float>, cache: InputCache<Float>) -> LayerGradients<Float> {
        precondition(
            dy.rows == cache.input.rows && dy.columns == outFeatures,
            "QuantizedLinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.input.shapeDescription) and weight \(weight.shapeDescription)")
        return LayerGradients(input: inputGradient(dy))
    }

    /// The bias, if any (always frozen; a change of value is kept, as merging a LoRA bias
    /// needs); the 4-bit weight is in ``quantizedWeights``.
    public mutating func visitParameters(_ body: (String, inout Matrix<Float>, inout Bool) -> Void) {
        guard var b = bias else { return }
        var frozen = false
        body("bias", &b, &frozen)
        precondition(b.rows == 1 && b.columns == outFeatures, "QuantizedLinear: bias changed to \(b.shapeDescription), expected (1, \(outFeatures))")
        bias = b
    }

    public var quantizedWeights: [(name: String, value: QuantizedTensor)] { [("weight", weight)] }

    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> { dense(as: Other.self) }
}

extension QuantizedLinear: LoRABase {
    public func frozen() -> QuantizedLinear { self }

    public var denseWeight: Matrix<Float> { weight.dequantized() }

    public func dense<Other: BLASScalar>(as _: Other.Type) -> Linear<Other> {
        Linear(weight: weight.dequantized().converted(), bias: bias?.converted(), isTrainable: false)
    }

    /// W4 ← quant(dequant(W4) + s·B·A) with the same blocksize, codebook and double
    /// quantization (bitsandbytes' `Linear4bit` merge): the update is rounded to the 4-bit grid.
    public mutating func addProduct(_ b: Matrix<Float>, _ a: Matrix<Float>, scale s: Float) throws(LoRAError) {
        var w = weight.dequantized()
        Matrix.gemm(b, a, alpha: s, beta: 1, into: &w)
        do {
            weight = try QuantizedTensor(quantizing: w, blocksize: weight.blocksize, codebook: weight.codebook,
                                         doubleQuantization: weight.isDoubleQuantized)
        } catch { throw .nonFiniteWeight }
    }
}
