/// Values the checks compare against, hard-coded from the specifications rather than computed
/// by the code under test.
enum SpecValues {
    /// The 16 NF4 levels as float32 bit patterns, code = index (bitsandbytes
    /// `functional.py` `get_4bit_type("nf4")`; QLoRA paper, Dettmers et al. 2023, appendix E).
    static let nf4LevelBits: [UInt32] = [
        0xBF80_0000, 0xBF32_39B1, 0xBF06_6B30, 0xBECA_32A0, 0xBE91_A24D, 0xBE3D_353F, 0xBDBA_7871, 0x0000_0000,
        0x3DA2_FAFF, 0x3E24_CAE3, 0x3E7C_04DD, 0x3EAD_033A, 0x3EE1_A4B8, 0x3F10_07AB, 0x3F39_13B3, 0x3F80_0000,
    ]

    /// The NF4 levels as Float.
    static let nf4Levels: [Float] = nf4LevelBits.map(Float.init(bitPattern:))

    /// The 15 decision thresholds between neighbouring levels (the float32 means of neighbours,
    /// as in bitsandbytes' `dQuantizeNF4` in `csrc/kernels.cu`). A value exactly on one goes to
    /// the lower code.
    static let nf4Midpoints: [Float] = [
        -0.848096371, -0.610632896, -0.459995270, -0.339679420, -0.234607399,
        -0.137911737, -0.0455250181, 0.0397901498, 0.120255247, 0.203521252, 0.292013764,
        0.389312536, 0.501663446, 0.642786920, 0.861478448,
    ]

    /// The NF4 code by the rule "number of midpoints strictly below x" (NaN → 0).
    static func nf4Code(_ x: Float) -> UInt8 {
        UInt8(nf4Midpoints.reduce(0) { $0 + ($1 < x ? 1 : 0) })
    }
}
