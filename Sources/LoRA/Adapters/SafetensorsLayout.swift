/// The validated header of a safetensors file: where every tensor's bytes are, checked against
/// the size of the data section before a single data byte is read.
///
/// ```
/// file = N (8 bytes, little-endian u64) ‖ header (N bytes of JSON) ‖ data (file size − 8 − N bytes)
/// ```
/// Checks, in order: at least 8 bytes; N ≤ ``SafetensorsReader/maximumHeaderLength`` and ≤ the
/// bytes that follow; UTF-8; a JSON object without duplicate keys; per tensor a known dtype, a
/// shape of non-negative integers whose product (× dtype size) does not overflow,
/// `data_offsets` `[begin, end]` with `end − begin = product × size`; finally the tensors,
/// sorted by offset, must tile the data section exactly (no gap, no overlap, nothing left over).
struct SafetensorsLayout {
    /// One tensor's place in the data section.
    struct Placement {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        /// Offsets from the start of the data section.
        var begin: Int
        var end: Int
    }

    /// The header's `__metadata__`.
    var metadata: [String: String]
    /// The tensors, sorted by offset.
    var placements: [Placement]
    /// N, the header's length in bytes.
    var headerLength: Int
    /// Where the data section starts in the file: 8 + N.
    var dataStart: Int { 8 + headerLength }

    /// The header length N from the first 8 bytes, checked against the limit and the file size.
    /// - Parameters:
    ///   - prefix: the file's first bytes (at most 8 are looked at).
    ///   - fileSize: the whole file's size in bytes.
    static func headerLength(prefix: [UInt8], fileSize: Int, fileName: String) throws(SafetensorsError) -> Int {
        guard fileSize >= 8, prefix.count >= 8 else {
            throw SafetensorsError(file: fileName, kind: .truncated, problem: "too short for the 8-byte header length",
                                   expected: "at least 8 bytes", found: "\(fileSize)")
        }
        var declared: UInt64 = 0
        for i in (0..<8).reversed() { declared = declared << 8 | UInt64(prefix[i]) }
        guard declared <= UInt64(SafetensorsReader.maximumHeaderLength) else {
            throw SafetensorsError(file: fileName, kind: .headerTooLarge, problem: "header length too large",
                                   expected: "at most \(SafetensorsReader.maximumHeaderLength) bytes", found: "\(declared)")
        }
        let length = Int(declared)
        guard length <= fileSize - 8 else {
            throw SafetensorsError(file: fileName, kind: .truncated, problem: "file ends inside the header",
                                   expected: "\(length) header bytes", found: "\(fileSize - 8)")
        }
        return length
    }

    /// Parses and validates the header bytes of a file whose data section holds `dataLength` bytes.
    static func parse(header: [UInt8], dataLength: Int, fileName: String) throws(SafetensorsError) -> SafetensorsLayout {
        func error(_ kind: SafetensorsError.Kind, _ tensor: String? = nil, _ problem: String,
                   expected: String? = nil, found: String? = nil) -> SafetensorsError {
            SafetensorsError(file: fileName, tensor: tensor, kind: kind, problem: problem, expected: expected, found: found)
        }
        guard String(validating: header, as: UTF8.self) != nil else {
            throw error(.invalidUTF8, nil, "header is not valid UTF-8")
        }
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(header)
        } catch {
            throw SafetensorsError(file: fileName, kind: .invalidJSON,
                                   problem: "header is not valid JSON (\(error.message) at header byte \(error.offset))")
        }
        guard case .object(let members) = json else {
            throw error(.invalidJSON, nil, "header is not a JSON object", expected: "an object", found: json.typeName)
        }
        var metadata: [String: String] = [:]
        var placements: [Placement] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, fileName: fileName)
                continue
            }
            let entry = try TensorEntry.parse(name: name, value: value, fileName: fileName, dataLength: dataLength)
            placements.append(Placement(name: name, dtype: entry.dtype, shape: entry.shape, begin: entry.begin, end: entry.end))
        }

        // The tensors must tile [0, dataLength) exactly.
        placements.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for p in placements {
            guard p.begin == position else {
                throw error(.badOffsets, p.name,
                            p.begin < position ? "data overlaps the previous tensor" : "gap before this tensor's data",
                            expected: "begin offset \(position)", found: "\(p.begin)")
            }
            position = p.end
        }
        guard position == dataLength else {
            throw error(.badOffsets, nil, "tensors do not cover the data section exactly",
                        expected: "\(position) data bytes", found: "\(dataLength)")
        }
        return SafetensorsLayout(metadata: metadata, placements: placements, headerLength: header.count)
    }

    private static func parseMetadata(_ value: HeaderJSON, fileName: String) throws(SafetensorsError) -> [String: String] {
        guard case .object(let pairs) = value else {
            throw SafetensorsError(file: fileName, tensor: "__metadata__", kind: .invalidEntry,
                                   problem: "metadata is not an object", expected: "an object of strings", found: value.typeName)
        }
        var metadata: [String: String] = [:]
        for (key, item) in pairs {
            guard case .string(let text) = item else {
                throw SafetensorsError(file: fileName, tensor: "__metadata__", kind: .invalidEntry,
                                       problem: "metadata value for key '\(key)' is not a string",
                                       expected: "a string", found: item.typeName)
            }
            metadata[key] = text
        }
        return metadata
    }
}
