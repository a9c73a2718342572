/// A safetensors file that cannot be read or written, with the file, the tensor and what was
/// expected versus what was found.
///
/// ```
/// safetensors file 'adapter_model.safetensors', tensor 'x.lora_A.weight': byte size does not
/// match shape × dtype size: expected 96 bytes, found 92
/// ```
public struct SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem this is (tests and callers match on it; the text is for people).
    public enum Kind: String, Sendable, Equatable {
        /// Fewer bytes than the 8-byte length prefix or the header length promise.
        case truncated
        /// The header length exceeds ``SafetensorsReader/maximumHeaderLength``.
        case headerTooLarge
        /// The header is not valid UTF-8.
        case invalidUTF8
        /// The header is not a JSON object (or the JSON is malformed).
        case invalidJSON
        /// A tensor entry or `__metadata__` has a missing, extra or wrongly typed field.
        case invalidEntry
        /// A dtype this reader does not convert to `Float` (or not a safetensors dtype at all).
        case unsupportedDType
        /// `end − begin` differs from the shape's element count × the dtype's size, or the
        /// element count overflows.
        case sizeMismatch
        /// Offsets outside the data section, reversed, overlapping, leaving gaps or not
        /// covering the data section exactly.
        case badOffsets
        /// The same tensor name twice in one header.
        case duplicateName
        /// The file could not be read or written.
        case io
        /// The values the header declares would need more memory than this process can have
        /// (see ``SafetensorsReader/read(contentsOf:)``); the message names the tensor and its size.
        case tooLarge
    }

    /// The file, the tensor, what is wrong, what was expected and found (shared with the other file errors).
    public var details: FileProblem
    /// What kind of problem.
    public var kind: Kind
    /// The file's name.
    public var file: String { get { details.file } set { details.file = newValue } }
    /// The full path that was tried, when known.
    public var path: String? { get { details.path } set { details.path = newValue } }
    /// The tensor concerned, if any.
    public var tensor: String? { get { details.subject } set { details.subject = newValue } }
    /// What is wrong, in words.
    public var problem: String { get { details.problem } set { details.problem = newValue } }
    /// What was expected, if it can be said.
    public var expected: String? { get { details.expected } set { details.expected = newValue } }
    /// What was found instead, if it can be said.
    public var found: String? { get { details.found } set { details.found = newValue } }

    /// Creates an error; `expected` and `found` are shown as "expected …, found …".
    public init(
        file: String, path: String? = nil, tensor: String? = nil, kind: Kind, problem: String,
        expected: String? = nil, found: String? = nil
    ) {
        details = FileProblem(file: file, path: path, subject: tensor, problem: problem, expected: expected, found: found)
        self.kind = kind
    }

    /// The message: file, tensor or field, problem, expected and found.
    public var description: String { details.message(what: "safetensors file", label: "tensor") }
}
