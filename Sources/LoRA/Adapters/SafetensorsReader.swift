import Foundation

/// Reads safetensors files, validating every number in the header against the bytes actually
/// present before allocating anything sized by it.
///
/// Checks, in order: at least 8 bytes; header length ≤ ``maximumHeaderLength`` and ≤ the bytes
/// that follow; UTF-8; a JSON object without duplicate keys; per tensor a known dtype, a shape
/// of non-negative integers whose product (× dtype size) does not overflow, `data_offsets`
/// `[begin, end]` with `end − begin = product × size`; finally the tensors, sorted by offset,
/// must tile the data section exactly (no gap, no overlap, nothing left over).
public enum SafetensorsReader {
    /// The largest header accepted: 100,000,000 bytes, the limit Hugging Face's `safetensors`
    /// applies (`MAX_HEADER_SIZE`).
    public static let maximumHeaderLength = 100_000_000

    /// Reads and validates the file at `url`.
    /// - Throws: ``SafetensorsError`` naming the file (its last path component), the tensor and the problem.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> SafetensorsDocument {
        let name = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafetensorsError(file: name, kind: .io, problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse([UInt8](data), fileName: name)
    }

    /// Parses the bytes of a safetensors file; `fileName` is only used in error messages.
    /// - Complexity: O(bytes); allocates at most about 2 × the input size (F16 → Float doubles it).
    public static func parse(_ bytes: [UInt8], fileName: String) throws(SafetensorsError) -> SafetensorsDocument {
        func error(_ kind: SafetensorsError.Kind, _ tensor: String? = nil, _ problem: String,
                   expected: String? = nil, found: String? = nil) -> SafetensorsError {
            SafetensorsError(file: fileName, tensor: tensor, kind: kind, problem: problem, expected: expected, found: found)
        }
        guard bytes.count >= 8 else {
            throw error(.truncated, nil, "too short for the 8-byte header length", expected: "at least 8 bytes", found: "\(bytes.count)")
        }
        var declared: UInt64 = 0
        for i in (0..<8).reversed() { declared = declared << 8 | UInt64(bytes[i]) }
        guard declared <= UInt64(maximumHeaderLength) else {
            throw error(.headerTooLarge, nil, "header length too large",
                        expected: "at most \(maximumHeaderLength) bytes", found: "\(declared)")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw error(.truncated, nil, "file ends inside the header",
                        expected: "\(headerLength) header bytes", found: "\(bytes.count - 8)")
        }
        let headerBytes = Array(bytes[8..<(8 + headerLength)])
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw error(.invalidUTF8, nil, "header is not valid UTF-8")
        }
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(headerBytes)
        } catch {
            throw SafetensorsError(file: fileName, kind: .invalidJSON,
                                   problem: "header is not valid JSON (\(error.message) at header byte \(error.offset))")
        }
        guard case .object(let members) = json else {
            throw error(.invalidJSON, nil, "header is not a JSON object", expected: "an object", found: json.typeName)
        }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, fileName: fileName)
                continue
            }
            let entry = try TensorEntry.parse(name: name, value: value, fileName: fileName, dataLength: dataLength)
            entries.append((name, entry.dtype, entry.shape, entry.begin, entry.end))
        }

        // The tensors must tile [0, dataLength) exactly.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for entry in entries {
            guard entry.begin == position else {
                throw error(.badOffsets, entry.name,
                            entry.begin < position ? "data overlaps the previous tensor" : "gap before this tensor's data",
                            expected: "begin offset \(position)", found: "\(entry.begin)")
            }
            position = entry.end
        }
        guard position == dataLength else {
            throw error(.badOffsets, nil, "tensors do not cover the data section exactly",
                        expected: "\(position) data bytes", found: "\(dataLength)")
        }

        // Every range is now known to lie inside `bytes`: allocate and convert.
        var tensors: [String: SafetensorsTensor] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let values = decode(bytes, from: dataStart + entry.begin, to: dataStart + entry.end, dtype: entry.dtype)
            tensors[entry.name] = SafetensorsTensor(dtype: entry.dtype, shape: entry.shape, values: values)
        }
        return SafetensorsDocument(tensors: tensors, metadata: metadata)
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

    /// Little-endian bytes [from, to) to Float values; the range was validated by the caller.
    private static func decode(_ bytes: [UInt8], from: Int, to: Int, dtype: SafetensorsDType) -> [Float] {
        let count = (to - from) / dtype.size
        return bytes.withUnsafeBufferPointer { buffer in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                var p = from
                for i in 0..<count {
                    switch dtype {
                    case .f32:
                        let bits = UInt32(buffer[p]) | UInt32(buffer[p + 1]) << 8
                            | UInt32(buffer[p + 2]) << 16 | UInt32(buffer[p + 3]) << 24
                        out[i] = Float(bitPattern: bits)
                    case .f16:
                        out[i] = HalfPrecision.float(fromHalfBits: UInt16(buffer[p]) | UInt16(buffer[p + 1]) << 8)
                    case .bf16:
                        out[i] = HalfPrecision.float(fromBFloat16Bits: UInt16(buffer[p]) | UInt16(buffer[p + 1]) << 8)
                    }
                    p += dtype.size
                }
                initialized = count
            }
        }
    }
}
