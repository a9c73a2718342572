/// The three Unicode classes the pre-tokenizer regexes are written in, decided by general
/// category as Oniguruma (the regex engine of `tokenizers`) decides them.
///
/// ```
/// \p{L}  letter:      Lu Ll Lt Lm Lo
/// \p{N}  number:      Nd Nl No
/// \s     whitespace:  U+0009…U+000D, U+0085, and the separators Zs Zl Zp
/// ```
enum ScalarClass {
    /// `\p{L}`.
    @inline(__always)
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return (0x41...0x5A).contains(s.value) || (0x61...0x7A).contains(s.value) }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`.
    @inline(__always)
    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return (0x30...0x39).contains(s.value) }
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `\s`.
    @inline(__always)
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value == 0x20 || (0x09...0x0D).contains(s.value) }
        if s.value == 0x85 { return true }
        switch s.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, emoji …
    @inline(__always)
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        !isLetter(s) && !isNumber(s) && !isWhitespace(s)
    }

    /// `[\r\n]`.
    @inline(__always)
    static func isLineBreak(_ s: Unicode.Scalar) -> Bool { s == "\r" || s == "\n" }
}
