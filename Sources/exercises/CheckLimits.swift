import Foundation

/// The limits each check runs under, from the environment or the defaults.
///
/// ```
/// EXERCISES_TIME_LIMIT=S        seconds a check may run (default 20)
/// EXERCISES_MEMORY_LIMIT_MB=M   address space of the check's process in MiB (default 2048)
/// ```
/// A check that passes takes well under a second; the limits only stop code that loops or
/// allocates without end.
struct CheckLimits: Equatable {
    static let timeVariable = "EXERCISES_TIME_LIMIT"
    static let memoryVariable = "EXERCISES_MEMORY_LIMIT_MB"

    /// Seconds a check may run before it is stopped.
    var seconds: Double = 20
    /// Bytes of address space the check's process may use.
    var memoryBytes: Int = 2048 << 20

    /// The limits set by the environment, or a message naming the variable that is wrong.
    static func from(environment: [String: String]) -> Result<CheckLimits, UsageError> {
        var limits = CheckLimits()
        if let text = environment[timeVariable] {
            guard let s = Double(text), s.isFinite, s >= 0.1, s <= 86_400 else {
                return .failure(UsageError("\(timeVariable) must be a number of seconds from 0.1 to 86400, got '\(text)'"))
            }
            limits.seconds = s
        }
        if let text = environment[memoryVariable] {
            guard let mb = Int(text), mb >= 64, mb <= 1 << 20 else {
                return .failure(UsageError("\(memoryVariable) must be a whole number of MiB from 64 to 1048576, got '\(text)'"))
            }
            limits.memoryBytes = mb << 20
        }
        return .success(limits)
    }

    /// `20 s`, `0.5 s`.
    var timeDescription: String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    /// `2 GB` for whole GiB, else `512 MB`.
    var memoryDescription: String {
        memoryBytes % (1 << 30) == 0 ? "\(memoryBytes >> 30) GB" : "\(memoryBytes >> 20) MB"
    }
}
