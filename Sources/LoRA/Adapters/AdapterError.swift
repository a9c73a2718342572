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
        /// The safetensors file itself is unreadable or corrupt (``underlying`` has the details).
        case corruptFile
        /// A file or directory could not be read or written (or is not a regular file).
        case io
        /// A factor holds NaN or ±Inf (refused unless the caller allows non-finite values).
        case nonFiniteValue
    }

    /// The file concerned (`adapter_model.safetensors`, `adapter_config.json`, …).
    public var file: String
    /// The full path that was tried, when known. Messages show it in place of ``file``.
    public var path: String?
    /// The tensor, module or config field concerned, when there is one.
    public var subject: String?
    /// The kind of problem.
    public var kind: Kind
    /// What is wrong, in words.
    public var problem: String
    /// What was expected.
    public var expected: String?
    /// What was found instead.
    public var found: String?

    /// Creates an error; `expected` and `found` are shown as "expected …, found …".
    public init(
        file: String, path: String? = nil, subject: String? = nil, kind: Kind, problem: String,
        expected: String? = nil, found: String? = nil
    ) {
        self.file = file
        self.path = path
        self.subject = subject
        self.kind = kind
        self.problem = problem
        self.expected = expected
        self.found = found
    }

    /// Wraps a safetensors reading error (kind ``Kind/corruptFile``, or ``Kind/io``).
    public init(_ error: SafetensorsError) {
        self.init(file: error.file, path: error.path, subject: error.tensor, kind: error.kind == .io ? .io : .corruptFile,
                  problem: error.problem, expected: error.expected, found: error.found)
    }

    /// This error with ``path`` set to `directory/file` when it names no path yet.
    func locating(in directory: URL) -> AdapterError {
        var copy = self
        if copy.path == nil { copy.path = directory.appendingPathComponent(file).path }
        return copy
    }

    /// The message: file (its full path when known), tensor or field, problem, expected and found.
    public var description: String {
        var text = "adapter file '\(path ?? file)'"
        if let subject { text += ", \(subjectLabel) '\(subject)'" }
        text += ": \(problem)"
        switch (expected, found) {
        case let (e?, f?): text += ": expected \(e), found \(f)"
        case let (e?, nil): text += ": expected \(e)"
        case let (nil, f?): text += ": found \(f)"
        case (nil, nil): break
        }
        return text
    }

    private var subjectLabel: String {
        switch kind {
        case .invalidConfig, .unsupported, .targetMismatch: file.hasSuffix(".json") ? "field" : "module"
        case .inconsistentLayers: "module"
        default: "tensor"
        }
    }
}
