/// The scale constants of a 4-bit tensor: plain float32 absmax, or double-quantized.
public enum QuantizationScales: Sendable, Equatable {
    /// One float32 absmax per block.
    case float([Float])
    /// 8-bit codes + float32 absmax₂ per 256 blocks + an offset (``DoubleQuantizedScales``).
    case doubleQuantized(DoubleQuantizedScales)

    /// Number of blocks described.
    public var count: Int {
        switch self {
        case .float(let a): a.count
        case .doubleQuantized(let d): d.count
        }
    }

    /// The absmax the dequantizer uses for block `j` (absmax' for double quantization).
    @inlinable
    public func absmax(block j: Int) -> Float {
        switch self {
        case .float(let a): a[j]
        case .doubleQuantized(let d): d.value(at: j)
        }
    }
}

/// A matrix stored as 4-bit codes with blockwise absmax scales (bitsandbytes `Params4bit`).
///
/// ```
/// W: (rows, columns) float32  →  packed: ⌈n/2⌉ bytes,  scales: ⌈n/blocksize⌉ blocks,  n = rows·columns
/// W̃[i] = value(code[i]) · absmax[i / blocksize]        (flat row-major index i)
/// ```
/// Quantizing validates the blocksize (power of two, 32…4096) and rejects NaN and infinity;
/// loading from parts validates every length. See ``Blockwise4Bit`` for the exact rounding.
public struct QuantizedTensor: Sendable, Equatable {
    /// Rows of the original matrix (out features for a weight).
    public let rows: Int
    /// Columns of the original matrix (in features for a weight).
    public let columns: Int
    /// Elements per absmax block.
    public let blocksize: Int
    /// The 16-level codebook.
    public let codebook: FourBitCodebook
    /// Two codes per byte, first element in the high nibble.
    public let packed: [UInt8]
    /// The block scales.
    public let scales: QuantizationScales

    /// Quantizes a float matrix.
    ///
    /// - Parameters:
    ///   - matrix: the weights, (rows, columns).
    ///   - blocksize: elements per block; 64 is bitsandbytes' default for 4-bit.
    ///   - codebook: `.nf4` (QLoRA), `.fp4` or `.int4`.
    ///   - doubleQuantization: quantize the absmax constants as well (QLoRA's DQ).
    /// - Throws: ``QuantizationError/invalidBlocksize(_:)``, ``QuantizationError/nonFiniteValue(index:value:)``,
    ///   ``QuantizationError/invalidShape(rows:columns:)``.
    /// - Complexity: O(n), one pass.
    public init(
        quantizing matrix: Matrix<Float>, blocksize: Int = 64, codebook: FourBitCodebook = .nf4,
        doubleQuantization: Bool = false
    ) throws {
        try QuantizationError.validate(blocksize: blocksize)
        guard matrix.rows > 0, matrix.columns > 0 else {
            throw QuantizationError.invalidShape(rows: matrix.rows, columns: matrix.columns)
        }
        let n = matrix.count
        var packed = [UInt8](repeating: 0, count: (n + 1) / 2)
        var absmax = [Float](repeating: 0, count: (n + blocksize - 1) / blocksize)
        try matrix.storage.withUnsafeBufferPointer { source in
            try QuantizationError.validateFinite(source)
            packed.withUnsafeMutableBufferPointer { p in
                absmax.withUnsafeMutableBufferPointer { a in
                    Blockwise4Bit.quantize(source, blocksize: blocksize, codebook: codebook, packed: p, absmax: a)
                }
            }
        }
        self.rows = matrix.rows
        self.columns = matrix.columns
        self.blocksize = blocksize
        self.codebook = codebook
        self.packed = packed
        self.scales = doubleQuantization ? .doubleQuantized(DoubleQuantizedScales(absmax: absmax)) : .float(absmax)
    }

