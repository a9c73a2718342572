/// bitsandbytes' signed 8-bit "dynamic" map: 256 float32 values in [−0.99296875, 1], used for
/// blockwise 8-bit quantization and for double quantization of the 4-bit absmax constants.
///
/// ```
/// index:   0 … 126   127   128 … 255
/// value:  −0.993 …  −5.5e-7   0   5.5e-7 … 1
/// ```
/// It is `create_dynamic_map(signed=True)` in bitsandbytes' `functional.py` (Dettmers 2016,
/// "8-bit approximations for parallelism in deep learning"): a sign, a run of zero bits that
/// sets the decade, then linear fraction bits, which gives fine steps near 0 and coarse ones
/// near ±1. The QLoRA paper calls the double-quantization format "8-bit floats"; the code uses
/// this map, not IEEE FP8. We hard-code bitsandbytes' float32 values by bit pattern.
public enum DynamicMap {
    /// The 256 float32 bit patterns, ascending (index 127 is 0.0, index 255 is 1.0).
    public static let bits: [UInt32] = [
        0xBF7E_3333, 0xBF7A_999A, 0xBF77_0000, 0xBF73_6666, 0xBF6F_CCCD, 0xBF6C_3333, 0xBF68_999A, 0xBF65_0000,
        0xBF61_6666, 0xBF5D_CCCD, 0xBF5A_3333, 0xBF56_999A, 0xBF53_0000, 0xBF4F_6666, 0xBF4B_CCCD, 0xBF48_3333,
        0xBF44_999A, 0xBF41_0000, 0xBF3D_6666, 0xBF39_CCCD, 0xBF36_3334, 0xBF32_999A, 0xBF2F_0000, 0xBF2B_6666,
        0xBF27_CCCD, 0xBF24_3334, 0xBF20_999A, 0xBF1D_0000, 0xBF19_6666, 0xBF15_CCCD, 0xBF12_3334, 0xBF0E_999A,
        0xBF0B_0000, 0xBF07_6666, 0xBF03_CCCC, 0xBF00_3333, 0xBEF9_3332, 0xBEF2_0000, 0xBEEA_CCCC, 0xBEE3_999A,
        0xBEDC_6666, 0xBED5_3333, 0xBECE_0000, 0xBEC6_CCCC, 0xBEBF_999A, 0xBEB8_6666, 0xBEB1_3333, 0xBEAA_0000,
        0xBEA2_CCCC, 0xBE9B_999A, 0xBE94_6666, 0xBE8D_3334, 0xBE86_0000, 0xBE7D_9999, 0xBE6F_3333, 0xBE60_CCCD,
        0xBE52_6666, 0xBE44_0000, 0xBE35_999A, 0xBE27_3333, 0xBE18_CCCD, 0xBE0A_6666, 0xBDF8_0000, 0xBDDB_3334,
        0xBDC9_EB85, 0xBDC4_28F7, 0xBDBE_6667, 0xBDB8_A3D7, 0xBDB2_E148, 0xBDAD_1EB8, 0xBDA7_5C2A, 0xBDA1_999A,
        0xBD9B_D70A, 0xBD96_147B, 0xBD90_51EB, 0xBD8A_8F5D, 0xBD84_CCCD, 0xBD7E_147B, 0xBD72_8F5D, 0xBD67_0A3D,
        0xBD5B_851F, 0xBD50_0000, 0xBD44_7AE1, 0xBD38_F5C3, 0xBD2D_70A3, 0xBD21_EB85, 0xBD16_6667, 0xBD0A_E148,
        0xBCFE_B852, 0xBCE7_AE15, 0xBCD0_A3D7, 0xBCB9_999A, 0xBCA2_8F5D, 0xBC8B_851F, 0xBC68_F5C3, 0xBC3A_E148,
        0xBC1F_3B64, 0xBC16_0418, 0xBC0C_CCCD, 0xBC03_9581, 0xBBF4_BC6A, 0xBBE2_4DD3, 0xBBCF_DF3B, 0xBBBD_70A4,
        0xBBAB_020D, 0xBB98_9374, 0xBB86_24DD, 0xBB67_6C8A, 0xBB42_8F5C, 0xBB1D_B22D, 0xBAF1_A9FC, 0xBAA7_EF9D,
        0xBA77_65FF, 0xBA59_E83E, 0xBA3C_6A80, 0xBA1E_ECC1, 0xBA01_6F01, 0xB9C7_E283, 0xB98C_E705, 0xB923_D70B,
        0xB8BA_1F4B, 0xB88A_EFB3, 0xB837_8034, 0xB7B2_4206, 0xB702_05FF, 0xB65A_1A94, 0xB513_A3B7, 0x0000_0000,
        0x3513_A3B7, 0x365A_1A94, 0x3702_05FF, 0x37B2_4206, 0x3837_8034, 0x388A_EFB3, 0x38BA_1F4B, 0x3923_D70B,
        0x398C_E705, 0x39C7_E283, 0x3A01_6F01, 0x3A1E_ECC1, 0x3A3C_6A80, 0x3A59_E83E, 0x3A77_65FF, 0x3AA7_EF9D,
        0x3AF1_A9FC, 0x3B1D_B22D, 0x3B42_8F5C, 0x3B67_6C8A, 0x3B86_24DD, 0x3B98_9374, 0x3BAB_020D, 0x3BBD_70A4,
        0x3BCF_DF3B, 0x3BE2_4DD3, 0x3BF4_BC6A, 0x3C03_9581, 0x3C0C_CCCD, 0x3C16_0418, 0x3C1F_3B64, 0x3C3A_E148,
        0x3C68_F5C3, 0x3C8B_851F, 0x3CA2_8F5D, 0x3CB9_999A, 0x3CD0_A3D7, 0x3CE7_AE15, 0x3CFE_B852, 0x3D0A_E148,
        0x3D16_6667, 0x3D21_EB85, 0x3D2D_70A3, 0x3D38_F5C3, 0x3D44_7AE1, 0x3D50_0000, 0x3D5B_851F, 0x3D67_0A3D,
        0x3D72_8F5D, 0x3D7E_147B, 0x3D84_CCCD, 0x3D8A_8F5D, 0x3D90_51EB, 0x3D96_147B, 0x3D9B_D70A, 0x3DA1_999A,
        0x3DA7_5C2A, 0x3DAD_1EB8, 0x3DB2_E148, 0x3DB8_A3D7, 0x3DBE_6667, 0x3DC4_28F7, 0x3DC9_EB85, 0x3DDB_3334,
        0x3DF8_0000, 0x3E0A_6666, 0x3E18_CCCD, 0x3E27_3333, 0x3E35_999A, 0x3E44_0000, 0x3E52_6666, 0x3E60_CCCD,
        0x3E6F_3333, 0x3E7D_9999, 0x3E86_0000, 0x3E8D_3334, 0x3E94_6666, 0x3E9B_999A, 0x3EA2_CCCC, 0x3EAA_0000,
        0x3EB1_3333, 0x3EB8_6666, 0x3EBF_999A, 0x3EC6_CCCC, 0x3ECE_0000, 0x3ED5_3333, 0x3EDC_6666, 0x3EE3_999A,
        0x3EEA_CCCC, 0x3EF2_0000, 0x3EF9_3332, 0x3F00_3333, 0x3F03_CCCC, 0x3F07_6666, 0x3F0B_0000, 0x3F0E_999A,
        0x3F12_3334, 0x3F15_CCCD, 0x3F19_6666, 0x3F1D_0000, 0x3F20_999A, 0x3F24_3334, 0x3F27_CCCD, 0x3F2B_6666,
        0x3F2F_0000, 0x3F32_999A, 0x3F36_3334, 0x3F39_CCCD, 0x3F3D_6666, 0x3F41_0000, 0x3F44_999A, 0x3F48_3333,
        0x3F4B_CCCD, 0x3F4F_6666, 0x3F53_0000, 0x3F56_999A, 0x3F5A_3333, 0x3F5D_CCCD, 0x3F61_6666, 0x3F65_0000,
        0x3F68_999A, 0x3F6C_3333, 0x3F6F_CCCD, 0x3F73_6666, 0x3F77_0000, 0x3F7A_999A, 0x3F7E_3333, 0x3F80_0000,
    ]

