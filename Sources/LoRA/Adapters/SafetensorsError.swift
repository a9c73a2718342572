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
    }

    /// The file's name (or path) as given to the reader or writer.
    public var file: String
    /// The full path that was read or written, when a path was involved (not for bytes parsed
    /// in memory). Messages show it in place of ``file``.
    public var path: String?
    /// The tensor concerned, when there is one.
    public var tensor: String?
    /// The kind of problem.
    public var kind: Kind
    /// What is wrong, in words.
    public var problem: String
    /// What the format requires here.
    public var expected: String?
    /// What the file contains instead.
    public var found: String?

    /// Creates an error; `expected` and `found` are shown as "expected …, found …".
    public init(
        file: String, path: String? = nil, tensor: String? = nil, kind: Kind, problem: String,
        expected: String? = nil, found: String? = nil
    ) {
        self.file = file
        self.path = path
        self.tensor = tensor
        self.kind = kind
        self.problem = problem
        self.expected = expected
        self.found = found
    }

    /// The message: file, tensor or field, problem, expected and found.
    public var description: String {
        var text = "safetensors file '\(path ?? file)'"
        if let tensor { text += ", tensor '\(tensor)'" }
        text += ": \(problem)"
        switch (expected, found) {
        case let (e?, f?): text += ": expected \(e), found \(f)"
        case let (e?, nil): text += ": expected \(e)"
        case let (nil, f?): text += ": found \(f)"
        case (nil, nil): break
        }
        return text
    }
}
