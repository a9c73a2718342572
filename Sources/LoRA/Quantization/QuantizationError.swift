/// Errors a user can cause when quantizing or loading quantized tensors.
///
/// Each case names the offending value so the message says what was expected and what was found.
public enum QuantizationError: Error, Equatable, CustomStringConvertible {
    /// The blocksize is not a power of two in 32…4096 (bitsandbytes' supported range).
    case invalidBlocksize(Int)
    /// A weight to quantize is NaN or ±∞; `index` is its flat (row-major) position.
    case nonFiniteValue(index: Int, value: Float)
    /// A packed 4-bit buffer has `found` bytes where the shape needs `expected` = ⌈n/2⌉.
    case packedLengthMismatch(expected: Int, found: Int)
    /// A scale buffer (absmax, 8-bit codes, second-level absmax) has the wrong length.
    case scaleCountMismatch(name: String, expected: Int, found: Int)
    /// A shape with a negative or zero dimension.
    case invalidShape(rows: Int, columns: Int)

    public var description: String {
        switch self {
        case .invalidBlocksize(let b):
            "invalid blocksize \(b): it must be a power of two between 32 and 4096"
        case .nonFiniteValue(let index, let value):
            "cannot quantize a non-finite weight: element \(index) is \(value)"
        case .packedLengthMismatch(let expected, let found):
            "packed 4-bit buffer has \(found) bytes, but the shape needs \(expected) (two codes per byte)"
        case .scaleCountMismatch(let name, let expected, let found):
            "\(name) has \(found) values, but the shape and blocksize need \(expected)"
        case .invalidShape(let rows, let columns):
            "invalid tensor shape (\(rows), \(columns)): both dimensions must be positive"
        }
    }

    /// Checks that `blocksize` is a power of two in 32…4096.
    /// - Throws: ``invalidBlocksize(_:)``.
    public static func validate(blocksize: Int) throws {
        guard blocksize >= 32, blocksize <= 4096, blocksize & (blocksize - 1) == 0 else {
            throw QuantizationError.invalidBlocksize(blocksize)
        }
    }

    /// Checks that every value is finite.
    /// - Throws: ``nonFiniteValue(index:value:)`` for the first NaN or ±∞.
    public static func validateFinite(_ values: UnsafeBufferPointer<Float>) throws {
        // A vectorisable any-non-finite scan first; the slow search only runs on failure.
        var bad = false
        for v in values { bad = bad || !v.isFinite }
        guard bad else { return }
        for (i, v) in values.enumerated() where !v.isFinite {
            throw QuantizationError.nonFiniteValue(index: i, value: v)
        }
    }
}
