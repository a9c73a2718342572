/// The 4-bit NormalFloat data type of QLoRA (Dettmers et al. 2023, §3): 16 levels in [−1, 1].
///
/// ```
/// code:   0      1      2      3      4      5      6     7    8     9     10    11    12    13    14    15
/// value: −1  −0.696 −0.525 −0.395 −0.284 −0.185 −0.091  0  0.080 0.161 0.246 0.338 0.441 0.563 0.723  1
/// ```
/// Seven negative levels, an exact zero and eight positive levels: NF4 is asymmetric. The levels
/// are normal quantiles (see ``NF4Construction``), but bitsandbytes hard-codes them as float32
/// constants, and so do we, by bit pattern, so that codes and dequantized values are the same
/// bytes as bitsandbytes' (`csrc/kernels.cu`, `dDequantizeNF4`; `functional.py`, `get_4bit_type`).
public enum NF4 {
    /// The float32 bit patterns of the 16 levels, code order (ascending).
    public static let levelBits: [UInt32] = [
        0xBF80_0000, 0xBF32_39B1, 0xBF06_6B30, 0xBECA_32A0, 0xBE91_A24D, 0xBE3D_353F, 0xBDBA_7871, 0x0000_0000,
        0x3DA2_FAFF, 0x3E24_CAE3, 0x3E7C_04DD, 0x3EAD_033A, 0x3EE1_A4B8, 0x3F10_07AB, 0x3F39_13B3, 0x3F80_0000,
    ]

    /// The 16 levels as `Float`, code order.
    public static let levels: [Float] = levelBits.map(Float.init(bitPattern:))

    /// The 15 decision thresholds of bitsandbytes' `dQuantizeNF4`, as float32 bit patterns.
    ///
    /// They are the decimal literals of the CUDA decision tree (double-precision means of
    /// neighbouring levels, written with an `f` suffix) rounded to float32. Eleven of them equal
    /// the float32 mean `(cₖ + cₖ₊₁)·0.5`; four (k = 0, 8, 12, 14) lie one ulp away, because the
    /// exact mean falls halfway between two floats and the printed decimal rounds to the other
    /// side. Byte-exactness with the CUDA path needs these, not the recomputed means.
    public static let thresholdBits: [UInt32] = [
        0xBF59_1CD9, 0xBF1C_5270, 0xBEEB_8480, 0xBEAD_EA76, 0xBE70_3CEC, 0xBE0D_38BC, 0xBD3A_7871,
        0x3D22_FAFF, 0x3DF6_4863, 0x3E50_67E0, 0x3E95_82D4, 0x3EC7_53F9, 0x3F00_6D03, 0x3F24_8DAF, 0x3F5C_89D9,
    ]

    /// The 15 thresholds as `Float`, ascending.
    public static let thresholds: [Float] = thresholdBits.map(Float.init(bitPattern:))

    /// The code of 0.0 (used to pad an odd-length tensor): 7.
    public static let zeroCode: UInt8 = 7

    /// The code of a normalised value x̂ = x / absmax.
    ///
    /// ```
    /// code(x̂) = #{ k : tₖ < x̂ }        (t₀ < … < t₁₄ the thresholds)
    /// ```
    /// A value exactly on a threshold gets the lower code; NaN compares false everywhere and gets
    /// code 0 (as bitsandbytes' decision tree does).
    @inlinable
    public static func code(for x: Float) -> UInt8 {
        var c: UInt8 = 0
        for t in thresholds where x > t { c &+= 1 }
        return c
    }
}
