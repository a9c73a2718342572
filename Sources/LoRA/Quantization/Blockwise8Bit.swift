/// Blockwise 8-bit quantization with the ``DynamicMap`` (bitsandbytes' `quantize_blockwise`).
///
/// ```
/// absmax_g = max_{i ∈ block g} |xᵢ|       qᵢ = index(xᵢ · (1/absmax_g))       x̃ᵢ = dyn[qᵢ] · absmax_g
/// ```
/// An all-zero block gets absmax 0 and index 0 for every element (bitsandbytes computes
/// 0·(1/0) = NaN, whose index is 0), which dequantizes to −0.99…·0 = −0.0.
public enum Blockwise8Bit {
    /// Quantized values: one index per element and one absmax per block.
    public struct Result: Sendable, Equatable {
        /// One dynamic-map index per element.
        public var codes: [UInt8]
        /// One float32 absmax per block of `blocksize` elements (the last may be partial).
        public var absmax: [Float]
    }

    /// Quantizes `values` in blocks of `blocksize`.
    /// - Precondition: `blocksize > 0` and the values are finite (callers validate user input).
    /// - Complexity: O(n · log 256).
    public static func quantize(_ values: [Float], blocksize: Int) -> Result {
        precondition(blocksize > 0, "Blockwise8Bit.quantize: blocksize must be positive, got \(blocksize)")
        let n = values.count
        var codes = [UInt8](repeating: 0, count: n)
        var absmax = [Float](repeating: 0, count: (n + blocksize - 1) / blocksize)
        values.withUnsafeBufferPointer { x in
            var start = 0
            var block = 0
            while start < n {
                let end = min(start + blocksize, n)
                var m: Float = 0
                for i in start..<end { m = max(m, abs(x[i])) }
                absmax[block] = m
                let reciprocal: Float = m > 0 ? 1 / m : .nan
                for i in start..<end { codes[i] = DynamicMap.index(for: x[i] * reciprocal) }
                start = end
                block += 1
            }
        }
        return Result(codes: codes, absmax: absmax)
    }

    /// x̃ᵢ = dyn[qᵢ] · absmax_{i / blocksize} (one float32 multiply).
    public static func dequantize(_ quantized: Result, blocksize: Int) -> [Float] {
        let dyn = DynamicMap.values
        return quantized.codes.enumerated().map { i, q in dyn[Int(q)] * quantized.absmax[i / blocksize] }
    }
}
