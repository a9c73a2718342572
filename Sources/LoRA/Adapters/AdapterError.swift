import Foundation

/// An adapter directory that cannot be saved or loaded: names the file, the tensor or field,
/// and what was expected versus found.
///
/// ```
/// adapter file 'adapter_model.safetensors', tensor 'base_model.model.layers.0.q_proj.lora_A.weight':
/// wrong shape: expected [4, 16], found [4, 8]
/// ```
public struct AdapterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Equatable {
        /// A layer of the destination has no `lora_A` or `lora_B` tensor in the file.
        case missingTensor
        /// The file has a tensor no destination layer takes (or whose name is not a LoRA name).
        case unexpectedTensor
        /// A tensor's shape does not fit the destination layer or the config's r.
        case shapeMismatch
        /// A tensor's dtype is not the one expected.
        case dtypeMismatch
        /// `r` in the config disagrees with the tensors.
        case rankMismatch
        /// `target_modules` / `exclude_modules` disagree with the modules in the file.
        case targetMismatch
        /// `adapter_config.json` is malformed, has a wrongly typed field or an invalid value.
        case invalidConfig
        /// A valid PEFT setting this package does not implement (e.g. `fan_in_fan_out: true`).
        case unsupported
        /// The layers to save do not share one set of hyper-parameters, or a layer is merged.
        case inconsistentLayers
        /// The safetensors file itself is unreadable or corrupt (``AdapterError/problem`` has the details).
        case corruptFile
        /// A file or directory could not be read or written (or is not a regular file).
        case io
        /// A factor holds NaN or ±Inf (refused unless the caller allows non-finite values).
        case nonFiniteValue
        /// The weights were saved with another `adapter_config.json` than the one beside them:
        /// a save was interrupted between its two renames, or is still running.
        case interruptedSave
    }

    /// The file, the subject, what is wrong, what was expected and found (shared with the other file errors).
    public var details: FileProblem
    /// What kind of problem.
    public var kind: Kind
    /// The file's name.
    public var file: String { get { details.file } set { details.file = newValue } }
    /// The full path that was tried, when known.
    public var path: String? { get { details.path } set { details.path = newValue } }
    /// The subject concerned, if any.
    public var subject: String? { get { details.subject } set { details.subject = newValue } }
    /// What is wrong, in words.
    public var problem: String { get { details.problem } set { details.problem = newValue } }
    /// What was expected, if it can be said.
    public var expected: String? { get { details.expected } set { details.expected = newValue } }
    /// What was found instead, if it can be said.
    public var found: String? { get { details.found } set { details.found = newValue } }

    /// Creates an error; `expected` and `found` are shown as "expected …, found …".
    public init(
        file: String, path: String? = nil, subject: String? = nil, kind: Kind, problem: String,
        expected: String? = nil, found: String? = nil
    ) {
        details = FileProblem(file: file, path: path, subject: subject, problem: problem, expected: expected, found: found)
        self.kind = kind
    }

    /// Wraps a safetensors reading error (kind ``Kind/corruptFile``, or ``Kind/io``).
    public init(_ error: SafetensorsError) {
        details = error.details  // the same payload: file, path, tensor, problem, expected, found
        kind = error.kind == .io ? .io : .corruptFile
    }

    /// This error with ``path`` set to `directory/file` when it names no path yet.
    func locating(in directory: URL) -> AdapterError {
        var copy = self
        if copy.path == nil { copy.path = directory.appendingPathComponent(file).path }
        return copy
    }

    /// The message: file (its full path when known), tensor or field, problem, expected and found.
    public var description: String { details.message(what: "adapter file", label: subjectLabel) }

    private var subjectLabel: String {
        switch kind {
        case .invalidConfig, .unsupported, .targetMismatch: file.hasSuffix(".json") ? "field" : "module"
        case .inconsistentLayers: "module"
        default: file.hasSuffix(".json") ? "field" : "tensor"  // `r` in adapter_config.json is a field
        }
    }
}