    /// Assembles a tensor from stored parts, checking every length.
    /// - Throws: ``QuantizationError`` naming the part whose length is wrong.
    public init(
        rows: Int, columns: Int, blocksize: Int, codebook: FourBitCodebook, packed: [UInt8],
        scales: QuantizationScales
    ) throws {
        try QuantizationError.validate(blocksize: blocksize)
        guard rows > 0, columns > 0 else { throw QuantizationError.invalidShape(rows: rows, columns: columns) }
        let n = rows * columns
        let blocks = (n + blocksize - 1) / blocksize
        guard packed.count == (n + 1) / 2 else {
            throw QuantizationError.packedLengthMismatch(expected: (n + 1) / 2, found: packed.count)
        }
        switch scales {
        case .float(let a):
            guard a.count == blocks else { throw QuantizationError.scaleCountMismatch(name: "absmax", expected: blocks, found: a.count) }
        case .doubleQuantized(let d):
            guard d.codes.count == blocks else {
                throw QuantizationError.scaleCountMismatch(name: "double-quantized absmax codes", expected: blocks, found: d.codes.count)
            }
            let groups = (blocks + DoubleQuantizedScales.groupSize - 1) / DoubleQuantizedScales.groupSize
            guard d.absmax2.count == groups else {
                throw QuantizationError.scaleCountMismatch(name: "second-level absmax", expected: groups, found: d.absmax2.count)
            }
        }
        self.rows = rows
        self.columns = columns
        self.blocksize = blocksize
        self.codebook = codebook
        self.packed = packed
        self.scales = scales
    }

    /// Number of elements, rows · columns.
    public var count: Int { rows * columns }
    /// Number of absmax blocks, ⌈n / blocksize⌉.
    public var blockCount: Int { (count + blocksize - 1) / blocksize }
    /// Whether the absmax constants are double-quantized.
    public var isDoubleQuantized: Bool { if case .doubleQuantized = scales { true } else { false } }
    /// The shape as "(rows, columns)".
    public var shapeDescription: String { "(\(rows), \(columns))" }

    /// The 4-bit code of flat element `i`.
    public func code(at i: Int) -> UInt8 {
        let byte = packed[i >> 1]
        return i & 1 == 0 ? byte >> 4 : byte & 0x0F
    }

    /// The absmax the dequantizer uses for every block (absmax' after double quantization).
    public var effectiveAbsmax: [Float] { (0..<blockCount).map(scales.absmax(block:)) }

    /// The whole dequantized matrix. For inspection and tests; layers dequantize in tiles.
    public func dequantized() -> Matrix<Float> {
        var out = Matrix<Float>.zeros(rows, columns)
        out.storage.withUnsafeMutableBufferPointer { o in
            var scratch = [Float](repeating: 0, count: blockCount)
            dequantizeRows(0..<rows, into: o.baseAddress!, absmaxScratch: &scratch)
        }
        return out
    }

    /// Dequantizes rows `range` into `out` ((range.count, columns), row-major), without allocating
    /// when `absmaxScratch` has room for the blocks the rows touch.
    /// - Complexity: O(range.count · columns).
    public func dequantizeRows(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>, absmaxScratch: inout [Float]) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "QuantizedTensor: rows \(range) outside \(shapeDescription)")
        let elements = (range.lowerBound * columns)..<(range.upperBound * columns)
        guard !elements.isEmpty else { return }
        let firstBlock = elements.lowerBound / blocksize
        let lastBlock = (elements.upperBound - 1) / blocksize
        packed.withUnsafeBufferPointer { p in
            switch scales {
            case .float(let a):
                a.withUnsafeBufferPointer { ap in
                    Blockwise4Bit.dequantize(
                        packed: p.baseAddress!, absmax: ap.baseAddress! + firstBlock, blocksize: blocksize,
                        codebook: codebook, elements: elements, into: out)
                }
            case .doubleQuantized(let d):
                let needed = lastBlock - firstBlock + 1
                if absmaxScratch.count < needed { absmaxScratch = [Float](repeating: 0, count: needed) }
                for j in 0..<needed { absmaxScratch[j] = d.value(at: firstBlock + j) }
                absmaxScratch.withUnsafeBufferPointer { ap in
                    Blockwise4Bit.dequantize(
                        packed: p.baseAddress!, absmax: ap.baseAddress!, blocksize: blocksize,
                        codebook: codebook, elements: elements, into: out)
                }
            }
        }
    }
}
