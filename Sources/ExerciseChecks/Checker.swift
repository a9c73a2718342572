/// What the `exercises` command prints, as text plus an exit code, so that tests can call it
/// without a process and the executable stays a thin argument parser.
public struct CheckerOutput: Equatable, Sendable {
    /// The text for standard output (ends with a newline unless empty).
    public var text: String
    /// 0 success, 1 an exercise is not solved, 2 bad usage.
    public var exitCode: Int32

    /// Text and exit code.
    public init(text: String, exitCode: Int32) {
        self.text = text
        self.exitCode = exitCode
    }
}

/// The learner's checker: progress in order, one exercise, hints, the list.
public struct Checker {
    /// The exercises, in order.
    public let exercises: [Exercise]
    /// Runs one exercise's check and returns its verdict.
    private let check: (Exercise) -> CheckResult

    /// A checker over `implementations`, for `exercises` (the manifest by default).
    ///
    /// `run` runs one exercise's check; in-process by default.
    public init(
        implementations: Implementations, exercises: [Exercise] = Manifest.exercises,
        run: @escaping (Exercise, Implementations) -> CheckResult = { $0.check($1) }
    ) {
        self.exercises = exercises
        self.check = { run($0, implementations) }
    }

    /// A checker whose verdicts come from `check`. The `exercises` command uses it: each check
    /// runs in a child process (`exercise-runner`) that holds the learner's stubs, so that code
    /// that traps, loops or allocates without bound fails one check instead of the checker.
    public init(exercises: [Exercise] = Manifest.exercises, check: @escaping (Exercise) -> CheckResult) {
        self.exercises = exercises
        self.check = check
    }

    private func run(_ e: Exercise) -> CheckResult { check(e) }

    /// The one-line status of an exercise: `✓ 01 low-rank-update (chapter 01)`.
    func statusLine(_ e: Exercise, _ result: CheckResult) -> String {
        "\(result.isPassed ? "✓" : "✗") \(twoDigits(e.number)) \(e.name) (chapter \(twoDigits(e.chapter)))"
    }

    /// The explanation printed under an unsolved exercise.
    func details(_ e: Exercise, _ failure: CheckFailure) -> [String] {
        [
            "",
            "Exercise \(e.number) is not solved yet: \(e.path)",
            "Goal: \(e.goal)",
            "What the check found:",
            failure.description,
            "",
            "Open the file, find the `// TODO:`, fix it, and run `swift run exercises` again.",
        ] + (e.predictThenRun
            ? ["This one is \"predict, then run\": write the number you expect into the file before running the check; the check then measures it with the library and explains."]
            : []) + [
            "Stuck? `swift run exercises \(e.number) --hint` (hints come in tiers: \(Manifest.tierNames.joined(separator: ", ")))",
        ]
    }

    /// `swift run exercises`: check in order, stop at the first unsolved exercise.
    ///
    /// Exit code 0 only when every exercise passes.
    public func progress() -> CheckerOutput {
        var lines: [String] = []
        for (index, e) in exercises.enumerated() {
            let result = run(e)
            lines.append(statusLine(e, result))
            if result.isPassed, e.explanation != nil {
                lines.append("    predict, then run: `swift run exercises \(e.number)` shows what the library measured")
            }
            if let failure = result.failure {
                lines += details(e, failure)
                lines.append("")
                lines.append("Progress: \(index) of \(exercises.count) exercises done.")
                return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 1)
            }
        }
        lines.append("")
        lines.append("All \(exercises.count) exercises pass. Compare yours with Exercises/Solutions/.")
        return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 0)
    }

    /// `swift run exercises N`: check one exercise.
    public func single(_ number: Int) -> CheckerOutput {
        guard let e = exercises.first(where: { $0.number == number }) else { return noSuchExercise(number) }
        let result = run(e)
        var lines = [statusLine(e, result)]
        if let failure = result.failure {
            lines += details(e, failure)
            return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 1)
        }
        lines.append("Exercise \(e.number) is solved. Compare with \(e.solutionPath).")
        if let explain = e.explanation {
            lines.append("")
            lines.append("What the library measured (your prediction was right):")
            lines += explain().map { "  " + $0 }
        }
        return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 0)
    }

    /// `swift run exercises N --hint`, or `--hint` alone for the first unsolved exercise: the
    /// next hint tier, after the tiers already shown.
    ///
    /// Tiers go from the idea to the formula to the shape of the code; each call shows one more
    /// (up to the last) and records it in `progress`, which the caller stores. The earlier tiers
    /// are repeated above the new one so that one command shows everything seen so far.
    public func hint(_ number: Int?, progress: inout HintProgress) -> CheckerOutput {
        let target: Exercise?
        if let number {
            target = exercises.first { $0.number == number }
            if target == nil { return noSuchExercise(number) }
        } else {
            target = exercises.first { !run($0).isPassed }
        }
        guard let e = target else {
            return CheckerOutput(text: "Every exercise passes; no hint needed.\n", exitCode: 0)
        }
        let n = e.hints.count
        let k = progress.advance(e.number, tierCount: n)
        var lines = ["Hint for exercise \(e.number) (\(e.path)): tier \(k) of \(n)"]
        for tier in 1...k {
            lines.append("")
            lines.append("Tier \(tier) of \(n), \(Manifest.tierName(tier))\(tier == k ? " (new)" : ""):")
            lines.append(e.hints[tier - 1])
        }
        lines.append("")
        if k < n {
            lines.append("Still stuck? `swift run exercises \(e.number) --hint` again shows tier \(k + 1) of \(n) (\(Manifest.tierName(k + 1))).")
        } else {
            lines.append("That was the last tier. The reference solution, with comments that explain it: \(e.solutionPath)")
        }
        return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 0)
    }

    /// `swift run exercises --list`: every exercise with its status, chapter, file and goal.
    public func list() -> CheckerOutput {
        var lines: [String] = []
        var solved = 0
        for e in exercises {
            let passed = run(e).isPassed
            if passed { solved += 1 }
            lines.append("\(passed ? "✓" : "✗") \(twoDigits(e.number))  chapter \(twoDigits(e.chapter))  \(e.path)")
            lines.append("      \(e.goal)")
        }
        lines.append("")
        lines.append("\(solved) of \(exercises.count) solved.")
        return CheckerOutput(text: lines.joined(separator: "\n") + "\n", exitCode: 0)
    }

    func noSuchExercise(_ number: Int) -> CheckerOutput {
        CheckerOutput(
            text: "exercises: there is no exercise \(number); they are numbered 1 to \(exercises.count) (see `swift run exercises --list`)\n",
            exitCode: 2)
    }
}
