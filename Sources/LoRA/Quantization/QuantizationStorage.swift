/// Exact storage of a 4-bit tensor, and the QLoRA paper's per-parameter formula (§3).
///
/// ```
/// without DQ:  bits/param = 4 + 32/b                          (b = 64: 4.5)
/// with DQ:     bits/param = 4 + 8/b + 32/(b·256)              (b = 64: 4.126953;  b = 256: 4.031738)
/// ```
/// The exact count adds what the formula ignores: a half byte of padding for odd n, partial
/// blocks and groups, and the 4-byte offset.
public struct QuantizationStorage: Sendable, Equatable {
    /// Parameters stored.
    public let parameters: Int
    /// Packed 4-bit codes, ⌈n/2⌉.
    public let codeBytes: Int
    /// Scale constants: 4 per block, or (1 per block + 4 per 256 blocks + 4) with DQ.
    public let constantBytes: Int

    /// Everything, in bytes.
    public var totalBytes: Int { codeBytes + constantBytes }
    /// 8 · totalBytes / parameters.
    public var bitsPerParameter: Double { 8 * Double(totalBytes) / Double(parameters) }

    /// The paper's formula for a blocksize, with or without double quantization.
    public static func formulaBitsPerParameter(blocksize: Int, doubleQuantization: Bool) -> Double {
        let b = Double(blocksize)
        return doubleQuantization ? 4 + 8 / b + 32 / (b * Double(DoubleQuantizedScales.groupSize)) : 4 + 32 / b
    }

    /// Storage for `parameters` values without building the tensor.
    public init(parameters n: Int, blocksize: Int, doubleQuantization: Bool) {
        let blocks = (n + blocksize - 1) / blocksize
        let groups = (blocks + DoubleQuantizedScales.groupSize - 1) / DoubleQuantizedScales.groupSize
        parameters = n
        codeBytes = (n + 1) / 2
        constantBytes = doubleQuantization ? blocks + 4 * groups + 4 : 4 * blocks
    }
}

extension QuantizedTensor {
    /// What this tensor occupies.
    public var storage: QuantizationStorage {
        QuantizationStorage(parameters: count, blocksize: blocksize, doubleQuantization: isDoubleQuantized)
    }
}
