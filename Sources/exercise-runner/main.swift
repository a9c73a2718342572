// exercise-runner: runs one exercise's check against the learner's stubs, for `swift run exercises`.
//
//   exercise-runner N [--verdict-fd FD] [--memory-limit BYTES] [--parent PID]
//
// The checker (Sources/exercises) builds this executable, then starts it once per exercise, so
// that a stub that traps, loops, allocates without bound or floods the terminal ends one check
// with a clear message instead of ending (or hanging) the checker. Before the learner's code
// runs, this process limits its own address space (setrlimit RLIMIT_AS) and arranges to die
// with the checker (Linux's parent-death signal, and a watchdog thread everywhere).
//
// Exit codes: 0 passed; 1 failed, with the failure's fields (CheckFailure.wireText) written to
// FD (standard output without --verdict-fd); 2 bad arguments; 3 the checker was already gone.
import ExerciseChecks
import Foundation

let usage = "usage: exercise-runner N [--verdict-fd FD] [--memory-limit BYTES] [--parent PID]"

/// Prints `message` and the usage to standard error and exits 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("exercise-runner: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var number: Int?, verdictDescriptor: Int32 = 1, memoryLimit: Int?, parent: Int32?
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

if let parent { ChildLimits.dieWith(parent: parent) }
if let memoryLimit { ChildLimits.limitAddressSpace(to: memoryLimit) }

let result: CheckResult
if let misbehaviour = ProcessInfo.processInfo.environment[Misbehaviour.variable] {
    result = Misbehaviour.run(misbehaviour)
} else {
    result = exercise.check(stubImplementations())
}
switch result {
case .passed:
    exit(0)
case .failed(let failure):
    fflush(nil)
    ChildLimits.writeAll(Array(failure.wireText.utf8), to: verdictDescriptor)
    exit(1)
}
