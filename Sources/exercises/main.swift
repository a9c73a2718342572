// The learner's checker (rustlings' `rustlings` command, for this package).
//
//   swift run exercises              check in order, stop at the first unsolved exercise
//   swift run exercises N            check exercise N
//   swift run exercises [N] --hint   the next hint tier for N (or for the first unsolved exercise)
//   swift run exercises --list       every exercise with its status
//   swift run exercises --markdown   docs/exercises.md (for the docs generator)
//   swift run exercises --chapter N  chapter N's exercise list in Markdown (for its page)
//
// Before checking, it compiles the stubs by building `exercise-runner` (this executable does not
// contain them, so a stub that does not compile is reported with its file and line instead of
// stopping `swift run exercises` itself). Each check then runs in an `exercise-runner` child
// process with a time and a memory limit, in this process's group and dying with it; see
// ChildCheck.swift and StubBuild.swift.
//
// Exit codes: 0 all checked exercises pass (or an informational flag), 1 an exercise is not
// solved (or the stubs do not compile), 2 bad arguments or limits.
import ExerciseChecks
import Foundation

let usage = """
    usage: swift run exercises [N] [--hint]
           swift run exercises --list | --markdown | --chapter N | --help

      (no arguments)  check the exercises in order and stop at the first unsolved one
      N               check exercise N only (1…\(Manifest.exercises.count))
      --hint          the next hint tier for exercise N, or for the first unsolved exercise
                      (the idea, then the formula, then the shape of the code)
      --list          list every exercise with its status, chapter, file and goal
      --markdown      print docs/exercises.md
      --chapter N     print chapter N's exercises as a Markdown list (empty if none)

    Each check runs in its own process, stopped after \(Int(CheckLimits().seconds)) s (EXERCISES_TIME_LIMIT=seconds)
    or \(CheckLimits().memoryBytes >> 30) GB of memory (EXERCISES_MEMORY_LIMIT_MB=MiB).
    """

/// What the arguments ask for.
enum Command {
    case progress, single(Int), hint(Int?), list, markdown, chapter(Int), help
}

/// Parses the arguments; a message naming the problem when they make no sense.
func parse(_ arguments: [String]) -> Result<Command, UsageError> {
    var number: Int? = nil, hint = false, flags: [String] = [], chapter: Int? = nil
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        switch argument {
        case "--hint": hint = true
        case "--list", "--markdown", "--help", "-h": flags.append(argument)
        case "--chapter":
            guard let value = rest.popFirst(), let n = Int(value) else { return .failure(UsageError("--chapter needs a chapter number")) }
            guard Manifest.chapters[n] != nil else { return .failure(UsageError("there is no chapter \(n); chapters are 1 to \(Manifest.chapters.count)")) }
            chapter = n
            flags.append(argument)
        default:
            guard let n = Int(argument), number == nil else { return .failure(UsageError("unexpected argument '\(argument)'")) }
            number = n
        }
    }
    if flags.count > 1 || (!flags.isEmpty && (hint || number != nil)) {
        return .failure(UsageError("\(flags.joined(separator: ", ")) cannot be combined with other arguments"))
    }
    switch flags.first {
    case "--list": return .success(.list)
    case "--markdown": return .success(.markdown)
    case "--chapter": return .success(.chapter(chapter!))
    case "--help", "-h": return .success(.help)
    default: break
    }
    if hint { return .success(.hint(number)) }
    return .success(number.map(Command.single) ?? .progress)
}

/// The package root this executable was built from (Sources/exercises/main.swift is three
/// levels below it), or the current directory when that source tree is gone.
func sourcePackageRoot() -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { return root }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}

/// A bad command line.
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

func emit(_ output: CheckerOutput) -> Never {
    if output.exitCode == 2 {
        printError(output.text)
    } else {
        print(output.text, terminator: "")
    }
    exit(output.exitCode)
}

/// A checker whose verdicts come from `exercise-runner` child processes, after compiling the
/// stubs; exits with a report when they do not compile or a limit is set wrongly.
func childProcessChecker() -> Checker {
    let environment = ProcessInfo.processInfo.environment
    let limits: CheckLimits
    switch CheckLimits.from(environment: environment) {
    case .success(let l): limits = l
    case .failure(let error):
        printError("exercises: \(error.message)\n\n\(usage)\n")
        exit(2)
    }
    switch StubBuild.runner(environment: environment) {
    case .success(let runner):
        let child = ChildCheck(runner: runner, limits: limits)
        return Checker(check: child.run)
    case .failure(let failure):
        print(failure.report, terminator: "")
        exit(1)
    }
}

switch parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let error):
    printError("exercises: \(error.message)\n\n\(usage)\n")
    exit(2)
case .success(.help): emit(CheckerOutput(text: usage + "\n", exitCode: 0))
case .success(.progress): emit(childProcessChecker().progress())
case .success(.single(let n)):
    guard Manifest.exercise(n) != nil else { emit(Checker(check: { _ in .passed }).single(n)) }
    emit(childProcessChecker().single(n))
case .success(.hint(let n)):
    // A numbered hint needs no check; the first unsolved one does. Which tier each exercise's
    // hint has reached is kept between runs (see HintStore).
    let checker = n == nil ? childProcessChecker() : Checker(check: { _ in .passed })
    let stateFile = HintStore.file(packageRoot: sourcePackageRoot())
    var progress = HintStore.load(from: stateFile)
    let output = checker.hint(n, progress: &progress)
    do {
        try HintStore.save(progress, to: stateFile)
    } catch {
        printError("exercises: could not record the hint tier in \(stateFile.path) (\(error)); the next --hint shows the same tier\n")
    }
    emit(output)
case .success(.list): emit(childProcessChecker().list())
case .success(.markdown): emit(CheckerOutput(text: ExerciseDocs.page(), exitCode: 0))
case .success(.chapter(let n)): emit(CheckerOutput(text: ExerciseDocs.chapterList(n), exitCode: 0))
}
