import Foundation

/// The package's own vocabulary for a small model: the 256 bytes, no merges, and a few special
/// tokens after them, written as a `tokenizer.json` that Hugging Face `tokenizers` loads too.
///
/// ```
/// ids 0…255   one token per byte, in byte order (byte 0x20 is "Ġ", id 32)
/// ids 256…    the special tokens, in the order given
/// ```
/// Every text encodes to its UTF-8 bytes (plus the special tokens written in it, and a BOS when
/// asked), so nothing is unknown and nothing needs training; the price is one token per byte.
public struct ByteLevelVocabulary: Sendable, Equatable {
    /// The special tokens, with ids 256, 257, … in this order.
    public let specialTokens: [String]
    /// The special token ``BPETokenizer/encode(_:addingSpecialTokens:)`` puts first, if any.
    public let beginningOfSequence: String?

    /// A vocabulary of the 256 bytes and `specialTokens`.
    /// - Parameters:
    ///   - specialTokens: distinct, non-empty; Llama 3's names by default.
    ///   - beginningOfSequence: one of `specialTokens`, put before every encoded text (nil: none).
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/invalidField`` naming the token.
    public init(specialTokens: [String] = ["<|begin_of_text|>", "<|end_of_text|>"], beginningOfSequence: String? = nil) throws(TokenizerError) {
        var seen = Set<String>()
        for token in specialTokens {
            guard !token.isEmpty else { throw TokenizerError(kind: .invalidField, field: "added_tokens", problem: "a special token is empty") }
            guard seen.insert(token).inserted else {
                throw TokenizerError(kind: .invalidField, field: "added_tokens", problem: "a special token is listed twice", found: quote(token))
            }
        }
        if let beginningOfSequence, !seen.contains(beginningOfSequence) {
            throw TokenizerError(kind: .invalidField, field: "post_processor", problem: "the beginning-of-sequence token is not one of the special tokens", found: quote(beginningOfSequence))
        }
        self.specialTokens = specialTokens
        self.beginningOfSequence = beginningOfSequence
    }

    /// The id of each special token (256 onwards).
    public func id(of specialToken: String) -> Int? {
        specialTokens.firstIndex(of: specialToken).map { 256 + $0 }
    }

    /// The `tokenizer.json` text: fields in the order `tokenizers` writes them, two-space indent,
    /// one line per vocabulary entry; the same bytes on every machine.
    public var json: String {
        var lines: [String] = ["{", "  \"version\": \"1.0\",", "  \"truncation\": null,", "  \"padding\": null,", "  \"added_tokens\": ["]
        for (index, token) in specialTokens.enumerated() {
            let comma = index + 1 < specialTokens.count ? "," : ""
            lines.append("    {\"id\": \(256 + index), \"content\": \(Self.string(token)), \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}\(comma)")
        }
        lines.append("  ],")
        lines.append("  \"normalizer\": null,")
        lines.append("  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},")
        if let bos = beginningOfSequence, let id = id(of: bos) {
            let special = "{\"SpecialToken\": {\"id\": \(Self.string(bos)), \"type_id\": 0}}"
            lines.append("  \"post_processor\": {\"type\": \"TemplateProcessing\",")
            lines.append("    \"single\": [\(special), {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}],")
            lines.append("    \"pair\": [\(special), {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \(Self.string(bos)), \"type_id\": 1}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],")
            lines.append("    \"special_tokens\": {\(Self.string(bos)): {\"id\": \(Self.string(bos)), \"ids\": [\(id)], \"tokens\": [\(Self.string(bos))]}}},")
        } else {
            lines.append("  \"post_processor\": null,")
        }
        lines.append("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},")
        lines.append("  \"model\": {")
        lines.append("    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null,")
        lines.append("    \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,")
        lines.append("    \"vocab\": {")
        for byte in 0..<256 {
            let token = String(Character(ByteLevelAlphabet.characters[byte]))
            lines.append("      \(Self.string(token)): \(byte)\(byte < 255 ? "," : "")")
        }
        lines.append("    },")
        lines.append("    \"merges\": []")
        lines.append("  }")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The tokenizer this vocabulary describes (the same as reading ``json``).
    public func tokenizer() throws(TokenizerError) -> BPETokenizer {
        try BPETokenizer(json: Array(json.utf8))
    }

    /// Writes ``json`` to `url` atomically (a temporary file renamed into place).
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/io`` naming the path.
    public func write(to url: URL) throws(TokenizerError) {
        do {
            try AtomicFile.write(Array(json.utf8), to: url)
        } catch {
            throw TokenizerError(kind: .io, problem: error.problem, path: url.path)
        }
    }

    /// `s` as a JSON string literal.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
