/// Double quantization of the 4-bit absmax constants (QLoRA §3, bitsandbytes
/// `quantize_4bit(..., compress_statistics=True)`).
///
/// ```
/// c = mean_j absmax_j                                    (one float32 offset)
/// (q, absmax₂) = Blockwise8Bit(absmax − c, blocksize 256)  (8-bit codes, one float32 per 256 constants)
/// absmax'_j = dyn[q_j] · absmax₂[j / 256] + c             (a multiply, then an add; no FMA)
/// ```
/// Storage per 4-bit block falls from 32 bits to 8 bits plus 32/256: at blocksize 64 the
/// constants cost 0.127 instead of 0.5 bits per parameter (paper: 0.373 bits saved, ≈ 3 GB on a
/// 65B model).
///
/// The offset is the float32 rounding of the exact mean (summed in Double). bitsandbytes calls
/// `torch.mean` on float32, whose CUDA reduction order is unspecified and may differ in the last
/// bit; everything after the offset is exact.
public struct DoubleQuantizedScales: Sendable, Equatable {
    /// bitsandbytes' blocksize for the second level: 256 constants share one absmax₂.
    public static let groupSize = 256

    /// One dynamic-map index per 4-bit block.
    public let codes: [UInt8]
    /// One float32 absmax₂ per group of 256 constants.
    public let absmax2: [Float]
    /// The mean c that was subtracted before quantizing.
    public let offset: Float

    /// Double-quantizes first-level absmax constants.
    /// - Precondition: the constants are finite (they come from finite weights).
    public init(absmax: [Float]) {
        let mean = absmax.isEmpty ? 0 : absmax.reduce(0.0) { $0 + Double($1) } / Double(absmax.count)
        let offset = Float(mean)
        let centred = absmax.map { $0 - offset }
        let q = Blockwise8Bit.quantize(centred, blocksize: Self.groupSize)
        self.init(codes: q.codes, absmax2: q.absmax, offset: offset)
    }

    /// Wraps stored parts (e.g. loaded from a file); ``QuantizedTensor`` checks their lengths.
    public init(codes: [UInt8], absmax2: [Float], offset: Float) {
        self.codes = codes
        self.absmax2 = absmax2
        self.offset = offset
    }

    /// Number of first-level constants.
    public var count: Int { codes.count }

    /// absmax'_j = dyn[q_j] · absmax₂[j / 256] + c.
    @inlinable
    public func value(at j: Int) -> Float {
        let scaled = DynamicMap.values[Int(codes[j])] * absmax2[j / Self.groupSize]
        return scaled + offset
    }

    /// All dequantized constants.
    public func dequantized() -> [Float] { (0..<count).map(value(at:)) }

    /// Bytes stored: one per code, four per absmax₂, four for the offset.
    public var storageBytes: Int { codes.count + 4 * absmax2.count + 4 }
}
