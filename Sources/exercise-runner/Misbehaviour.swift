import ExerciseChecks

/// A test hook: stands in for a stub that misbehaves, so the checker's limits can be tested
/// without editing (and rebuilding) the stubs. Set `EXERCISES_TEST_MISBEHAVE` to one of:
///
/// ```
/// loop       never returns
/// allocate   allocates 16 MiB blocks until allocation fails
/// print      prints 1,000,000 lines, then fails its check
/// ```
enum Misbehaviour {
    /// The environment variable that selects a misbehaviour.
    static let variable = "EXERCISES_TEST_MISBEHAVE"

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
        default:
            return .failed(CheckFailure(checking: "\(variable)", expected: "loop, allocate or print", got: kind))
        }
    }
}
