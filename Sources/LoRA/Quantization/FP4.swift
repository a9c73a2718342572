/// bitsandbytes' 4-bit float (`quant_type="fp4"`): a sign bit and a 3-bit magnitude index.
///
/// ```
/// code = s·8 + m      s = 1 when x̂ < 0      m indexes the magnitudes below
/// bits m:      000   001    010   011   100   101   110   111
/// magnitude:    0   1/192   2/3    1    1/3   1/2   1/6   1/4
/// ```
/// The magnitudes are bitsandbytes' FP4 values (1 sign, 2 exponent, 1 mantissa bits with bias 3:
/// 0, 0.0625, 8, 12, 4, 6, 2, 3) divided by 12 so that the largest is 1 (`csrc/kernels.cu`,
/// `dQuantizeFP4`, `dDequantizeFP4Tree`). Rounding compares |x̂| with seven thresholds; the
/// number exceeded is the magnitude's rank, which maps to the bits above.
public enum FP4 {
    /// The float32 bit patterns of the eight magnitudes, indexed by the 3 magnitude bits.
    public static let magnitudeBits: [UInt32] = [
        0x0000_0000, 0x3BAA_AAAB, 0x3F2A_AAAB, 0x3F80_0000, 0x3EAA_AAAB, 0x3F00_0000, 0x3E2A_AAAB, 0x3E80_0000,
    ]

    /// The eight magnitudes, indexed by the 3 magnitude bits.
    public static let magnitudes: [Float] = magnitudeBits.map(Float.init(bitPattern:))

    /// The seven thresholds on |x̂| (bitsandbytes' float literals 0.00260417, 0.0859375,
    /// 0.20833333, 0.29166667, 0.4166667, 0.583333, 0.8333333 rounded to float32), ascending.
    public static let thresholdBits: [UInt32] = [
        0x3B2A_AAB9, 0x3DB0_0000, 0x3E55_5555, 0x3E95_5555, 0x3ED5_5556, 0x3F15_5550, 0x3F55_5555,
    ]

    /// The thresholds as `Float`.
    public static let thresholds: [Float] = thresholdBits.map(Float.init(bitPattern:))

    /// The magnitude bits for each rank 0…7 (ascending magnitude).
    public static let bitsForRank: [UInt8] = [0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011]

    /// The 16 values by code: codes 0…7 positive, 8…15 negative (code 8 is −0.0).
    public static let values: [Float] = (0..<16).map { code in
        let magnitude = magnitudes[code & 0b111]
        return code & 0b1000 != 0 ? -magnitude : magnitude
    }

    /// The code of 0.0 (used to pad an odd-length tensor): 0.
    public static let zeroCode: UInt8 = 0

    /// The code of a normalised value x̂: sign bit when x̂ < 0, then the magnitude rank's bits.
    /// NaN gets code 0, as in bitsandbytes.
    @inlinable
    public static func code(for x: Float) -> UInt8 {
        let sign: UInt8 = x < 0 ? 0b1000 : 0
        let magnitude = abs(x)
        var rank = 0
        for t in thresholds where magnitude > t { rank += 1 }
        return sign | bitsForRank[rank]
    }
}
