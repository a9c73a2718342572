/// The record `exercise-runner` writes once a check has returned, and the checker's reading of it.
///
/// ```
/// <nonce>␞passed
/// <nonce>␞failed␞<CheckFailure.wireText>          ␞ = U+001E, the ASCII record separator
/// ```
/// The nonce is a random string the checker hands the runner through a pipe that is closed
/// before the learner's code runs. A verdict counts only when the record carries it, so a stub
/// that ends the process early (`exit(0)`) leaves no verdict, and text a stub writes to the
/// verdict descriptor is not a verdict.
public enum VerdictRecord {
    /// What the checker found on the verdict descriptor.
    public enum Reading: Equatable {
        case passed
        case failed(CheckFailure)
        /// Nothing: the process ended before the check returned.
        case missing
        /// Something that is not a record with the right nonce (written by the learner's code?).
        case malformed
    }

    static let separator = "\u{1E}"

    /// The record of a passed check.
    public static func passed(nonce: String) -> String { nonce + separator + "passed" }

    /// The record of a failed check.
    public static func failed(_ failure: CheckFailure, nonce: String) -> String {
        nonce + separator + "failed" + separator + failure.wireText
    }

    /// Reads `text` expecting exactly one record carrying `nonce`.
    public static func read(_ text: String, nonce: String) -> Reading {
        if text.isEmpty { return .missing }
        let fields = text.split(separator: separator, maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 2, fields[0] == nonce else { return .malformed }
        switch (fields[1], fields.count) {
        case ("passed", 2): return .passed
        case ("failed", 3): return CheckFailure(wireText: fields[2]).map { .failed($0) } ?? .malformed
        default: return .malformed
        }
    }
}
