#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measurements of a 4-bit quantization, for the chapters: errors, normalised values, code usage.
///
/// ```
/// x̂ᵢ = xᵢ · (1/absmax_b)                        (what the codebook sees, b = ⌊i/blocksize⌋)
/// H = −Σₖ pₖ log₂ pₖ,  pₖ = #{i : codeᵢ = k}/n     (entropy of the code stream, ≤ 4 bits)
/// ```
public enum QuantizationAnalysis {
    /// Error statistics of a reconstruction.
    public struct ErrorSummary: Sendable, Equatable {
        /// mean |x − x̃|.
        public let meanAbsolute: Double
        /// max |x − x̃|.
        public let maxAbsolute: Double
        /// mean (x − x̃)².
        public let meanSquared: Double
    }

    /// Compares `reconstructed` with `original` element by element.
    /// - Precondition: equal element counts.
    public static func errors(_ original: [Float], _ reconstructed: [Float]) -> ErrorSummary {
        precondition(original.count == reconstructed.count, "QuantizationAnalysis.errors: \(original.count) vs \(reconstructed.count) values")
        var sumAbs = 0.0, sumSq = 0.0, maxAbs = 0.0
        for i in original.indices {
            let e = Double(original[i]) - Double(reconstructed[i])
            sumAbs += abs(e)
            sumSq += e * e
            maxAbs = max(maxAbs, abs(e))
        }
        let n = Double(max(1, original.count))
        return ErrorSummary(meanAbsolute: sumAbs / n, maxAbsolute: maxAbs, meanSquared: sumSq / n)
    }

    /// The values a blockwise quantizer feeds its codebook: x · (1/absmax) per block of
    /// `blocksize` consecutive elements (an all-zero block gives zeros).
    /// - Precondition: `blocksize > 0`.
    public static func normalized(_ values: [Float], blocksize: Int) -> [Float] {
        precondition(blocksize > 0, "QuantizationAnalysis.normalized: blocksize must be positive, got \(blocksize)")
        var out = [Float](repeating: 0, count: values.count)
        var start = 0
        while start < values.count {
            let end = min(start + blocksize, values.count)
            var m: Float = 0
            for i in start..<end { m = max(m, abs(values[i])) }
            let reciprocal: Float = m > 0 ? 1 / m : 0
            for i in start..<end { out[i] = values[i] * reciprocal }
            start = end
        }
        return out
    }

    /// How often each of the 16 codes occurs in a tensor (padding nibble excluded).
    public static func codeCounts(_ tensor: QuantizedTensor) -> [Int] {
        var counts = [Int](repeating: 0, count: 16)
        for i in 0..<tensor.count { counts[Int(tensor.code(at: i))] += 1 }
        return counts
    }

    /// How often each code occurs when `values` (already normalised) are rounded by `codebook`.
    public static func codeCounts(normalized values: [Float], codebook: FourBitCodebook) -> [Int] {
        var counts = [Int](repeating: 0, count: 16)
        for v in values { counts[Int(codebook.code(for: v))] += 1 }
        return counts
    }

    /// Shannon entropy in bits of a histogram: −Σ p log₂ p over non-empty bins.
    public static func entropyBits(_ counts: [Int]) -> Double {
        let n = Double(counts.reduce(0, +))
        guard n > 0 else { return 0 }
        return counts.filter { $0 > 0 }.reduce(0.0) { h, c in
            let p = Double(c) / n
            return h - p * (Double.log(p) / Double.log(2))
        }
    }
}
