/// A transformers checkpoint folder that cannot be read or written: names the file, the field
/// or tensor, and what was expected versus found.
///
/// ```
/// checkpoint file 'config.json', field 'rope_scaling.rope_type': this package implements only
/// the default RoPE: expected "default", found "llama3"
/// checkpoint file 'model.safetensors', tensor 'model.layers.0.mlp.up_proj.weight': wrong shape:
/// expected [128, 64], found [64, 128]
/// ```
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem this is (tests and callers match on it; the text is for people).
    public enum Kind: String, Sendable, Equatable {
        /// `config.json` is not JSON, misses a required field or has a wrongly typed or invalid value.
        case invalidConfig
        /// A valid transformers setting this package does not implement (another architecture,
        /// a RoPE scaling type, biases, an unknown field), refused by name.
        case unsupported
        /// A weight the configuration needs is in no file.
        case missingTensor
        /// A file holds a weight the configuration does not have.
        case unexpectedTensor
        /// A weight's shape does not follow from the configuration.
        case shapeMismatch
        /// `model.safetensors.index.json` names a shard that is not in the folder.
        case missingShard
        /// A weight file is corrupt or truncated, or the index is malformed.
        case corruptFile
        /// A tensor's dtype is not F32, F16 or BF16.
        case unsupportedDType
        /// A file or folder could not be read or written.
        case io
    }

    /// The file, the subject, what is wrong, what was expected and found (shared with the other file errors).
    public var details: FileProblem
    /// What kind of problem.
    public var kind: Kind
    /// The file's name.
    public var file: String { details.file }
    /// The full path that was tried, when known.
    public var path: String? { get { details.path } set { details.path = newValue } }
    /// The field or tensor concerned, if any.
    public var subject: String? { details.subject }
    /// What is wrong, in words.
    public var problem: String { details.problem }

    /// Creates an error; `expected` and `found` are shown as "expected …, found …".
    public init(file: String, path: String? = nil, subject: String? = nil, kind: Kind, problem: String,
                expected: String? = nil, found: String? = nil) {
        details = FileProblem(file: file, path: path, subject: subject, problem: problem, expected: expected, found: found)
        self.kind = kind
    }

    /// Wraps a safetensors reading error: an unreadable dtype becomes ``Kind/unsupportedDType``,
    /// an unreadable file ``Kind/io``, anything else ``Kind/corruptFile``.
    public init(_ error: SafetensorsError) {
        details = error.details
        switch error.kind {
        case .io: kind = .io
        case .unsupportedDType: kind = .unsupportedDType
        default: kind = .corruptFile
        }
    }

    /// The message: file (its full path when known), field or tensor, problem, expected and found.
    public var description: String {
        details.message(what: "checkpoint file", label: file.hasSuffix(".json") && !file.hasSuffix("index.json") ? "field" : "tensor")
    }
}
