import ExerciseChecks
import Foundation

// Each check runs in a child process (this executable with a hidden flag), so a learner's code
// that traps ends one check with a clear message instead of ending the checker.

/// The hidden flag: `exercises --run-one-check N` runs exercise N's check and exits 0 (passed)
/// or 1 (failed, with the failure's fields on stdout, one per line).
let isolatedCheckFlag = "--run-one-check"

/// The child's side: run one check in this process and report it on stdout.
func runIsolatedCheck(_ argument: String, implementations: Implementations) -> Never {
    guard let n = Int(argument), let e = Manifest.exercises.first(where: { $0.number == n }) else { exit(2) }
    switch e.check(implementations) {
    case .passed:
        exit(0)
    case .failed(let f):
        // Fields separated by the ASCII unit separator, which no check message contains.
        print([f.checking, f.expected, f.got, f.why ?? ""].joined(separator: "\u{1F}"), terminator: "")
        exit(1)
    }
}

/// The parent's side: run exercise `e`'s check in a child process and read its verdict.
@Sendable func checkInChildProcess(_ e: Exercise, _ implementations: Implementations) -> CheckResult {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    if !FileManager.default.isExecutableFile(atPath: child.executableURL!.path) {
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
    }
    child.arguments = [isolatedCheckFlag, String(e.number)]
    let output = Pipe()
    child.standardOutput = output
    let errors = Pipe()
    child.standardError = errors
    do {
        try child.run()
    } catch {
        return e.check(implementations)  // cannot isolate: check in-process
    }
    // Drain stderr on another thread so that a chatty crash report cannot fill its pipe.
    let errorText = ErrorCollector(errors.fileHandleForReading)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    let crashLines = errorText.wait()
        .split(separator: "\n")
        .filter { $0.contains("Fatal error") || $0.contains("Exercises/") || $0.contains("runtime failure") }
        .prefix(3)
    if child.terminationReason == .exit, child.terminationStatus == 0 { return .passed }
    if child.terminationReason == .exit, child.terminationStatus == 1 {
        let fields = String(decoding: data, as: UTF8.self).components(separatedBy: "\u{1F}")
        if fields.count == 4 {
            return .failed(CheckFailure(checking: fields[0], expected: fields[1], got: fields[2], why: fields[3].isEmpty ? nil : fields[3]))
        }
    }
    return .failed(CheckFailure(
        checking: "running your code",
        expected: "the check to finish",
        got: "the program stopped (signal \(child.terminationStatus)) while running exercise \(e.number)"
            + (crashLines.isEmpty ? "" : "\n" + crashLines.map { "            " + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")),
        why: "your code trapped: an index out of range, a failed precondition, a force-unwrapped nil or an arithmetic overflow"))
}

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
