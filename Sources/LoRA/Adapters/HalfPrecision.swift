/// Bit-level conversions from the two 16-bit float formats safetensors files carry to `Float`.
///
/// ```
/// IEEE 754 binary16 (F16):  s eeeee mmmmmmmmmm          bias 15
///   normal     (−1)ˢ · 2^(e−15) · (1 + m/2¹⁰)
///   subnormal  (−1)ˢ · 2^(−14)  · (m/2¹⁰)          (e = 0)
///   e = 31     ±∞ (m = 0) or NaN (m ≠ 0)
///
/// bfloat16 (BF16):          s eeeeeeee mmmmmmm         the top half of a binary32
///   value = Float(bitPattern: bits << 16)
/// ```
/// Every binary16 and bfloat16 value is exactly representable as a binary32, so both
/// conversions are exact. A binary16 NaN keeps its sign and payload and is made quiet
/// (as x86's F16C `vcvtph2ps` and compiler-rt's `__extendhfsf2` do); a bfloat16 NaN keeps its
/// bits unchanged, as the format is defined by truncation.
public enum HalfPrecision {
    /// Converts an IEEE 754 binary16 bit pattern to `Float`, exactly.
    ///
    /// - Parameter bits: the 16 bits of a binary16 (sign, 5 exponent bits, 10 mantissa bits).
    /// - Returns: the same number as a binary32; NaNs are quieted, payload kept.
    public static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0x1F:
            // ±∞ or NaN: all-ones exponent; a NaN gets the binary32 quiet bit (bit 22).
            let quiet: UInt32 = mantissa == 0 ? 0 : 0x0040_0000
            return Float(bitPattern: sign | 0x7F80_0000 | quiet | (mantissa << 13))
        case 0 where mantissa == 0:
            return Float(bitPattern: sign)  // ±0
        case 0:
            // Subnormal: m · 2^(−24). Shift m up until its leading 1 reaches bit 10, then it is a
            // normal binary32 with exponent −14 − shifts.
            var m = mantissa
            var e: Int32 = -14
            while m & 0x0400 == 0 {
                m <<= 1
                e -= 1
            }
            let biased = UInt32(e + 127)
            return Float(bitPattern: sign | (biased << 23) | ((m & 0x03FF) << 13))
        default:
            // Normal: re-bias the exponent from 15 to 127 and widen the mantissa by 13 bits.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// Converts a bfloat16 bit pattern to `Float`, exactly: the 16 bits become the top half of a
    /// binary32 whose low 16 bits are zero.
    ///
    /// - Parameter bits: the 16 bits of a bfloat16 (sign, 8 exponent bits, 7 mantissa bits).
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
