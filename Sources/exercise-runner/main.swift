// exercise-runner: runs one exercise's check against the learner's stubs, for `swift run exercises`.
//
//   exercise-runner N [--verdict-fd FD] [--nonce-fd FD] [--memory-limit BYTES] [--parent PID]
//
// The checker (Sources/exercises) builds this executable, then starts it once per exercise, so
// that a stub that traps, loops, allocates without bound or floods the terminal ends one check
// with a clear message instead of ending (or hanging) the checker. Before the learner's code
// runs, this process limits its own address space (setrlimit RLIMIT_AS) and arranges to die
// with the checker (Linux's parent-death signal, and a watchdog thread everywhere).
//
// The verdict is written only after the check returns: "<nonce>␞passed" or
// "<nonce>␞failed␞<CheckFailure.wireText>" (␞ = U+001E) to FD (standard output without
// --verdict-fd). The nonce is read from --nonce-fd (a pipe the checker fills and closes) before the
// learner's code runs, so a stub that exits early (`exit(0)`) leaves no verdict, and one that
// writes to the verdict descriptor cannot forge a verdict the checker accepts.
//
// Exit codes: 0 passed; 1 failed; 2 bad arguments; 3 the checker was already gone.
import ExerciseChecks
import Foundation

let usage = "usage: exercise-runner N [--verdict-fd FD] [--nonce-fd FD] [--memory-limit BYTES] [--parent PID]"

/// Prints `message` and the usage to standard error and exits 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("exercise-runner: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var number: Int?, verdictDescriptor: Int32 = 1, memoryLimit: Int?, parent: Int32?, nonce = ""
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let text = arguments.popFirst() else { fail("\(argument) needs a value") }
        return text
    }
    switch argument {
    case "--verdict-fd":
        guard let fd = Int32(value()) else { fail("--verdict-fd needs a file descriptor number") }
        verdictDescriptor = fd
    case "--nonce-fd":
        guard let fd = Int32(value()) else { fail("--nonce-fd needs a file descriptor number") }
        nonce = ChildLimits.readNonce(from: fd)
    case "--memory-limit":
        guard let bytes = Int(value()), bytes > 0 else { fail("--memory-limit needs a positive number of bytes") }
        memoryLimit = bytes
    case "--parent":
        guard let pid = Int32(value()) else { fail("--parent needs a process id") }
        parent = pid
    default:
        guard number == nil, let n = Int(argument) else { fail("unexpected argument '\(argument)'") }
        number = n
    }
}
guard let number, let exercise = Manifest.exercises.first(where: { $0.number == number }) else {
    fail("give the number of an exercise, 1 to \(Manifest.exercises.count)")
}

// A session of its own: the checker kills it, and every process the learner's code starts in
// it, at the time limit or on Ctrl-C. (Fails harmlessly when run by hand as a group leader.)
_ = setsid()
if let parent { ChildLimits.dieWith(parent: parent) }
if let memoryLimit { ChildLimits.limitAddressSpace(to: memoryLimit) }
ChildLimits.limitFileSize(to: 64 << 20)  // no check writes files; a stub may not fill the disk

let result: CheckResult
if let misbehaviour = ProcessInfo.processInfo.environment[Misbehaviour.variable] {
    result = Misbehaviour.run(misbehaviour)
} else {
    result = exercise.check(stubImplementations())
}
fflush(nil)
switch result {
case .passed:
    ChildLimits.writeAll(Array(VerdictRecord.passed(nonce: nonce).utf8), to: verdictDescriptor)
    exit(0)
case .failed(let failure):
    ChildLimits.writeAll(Array(VerdictRecord.failed(failure, nonce: nonce).utf8), to: verdictDescriptor)
    exit(1)
}
