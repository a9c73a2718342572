/// Which 16-level codebook a 4-bit tensor uses.
///
/// | kind | levels | zero code | source |
/// |---|---|---|---|
/// | `.nf4` | normal quantiles, asymmetric, exact 0 | 7 | QLoRA §3, bitsandbytes |
/// | `.fp4` | sign + 3-bit magnitude (bitsandbytes FP4) | 0 | bitsandbytes |
/// | `.int4` | k/7, k = −7…7 | 7 | our baseline |
public enum FourBitCodebook: String, Sendable, CaseIterable, Codable {
    case nf4
    case fp4
    case int4

    /// The 16 dequantization values, indexed by code.
    public var values: [Float] {
        switch self {
        case .nf4: NF4.levels
        case .fp4: FP4.values
        case .int4: INT4.values
        }
    }

    /// The code of 0.0, which pads the last byte of an odd-length tensor.
    public var zeroCode: UInt8 {
        switch self {
        case .nf4: NF4.zeroCode
        case .fp4: FP4.zeroCode
        case .int4: INT4.zeroCode
        }
    }

    /// The code of a normalised value x̂ = x·(1/absmax) (NaN → 0 for NF4 and FP4, as in bitsandbytes).
    @inlinable
    public func code(for x: Float) -> UInt8 {
        switch self {
        case .nf4: NF4.code(for: x)
        case .fp4: FP4.code(for: x)
        case .int4: INT4.code(for: x)
        }
    }
}
