/// A `tokenizer.json` that cannot be read: names the field (as a dotted path such as
/// `pre_tokenizer.pretokenizers[0].pattern`), what is wrong, and what was found.
///
/// ```
/// tokenizer file 'tokenizer.json', field 'model.type': this package reads only the byte-level BPE model: found "Unigram"
/// ```
public struct TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem this is (tests match on it).
    public enum Kind: String, Sendable, Equatable {
        /// The bytes are not UTF-8 or not JSON.
        case notJSON
        /// A required field is absent.
        case missingField
        /// A field has the wrong JSON type or an invalid value.
        case invalidField
        /// A valid `tokenizers` setting this package does not implement (a Unigram model, a
        /// normalizer, BPE dropout, an unknown field …), refused by name.
        case unsupported
        /// A `Split` pre-tokenizer's regex is not one of the patterns this package scans by hand.
        case unknownPattern
        /// The vocabulary, merges, added tokens or template disagree with each other
        /// (a merge of tokens not in the vocabulary, an id used twice …).
        case inconsistentVocabulary
        /// The file could not be read or written.
        case io
    }

    /// What kind of problem.
    public var kind: Kind
    /// The field concerned, as a dotted path from the top of the file (`model.merges[12]`), if any.
    public var field: String?
    /// What is wrong, in words.
    public var problem: String
    /// What was found instead, if it can be said.
    public var found: String?
    /// The file's path, when the tokenizer was read from a file.
    public var path: String?

    /// Creates an error.
    public init(kind: Kind, field: String? = nil, problem: String, found: String? = nil, path: String? = nil) {
        self.kind = kind
        self.field = field
        self.problem = problem
        self.found = found
        self.path = path
    }

    /// The message: file, field, problem and what was found.
    public var description: String {
        var text = "tokenizer file '\(path ?? "tokenizer.json")'"
        if let field { text += ", field '\(field)'" }
        text += ": \(problem)"
        if let found { text += ": found \(found)" }
        return text
    }
}
