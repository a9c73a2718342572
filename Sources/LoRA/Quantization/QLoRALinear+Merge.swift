/// What merging an adapter into a 4-bit base costs.
///
/// The merged weight W' = dequant(W4) + s·B·A is not representable in NF4; re-quantizing it
/// rounds ΔW away wherever it is smaller than half a quantization step, so a merged QLoRA model
/// is not the model that was trained. These numbers measure by how much.
public struct QLoRAMergeReport: Sendable {
    /// Fraction of 4-bit codes that changed (old W4 vs re-quantized W').
    public let flippedCodeFraction: Double
    /// max |quant(W') − W'| over the weight.
    public let maxWeightError: Double
    /// mean |quant(W') − W'| over the weight.
    public let meanWeightError: Double
    /// max |y_merged − y_adapter| on the probe input, if one was given.
    public let maxOutputError: Double?
    /// mean |y_merged − y_adapter| on the probe input, if one was given.
    public let meanOutputError: Double?
}

extension LoRALinear where Base == QuantizedLinear {
    /// Merges s·B·A into the base and re-quantizes with the same blocksize, codebook and
    /// double-quantization setting.
    ///
    /// ```
    /// W' = dequant(W4) + s·B·A        W4' = quant(W')
    /// ```
    /// - Parameter probe: an input (n, in) on which to compare the merged layer's output with the
    ///   adapter's (inference mode, no dropout).
    /// - Returns: the new 4-bit weight and a report of the error the re-quantization introduced.
    /// - Throws: ``LoRAError/nonFiniteMerge(adapter:)`` if W' has NaN or infinity.
    public func mergedWeight(probe: Matrix<Float>? = nil) throws -> (weight: QuantizedTensor, report: QLoRAMergeReport) {
        var merged = weight.dequantized()
        Matrix.gemm(b, a, alpha: scale, beta: 1, into: &merged)
        guard merged.isFinite else { throw LoRAError.nonFiniteMerge(adapter: adapterName) }
        let isDQ = weight.isDoubleQuantized
        let requantized = try QuantizedTensor(
            quantizing: merged, blocksize: weight.blocksize, codebook: weight.codebook, doubleQuantization: isDQ)
        var flipped = 0
        for i in 0..<weight.count where weight.code(at: i) != requantized.code(at: i) { flipped += 1 }
        let restored = requantized.dequantized()
        var maxError = 0.0, sumError = 0.0
        for (u, v) in zip(restored.storage, merged.storage) {
            let e = Double(abs(u - v))
            maxError = max(maxError, e)
            sumError += e
        }
        var maxOut: Double?, meanOut: Double?
        if let probe {
            let before = forward(probe)
            var view = base
            view.weight = requantized
            var after = view.forward(probe)  // the merged layer: new base, no adapter
            after -= before
            maxOut = Double(after.maxAbs)
            meanOut = after.storage.reduce(0.0) { $0 + Double(abs($1)) } / Double(max(1, after.count))
        }
        let report = QLoRAMergeReport(
            flippedCodeFraction: Double(flipped) / Double(weight.count),
            maxWeightError: maxError, meanWeightError: sumError / Double(weight.count),
            maxOutputError: maxOut, meanOutputError: meanOut)
        return (requantized, report)
    }
}