    /// The 256 values, ascending.
    public static let values: [Float] = bits.map(Float.init(bitPattern:))

    /// The nearest map index of x̂, with bitsandbytes' rounding (`dQuantize` in `kernels.cu`).
    ///
    /// ```
    /// L = the index with v_L < x̂ ≤ v_{L+1},   m = (v_L + v_{L+1})·0.5   (float32)
    /// index = L + 1 if x̂ > m,  L if x̂ < m,  the even one of L, L+1 if x̂ = m
    /// ```
    /// x̂ ≤ v₀ and NaN give 0; x̂ > 1 gives 255. The even-index tie rule is what bitsandbytes'
    /// 7-step binary search (pivot 127 ± 64 ± … ± 1 always ends on an even index) produces.
    /// - Complexity: 8 comparisons.
    @inlinable
    public static func index(for x: Float) -> UInt8 {
        values.withUnsafeBufferPointer { v in
            guard x > v[0] else { return 0 }
            guard x <= v[255] else { return 255 }
            var (low, high) = (0, 255)  // v[low] < x ≤ v[high]
            while high - low > 1 {
                let mid = (low + high) >> 1
                if v[mid] < x { low = mid } else { high = mid }
            }
            let midpoint = (v[low] + v[high]) * 0.5
            if x > midpoint { return UInt8(high) }
            if x < midpoint { return UInt8(low) }
            return UInt8(low & 1 == 0 ? low : high)
        }
    }
}
