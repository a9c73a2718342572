import Foundation

/// A JSON summary of a safetensors document for checking it with another implementation:
/// per tensor its name, dtype, shape, element count, sum, first values and a checksum.
///
/// ```json
/// { "file": "adapter_model.safetensors",
///   "tensors": [ { "name": "…lora_A.weight", "dtype": "F32", "shape": [4, 16], "count": 64,
///                  "sum": "-0.123…", "first": ["0.25", …], "fnv1a64": "9c3…" }, … ] }
/// ```
/// `first` holds up to 4 values as shortest round-trip decimal strings (parse them as binary32
/// to get the exact bits); `sum` is the sequential Double sum of the Float values; `fnv1a64` is
/// the 64-bit FNV-1a hash (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the values'
/// little-endian F32 bytes.
public struct SafetensorsManifest: Codable, Equatable, Sendable {
    /// One tensor's summary.
    public struct Entry: Codable, Equatable, Sendable {
        /// The tensor's name in the file.
        public var name: String
        /// Its dtype as written (`"F32"`).
        public var dtype: String
        /// Its shape.
        public var shape: [Int]
        /// The number of elements.
        public var count: Int
        /// Σ values, summed in order in Double, as a shortest round-trip decimal.
        public var sum: String
        /// The first (up to) 4 values as shortest round-trip decimals of binary32.
        public var first: [String]
        /// FNV-1a 64 of the values' little-endian F32 bytes, lowercase hex without leading zeros.
        public var fnv1a64: String
    }

    /// The file the manifest describes (a name, not a path).
    public var file: String
    /// Entries sorted by name.
    public var tensors: [Entry]

    /// Summarises `document`, as the file `file` holds it.
    public init(document: SafetensorsDocument, file: String) {
        self.file = file
        tensors = document.tensors.keys.sorted().map { name in
            let t = document.tensors[name]!
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for value in t.values {
                var bits = value.bitPattern
                for _ in 0..<4 {
                    hash = (hash ^ UInt64(bits & 0xFF)) &* 0x0000_0100_0000_01B3
                    bits >>= 8
                }
            }
            let sum = t.values.reduce(0.0) { $0 + Double($1) }
            return Entry(name: name, dtype: t.dtype.rawValue, shape: t.shape, count: t.values.count,
                         sum: "\(sum)", first: t.values.prefix(4).map { "\($0)" },
                         fnv1a64: String(hash, radix: 16))
        }
    }

    /// Writes the manifest as pretty-printed JSON with sorted keys, atomically.
    /// - Throws: ``SafetensorsError`` of kind ``SafetensorsError/Kind/io``.
    public func write(to url: URL) throws(SafetensorsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try! encoder.encode(self)  // strings and integers only: cannot fail
        data.append(0x0A)
        try AtomicFile.write([UInt8](data), to: url)
    }
}
