import Foundation

/// Writes safetensors files: every tensor as F32, deterministically.
///
/// ```
/// header keys sorted by their UTF-8 bytes ("__metadata__" included), tensors laid out in that
/// order, header padded with spaces so that 8 + N is a multiple of 8 (data stays aligned)
/// ```
/// The same document always gives the same bytes, so files can be compared and hashed.
public enum SafetensorsWriter {
    /// The file's bytes.
    public static func serialize(_ document: SafetensorsDocument) -> [UInt8] {
        let names = document.tensors.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var entries: [(key: String, json: String)] = []
        var offset = 0
        for name in names {
            let tensor = document.tensors[name]!
            let end = offset + tensor.values.count * SafetensorsDType.f32.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            // Field names in sorted order too.
            entries.append((name, "{\"data_offsets\":[\(offset),\(end)],\"dtype\":\"F32\",\"shape\":[\(shape)]}"))
            offset = end
        }
        if !document.metadata.isEmpty {
            let keys = document.metadata.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let body = keys.map { "\(quoted($0)):\(quoted(document.metadata[$0]!))" }.joined(separator: ",")
            entries.append(("__metadata__", "{\(body)}"))
        }
        entries.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        var header = Array(("{" + entries.map { "\(quoted($0.key)):\($0.json)" }.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        var length = UInt64(header.count)
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: length))
            length >>= 8
        }
        bytes.append(contentsOf: header)
        for name in names {
            for value in document.tensors[name]!.values {
                var bits = value.bitPattern
                for _ in 0..<4 {
                    bytes.append(UInt8(truncatingIfNeeded: bits))
                    bits >>= 8
                }
            }
        }
        return bytes
    }

    /// Serialises `document` and writes it atomically to `url` (see ``AtomicFile``).
    /// - Throws: ``SafetensorsError`` of kind ``SafetensorsError/Kind/io`` naming the file.
    public static func write(_ document: SafetensorsDocument, to url: URL) throws(SafetensorsError) {
        try AtomicFile.write(serialize(document), to: url)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest
    /// written as UTF-8.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
