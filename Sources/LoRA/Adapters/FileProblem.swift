/// What went wrong in a file and where: the payload ``AdapterError`` and ``SafetensorsError``
/// share, so both name the file (by full path when known), the thing inside it, what was expected
/// and what was found, in one format.
///
/// ```
/// <what> '<path or file>'[, <label> '<subject>']: <problem>[: expected <e>][, found <f>]
/// ```
public struct FileProblem: Equatable, Sendable {
    /// The file's name, e.g. `adapter_config.json`.
    public var file: String
    /// The full path that was tried, when known.
    public var path: String?
    /// The field, module or tensor concerned, if any.
    public var subject: String?
    /// What is wrong, in words.
    public var problem: String
    /// What was expected, if it can be said.
    public var expected: String?
    /// What was found instead, if it can be said.
    public var found: String?

    /// A problem with `file`.
    public init(file: String, path: String? = nil, subject: String? = nil, problem: String, expected: String? = nil, found: String? = nil) {
        self.file = file
        self.path = path
        self.subject = subject
        self.problem = problem
        self.expected = expected
        self.found = found
    }

    /// The longest part (subject, expected, found) a message shows; longer ones are cut, saying
    /// how long they were, so that a crafted file cannot make a message of megabytes.
    public static let maximumPartLength = 300

    /// `text`, or its first ``maximumPartLength`` characters and how many there were.
    static func cut(_ text: String) -> String {
        guard text.utf8.count > maximumPartLength else { return text }
        return String(text.prefix(maximumPartLength)) + "… (\(text.count) characters in all)"
    }

    /// `[a, b, c]`, or the first 8 values and how many there are: `[1, 2, …, 8, … (49000000 values)]`.
    public static func shortList(_ values: [Int]) -> String {
        guard values.count > 8 else { return "[" + values.map(String.init).joined(separator: ", ") + "]" }
        return "[" + values.prefix(8).map(String.init).joined(separator: ", ") + ", … (\(values.count) values)]"
    }

    /// The message: `what` names the kind of file ("adapter file"), `label` the subject ("tensor").
    public func message(what: String, label: String) -> String {
        var text = "\(what) '\(path ?? file)'"
        if let subject { text += ", \(label) '\(Self.cut(subject))'" }
        text += ": \(problem)"
        let (expected, found) = (expected.map(Self.cut), found.map(Self.cut))
        switch (expected, found) {
        case let (e?, f?): text += ": expected \(e), found \(f)"
        case let (e?, nil): text += ": expected \(e)"
        case let (nil, f?): text += ": found \(f)"
        case (nil, nil): break
        }
        return text
    }
}
