/// Blockwise absmax quantization to 4-bit codes, byte-compatible with bitsandbytes'
/// `quantize_4bit` / `dequantize_4bit` (CUDA kernels `kQuantizeBlockwise`, `kDequantizeBlockwise`).
///
/// ```
/// absmax_b = max_{i ∈ block b} |xᵢ|                                   (float32)
/// x̂ᵢ = xᵢ · (1/absmax_b)                                              (a multiply by the reciprocal)
/// qᵢ = code(x̂ᵢ)                                                       (codebook rounding)
/// byte k = q₂ₖ·16 + q₂ₖ₊₁                                             (first element in the HIGH nibble)
/// x̃ᵢ = value(qᵢ) · absmax_b                                           (one float32 multiply)
/// ```
/// Blocks are `blocksize` consecutive elements of the row-major tensor; the last may be partial.
/// An odd-length tensor's last low nibble is the code of 0·(1/absmax): the codebook's zero code.
/// An all-zero block has absmax 0. bitsandbytes then computes 0·(1/0) = NaN, whose code is 0;
/// we take the same code without dividing by zero (reciprocal set to NaN), so the bytes agree
/// and the block still dequantizes to (±)0.
///
/// The loops work on raw buffers and allocate nothing; NF4 codes are a branch-free
/// comparison-sum over the 15 thresholds, 16 lanes at a time.
public enum Blockwise4Bit {
    /// Quantizes `source` into `packed` (⌈n/2⌉ bytes) and `absmax` (⌈n/blocksize⌉ floats).
    ///
    /// The caller guarantees a valid blocksize, finite values and buffer sizes (the throwing
    /// wrappers in ``QuantizedTensor`` check them).
    /// - Complexity: O(n), no allocation.
    public static func quantize(
        _ source: UnsafeBufferPointer<Float>, blocksize: Int, codebook: FourBitCodebook,
        packed: UnsafeMutableBufferPointer<UInt8>, absmax: UnsafeMutableBufferPointer<Float>
    ) {
        let n = source.count
        precondition(
            packed.count == (n + 1) / 2 && absmax.count == (n + blocksize - 1) / blocksize,
            "Blockwise4Bit.quantize: \(n) values need \((n + 1) / 2) bytes and \((n + blocksize - 1) / blocksize) absmax, got \(packed.count) and \(absmax.count)")
        guard n > 0, let src = source.baseAddress, let out = packed.baseAddress else { return }
        var block = 0
        var start = 0
        while start < n {
            let length = min(blocksize, n - start)
            let m = blockAbsMax(src + start, length)
            absmax[block] = m
            // bitsandbytes multiplies by 1/absmax; for absmax = 0 it gets NaN codes. Same codes, no 1/0.
            let reciprocal: Float = m > 0 ? 1 / m : .nan
            if codebook == .nf4 && length % 16 == 0 {
                quantizeNF4(src + start, length, reciprocal, out + start / 2)
            } else {
                quantizeScalar(src + start, length, reciprocal, codebook, out + start / 2)
            }
            start += length
            block += 1
        }
    }

