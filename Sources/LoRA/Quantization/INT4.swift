/// Symmetric 4-bit integers, our baseline: 15 evenly spaced levels k/7, k = −7…7.
///
/// ```
/// q = clamp(round(7·x̂), −7, 7)      value = q / 7      code = q + 7
/// ```
/// `round` is round-half-to-even (like `torch.round`). Code 15 is never produced; it decodes to 0.
public enum INT4 {
    /// The 16 values by code: (code − 7)/7 for codes 0…14, and 0 for the unused code 15.
    public static let values: [Float] = (0..<16).map { $0 == 15 ? 0 : Float($0 - 7) / 7 }

    /// The code of 0.0: 7.
    public static let zeroCode: UInt8 = 7

    /// The code of x̂; NaN gets the code of zero.
    @inlinable
    public static func code(for x: Float) -> UInt8 {
        guard !x.isNaN else { return zeroCode }
        let q = min(max((7 * x).rounded(.toNearestOrEven), -7), 7)
        return UInt8(Int(q) + 7)
    }
}
