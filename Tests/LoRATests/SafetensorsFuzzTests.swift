import Foundation
import LoRA
import Testing

/// Seeded mutation fuzzing of the reader: every mutant must either load into a consistent
/// document or throw a `SafetensorsError`; mutants that must fail (or must load) are checked.
@Suite struct SafetensorsFuzzTests {
    static let mutantsPerRun = 24_000

    /// The valid starting file: header text, padded header bytes and data.
    struct Seed {
        let bytes: [UInt8]
        let header: String
        let data: [UInt8]
        init() {
            bytes = SafetensorsWriter.serialize(sampleDocument(seed: 11))
            let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
            data = Array(bytes[(8 + n)...])
        }
    }

    enum Expectation { case mayLoad, mustThrow, mustLoad }

    static let nastyNumbers = [
        "-1", "-0", "0", "1", "7", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "99999999999999999999999", "1e3", "3.5", "1E400", "00", "-",
    ]
    static let nastyShapes = [
        "[4294967296,4294967296,4294967296]", "[9223372036854775807]", "[3037000500,3037000500]",
        "[]", "[0]", "[1,-1]", "[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]",
        "\"2,3\"", "[[2],[3]]", "[2.0,3]",
    ]
    static let dtypes = ["F32", "F16", "BF16", "F64", "I8", "f32", "", "F32 ", "\u{00e9}"]

    /// Replaces the n-th match of `pattern` in `text` (wrapping around) by `replacement`.
    static func replacing(_ pattern: String, in text: String, pick: Int, with replacement: (String) -> String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return text }
        let m = matches[pick % matches.count]
        return ns.replacingCharacters(in: m.range, with: replacement(ns.substring(with: m.range)))
    }

    static func mutate(_ seed: Seed, _ rng: inout SeededGenerator) -> ([UInt8], Expectation) {
        var bytes = seed.bytes
        let headerEnd = seed.bytes.count - seed.data.count
        func rebuilt(_ header: String, _ data: [UInt8] = seed.data) -> [UInt8] {
            handMadeSafetensors(header: header, data: data)
        }
        switch rng.nextInt(below: 12) {
        case 0:  // random bit flips anywhere
            for _ in 0...rng.nextInt(below: 4) {
                let i = rng.nextInt(below: bytes.count)
                bytes[i] ^= 1 << UInt8(rng.nextInt(below: 8))
            }
            return (bytes, .mayLoad)
        case 1:  // truncation
            return (Array(bytes.prefix(rng.nextInt(below: bytes.count))), .mustThrow)
        case 2:  // a different header length
            var n = UInt64(headerEnd - 8)
            switch rng.nextInt(below: 4) {
            case 0: n = rng.next()
            case 1: n = UInt64.max - UInt64(rng.nextInt(below: 16))
            case 2: n = UInt64(Int64.max) + UInt64(rng.nextInt(below: 3))
            default: n = UInt64(max(0, Int(n) + rng.nextInt(below: 64) - 32))
            }
            if n == UInt64(headerEnd - 8) { n += 1 }
            for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(k))) }
            return (bytes, .mustThrow)
        case 3:  // one number in the header replaced
            let pick = rng.nextInt(below: 1000)
            let number = nastyNumbers[rng.nextInt(below: nastyNumbers.count)]
            return (rebuilt(replacing("[0-9]+", in: seed.header, pick: pick) { _ in number }), .mayLoad)
        case 4:  // a dtype replaced
            let dtype = dtypes[rng.nextInt(below: dtypes.count)]
            return (rebuilt(replacing("\"F32\"", in: seed.header, pick: rng.nextInt(below: 10)) { _ in "\"\(dtype)\"" }), .mayLoad)
        case 5:  // invalid UTF-8 inside the header
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]]
            var header = Array(seed.header.utf8)
            header.insert(contentsOf: bad[rng.nextInt(below: bad.count)], at: 1 + rng.nextInt(below: header.count - 2))
            let out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64($0))) }
            return (out + header + seed.data, .mustThrow)
        case 6:  // bit flips in the data section only: must still load
            for _ in 0...rng.nextInt(below: 4) {
                let i = headerEnd + rng.nextInt(below: seed.data.count)
                bytes[i] ^= 1 << UInt8(rng.nextInt(below: 8))
            }
            return (bytes, .mustLoad)
        case 7:  // a shape replaced
            let shape = nastyShapes[rng.nextInt(below: nastyShapes.count)]
            return (rebuilt(replacing("\\[[0-9,]*\\]", in: seed.header, pick: 2 * rng.nextInt(below: 3) + 1) { _ in shape }), .mayLoad)
        case 8:  // a duplicated tensor entry
            let header = replacing("\"bias\":\\{[^}]*\\}", in: seed.header, pick: 0) { "\($0),\($0)" }
            return (rebuilt(header), .mustThrow)
        case 9:  // random JSON-ish bytes written over the header
            let alphabet = Array("{}[]\",:0123456789-. eE\\u".utf8)
            var header = Array(seed.header.utf8)
            for _ in 0...rng.nextInt(below: 3) {
                header[rng.nextInt(below: header.count)] = alphabet[rng.nextInt(below: alphabet.count)]
            }
            return (rebuilt(String(decoding: header, as: UTF8.self)), .mayLoad)
        case 10:  // extra bytes after the data
            return (bytes + (0...rng.nextInt(below: 9)).map { _ in UInt8(rng.nextInt(below: 256)) }, .mustThrow)
        default:  // overlapping or shifted offsets: move one tensor's offsets by ±1..8 bytes
            let shift = (rng.nextInt(below: 8) + 1) * (rng.nextBool(probability: 0.5) ? 1 : -1)
            let header = replacing("\\[[0-9]+,[0-9]+\\]", in: seed.header, pick: rng.nextInt(below: 3)) { pair in
                let parts = pair.dropFirst().dropLast().split(separator: ",").map { Int($0)! }
                return "[\(parts[0] + shift),\(parts[1] + shift)]"
            }
            return (rebuilt(header), .mustThrow)
        }
    }

    @Test func mutantsLoadConsistentlyOrThrowNeverCrash() {
        let seed = Seed()
        var rng = SeededGenerator(seed: 2024)
        var loaded = 0, thrown = 0, wrong: [String] = []
        let start = ContinuousClock.now
        for trial in 0..<Self.mutantsPerRun {
            let (bytes, expectation) = Self.mutate(seed, &rng)
            do {
                let document = try SafetensorsReader.parse(bytes, fileName: "fuzz.safetensors")
                loaded += 1
                // Consistency: counts match shapes, and the decoded data fits inside the file.
                var dataBytes = 0
                for (name, t) in document.tensors {
                    if t.values.count != t.shape.reduce(1, *) { wrong.append("\(trial): \(name) count/shape") }
                    dataBytes += t.values.count * t.dtype.size
                }
                if dataBytes > bytes.count { wrong.append("\(trial): decoded \(dataBytes) bytes from a \(bytes.count)-byte file") }
                if expectation == .mustThrow { wrong.append("\(trial): loaded a mutant that must fail") }
            } catch {
                thrown += 1
                if !error.description.contains("'fuzz.safetensors'") { wrong.append("\(trial): message lacks the file: \(error)") }
                if expectation == .mustLoad { wrong.append("\(trial): rejected a data-only mutant: \(error)") }
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(loaded + thrown == Self.mutantsPerRun)
        #expect(loaded > 1000 && thrown > 1000, "loaded \(loaded), thrown \(thrown): the mutations should exercise both paths")
        #expect(elapsed < .seconds(30), "fuzzing took \(elapsed)")
    }
}