    /// max |xᵢ| over `count` finite floats, on the bit patterns (for non-negative floats the
    /// integer order is the numeric order), 16 lanes at a time.
    @inline(__always)
    static func blockAbsMax(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        let raw = UnsafeRawPointer(p)
        var lanes = SIMD16<UInt32>(repeating: 0)
        let mask = SIMD16<UInt32>(repeating: 0x7FFF_FFFF)
        var i = 0
        while i + 16 <= count {
            let bits = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<UInt32>.self) & mask
            lanes = pointwiseMax(lanes, bits)
            i += 16
        }
        var best = lanes.max()
        while i < count {
            best = max(best, p[i].bitPattern & 0x7FFF_FFFF)
            i += 1
        }
        return Float(bitPattern: best)
    }

    /// NF4 codes for a block whose length is a multiple of 16: x̂ = x·r, code = Σₖ [x̂ > tₖ].
    @inline(__always)
    static func quantizeNF4(_ p: UnsafePointer<Float>, _ count: Int, _ reciprocal: Float, _ out: UnsafeMutablePointer<UInt8>) {
        let t = NF4.thresholds
        let (t0, t1, t2, t3, t4) = (SIMD16(repeating: t[0]), SIMD16(repeating: t[1]), SIMD16(repeating: t[2]), SIMD16(repeating: t[3]), SIMD16(repeating: t[4]))
        let (t5, t6, t7, t8, t9) = (SIMD16(repeating: t[5]), SIMD16(repeating: t[6]), SIMD16(repeating: t[7]), SIMD16(repeating: t[8]), SIMD16(repeating: t[9]))
        let (t10, t11, t12, t13, t14) = (SIMD16(repeating: t[10]), SIMD16(repeating: t[11]), SIMD16(repeating: t[12]), SIMD16(repeating: t[13]), SIMD16(repeating: t[14]))
        let raw = UnsafeRawPointer(p)
        let outRaw = UnsafeMutableRawPointer(out)
        var i = 0
        while i < count {
            let x = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) * reciprocal
            // Each comparison is a lane mask of 0 or −1; subtracting it counts thresholds below x̂.
            var c = SIMD16<Int32>(repeating: 0)
            c &-= unsafeBitCast(x .> t0, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t1, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t2, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t3, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t4, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t5, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t6, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t7, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t8, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t9, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t10, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t11, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t12, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t13, to: SIMD16<Int32>.self)
            c &-= unsafeBitCast(x .> t14, to: SIMD16<Int32>.self)
            // Element 2k → high nibble, 2k+1 → low nibble.
            let bytes = SIMD8<UInt8>(truncatingIfNeeded: (c.evenHalf &<< 4) | c.oddHalf)
            outRaw.storeBytes(of: bytes, toByteOffset: i / 2, as: SIMD8<UInt8>.self)
            i += 16
        }
    }

    /// Any codebook, any length (the partial last block): one element at a time.
    @inline(__always)
    static func quantizeScalar(
        _ p: UnsafePointer<Float>, _ count: Int, _ reciprocal: Float, _ codebook: FourBitCodebook,
        _ out: UnsafeMutablePointer<UInt8>
    ) {
        // The padding element is 0.0, scaled like the others (bitsandbytes loads 0 past the end).
        let padCode = codebook.code(for: 0 * reciprocal)
        var i = 0
        while i < count {
            let high = codebook.code(for: p[i] * reciprocal)
            let low = i + 1 < count ? codebook.code(for: p[i + 1] * reciprocal) : padCode
            out[i / 2] = high << 4 | low
            i += 2
        }
    }

    // MARK: Dequantize

    /// For each byte, the two values (high nibble, low nibble) before scaling: 256 pairs.
    static func pairTable(_ codebook: FourBitCodebook) -> [SIMD2<Float>] {
        let v = codebook.values
        return (0..<256).map { SIMD2(v[$0 >> 4], v[$0 & 15]) }
    }

    static let nf4Pairs = pairTable(.nf4)
    static let fp4Pairs = pairTable(.fp4)
    static let int4Pairs = pairTable(.int4)

    static func pairs(_ codebook: FourBitCodebook) -> [SIMD2<Float>] {
        switch codebook {
        case .nf4: nf4Pairs
        case .fp4: fp4Pairs
        case .int4: int4Pairs
        }
    }

    /// Writes x̃ᵢ = value(qᵢ)·absmax for the flat elements `elements` into `out[0..<elements.count]`.
    ///
    /// `absmax[j]` is the scale of block `firstBlock + j`, where `firstBlock = elements.lowerBound / blocksize`.
    /// - Complexity: O(count), no allocation.
    public static func dequantize(
        packed: UnsafePointer<UInt8>, absmax: UnsafePointer<Float>, blocksize: Int,
        codebook: FourBitCodebook, elements: Range<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        pairs(codebook).withUnsafeBufferPointer { table in
            let pair = table.baseAddress!
            let firstBlock = elements.lowerBound / blocksize
            var i = elements.lowerBound
            while i < elements.upperBound {
                let block = i / blocksize
                let end = min((block + 1) * blocksize, elements.upperBound)
                let a = absmax[block - firstBlock]
                var o = out + (i - elements.lowerBound)
                if i & 1 == 1 {  // an odd start: the low nibble alone
                    o.pointee = pair[Int(packed[i >> 1])].y * a
                    o += 1
                    i += 1
                }
                let scale = SIMD2<Float>(repeating: a)
                let raw = UnsafeMutableRawPointer(o)
                var k = 0
                while i + 1 < end {
                    raw.storeBytes(of: pair[Int(packed[i >> 1])] * scale, toByteOffset: 8 * k, as: SIMD2<Float>.self)
                    k += 1
                    i += 2
                }
                if i < end {  // an odd end: the high nibble alone
                    (o + 2 * k).pointee = pair[Int(packed[i >> 1])].x * a
                    i += 1
                }
            }
        }
    }
}
