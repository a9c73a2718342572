/// How a check's verdict crosses from the process that ran it (`exercise-runner`) to the
/// checker (`exercises`): the four fields of a ``CheckFailure`` joined by U+001F (the ASCII unit
/// separator), which no check message contains.
extension CheckFailure {
    /// The fields joined by U+001F; `why` is empty when absent.
    public var wireText: String {
        [checking, expected, got, why ?? ""].joined(separator: "\u{1F}")
    }

    /// Parses ``wireText``; nil unless there are exactly four fields.
    public init?(wireText: String) {
        let fields = wireText.components(separatedBy: "\u{1F}")
        guard fields.count == 4 else { return nil }
        self.init(checking: fields[0], expected: fields[1], got: fields[2], why: fields[3].isEmpty ? nil : fields[3])
    }
}
