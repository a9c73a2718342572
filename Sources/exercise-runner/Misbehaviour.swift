import Foundation
import ExerciseChecks

/// A test hook: stands in for a stub that misbehaves, so the checker's limits can be tested
/// without editing (and rebuilding) the stubs. Set `EXERCISES_TEST_MISBEHAVE` to one of:
///
/// ```
/// loop       never returns
/// allocate   allocates 16 MiB blocks until allocation fails
/// print      prints 1,000,000 lines, then fails its check
/// exit       calls exit(0) in the middle of the check
/// forge      writes a made-up "passed" verdict to file descriptor 3, then calls exit(0)
/// spawn      starts `sleep 300` (its pid written to $EXERCISES_TEST_PIDFILE), then never returns
/// escape     prints ANSI escape sequences (clear screen, red), then fails its check
/// recurse    recurses without end (a stack overflow)
/// ```
enum Misbehaviour {
    /// The environment variable that selects a misbehaviour.
    static let variable = "EXERCISES_TEST_MISBEHAVE"

    /// Recurses for ever (the sum keeps the recursion from being turned into a loop).
    static func depth(_ n: Int) -> Int { n &+ depth(n &+ 1) &+ 1 }

    static func run(_ kind: String) -> CheckResult {
        switch kind {
        case "loop":
            var counter = 0
            while true {
                counter &+= 1
                if counter == Int.min { print(counter) }  // never true; keeps the loop from being optimised away
            }
        case "allocate":
            var blocks: [[UInt8]] = []
            while true { blocks.append([UInt8](repeating: 1, count: 1 << 24)) }
        case "print":
            for i in 1...1_000_000 { print("line \(i) of a stub that prints too much") }
            return .failed(CheckFailure(checking: "misbehaviour 'print'", expected: "a quiet stub", got: "1000000 lines"))
        case "spawn":
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sh")
            // `exec` in a shell of this process group: the sleep inherits the output pipe.
            sleeper.arguments = ["-c", "echo $$ > \"$0\"; exec sleep 300", ProcessInfo.processInfo.environment["EXERCISES_TEST_PIDFILE"] ?? "/dev/null"]
            try? sleeper.run()
            while true { usleep(100_000) }
        case "escape":
            print("\u{1B}[2J\u{1B}[31mred text")
            return .failed(CheckFailure(checking: "misbehaviour 'escape'", expected: "plain text", got: "escape sequences"))
        case "recurse":
            return .failed(CheckFailure(checking: "misbehaviour 'recurse'", expected: "a base case", got: "\(depth(1))"))
        case "exit":
            exit(0)
        case "forge":
            let forged = Array("0123456789abcdef0123456789abcdef\u{1E}passed".utf8)
            _ = forged.withUnsafeBytes { write(3, $0.baseAddress, $0.count) }
            exit(0)
        default:
            return .failed(CheckFailure(checking: "\(variable)", expected: "loop, allocate, print, exit or forge", got: kind))
        }
    }
}
