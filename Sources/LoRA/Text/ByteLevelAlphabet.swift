/// GPT-2's table from bytes to printable characters (`bytes_to_unicode` in OpenAI's
/// `encoder.py`), which byte-level BPE uses so that every token is a string of visible characters.
///
/// ```
/// bytes '!'…'~', 0xA1…0xAC, 0xAE…0xFF  → the character with the same code point
/// the other 68 bytes, in increasing order → U+0100, U+0101, … U+0143
/// ```
/// So a space (0x20) becomes `Ġ` (U+0120) and a newline (0x0A) `Ċ` (U+010A): the token for
/// " the" is written `Ġthe` in a vocabulary.
public enum ByteLevelAlphabet {
    /// The character that stands for each byte, indexed by the byte.
    public static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if printable(UInt8(byte)) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte each table character stands for, indexed by the character's code point (< 324).
    private static let bytesByCodePoint: [Int16] = {
        var inverse = [Int16](repeating: -1, count: 324)
        for (byte, character) in characters.enumerated() { inverse[Int(character.value)] = Int16(byte) }
        return inverse
    }()

    /// Whether GPT-2 keeps `byte` as the character with the same code point.
    static func printable(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The byte that `character` stands for, or nil when it is not one of the 256 table characters.
    public static func byte(for character: Unicode.Scalar) -> UInt8? {
        let code = Int(character.value)
        guard code < bytesByCodePoint.count, bytesByCodePoint[code] >= 0 else { return nil }
        return UInt8(bytesByCodePoint[code])
    }

    /// `bytes` written with the table's characters (one character per byte).
    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(characters[Int(byte)]) }
        return String(text)
    }

    /// The bytes `token` stands for, or nil when one of its characters is not in the table.
    public static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for character in token.unicodeScalars {
            guard let byte = byte(for: character) else { return nil }
            out.append(byte)
        }
        return out
    }
}
