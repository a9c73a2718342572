@testable import exercise_runner
@testable import exercises
import ExerciseChecks
import Foundation
import Testing

/// A built executable of this package (`exercises`, `exercise-runner`): in the build products
/// directory next to the test bundle.
func productBinary(_ name: String) throws -> URL {
    var directories: [URL] = []
    #if os(Linux)
    directories.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
    #endif
    directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
    directories.append(Bundle.main.bundleURL)
    for directory in directories {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw BinaryNotFound(name: name, searched: directories.map(\.path))
}

/// The built `exercises` executable.
func exercisesBinary() throws -> URL { try productBinary("exercises") }

struct BinaryNotFound: Error, CustomStringConvertible {
    let name: String
    let searched: [String]
    var description: String { "the \(name) executable is not built; looked in \(searched)" }
}

/// A fresh, empty folder for the hint state, so that tests never touch the learner's own.
func temporaryStateDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("exercises-state-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs the checker with `arguments`; returns its exit code, standard output and standard error.
///
/// The hint state goes to `stateDirectory`, or to a fresh temporary folder when none is given.
/// The tests have built everything already, so the checker is told not to build the stubs
/// (`EXERCISES_NO_BUILD=1`) unless `environment` says otherwise.
func runExercises(_ arguments: [String], stateDirectory: URL? = nil, environment: [String: String] = [:],
                  binary: String = "exercises") throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = try productBinary(binary)
    process.arguments = arguments
    let directory = try stateDirectory ?? temporaryStateDirectory()
    defer { if stateDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
    var env = ProcessInfo.processInfo.environment
    env[HintStore.directoryVariable] = directory.path
    env["EXERCISES_NO_BUILD"] = "1"
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errText = ErrorText(err.fileHandleForReading)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), errText.wait())
}

/// Standard error read on another thread, so that neither pipe can fill while the other is read.
final class ErrorText: @unchecked Sendable {
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

@Suite("The exercises program")
struct ExerciseBinaryTests {
    @Test("on the pristine stubs it exits non-zero and names exercise 1 first")
    func pristineStubs() throws {
        guard stubIsPristine(Manifest.exercises[0].path), stubIsPristine(Manifest.exercises[1].path) else { return }
        let run = try runExercises([])
        #expect(run.status == 1)
        let firstLine = run.output.split(separator: "\n").first.map(String.init)
        #expect(firstLine == "✗ 01 low-rank-update (chapter 01)")
        #expect(run.output.contains("Exercise 1 is not solved yet: Exercises/01-low-rank-update.swift"))
        #expect(run.output.contains("expected: ") && run.output.contains("got: "))
        #expect(!run.output.contains("✓"))
        #expect(!run.output.contains("02 parameter-count"), "it must stop at the first unsolved exercise")
    }

    @Test("`exercises 5` checks exercise 5 only")
    func singleExercise() throws {
        let run = try runExercises(["5"])
        #expect(run.status == 1)
        #expect(run.output.hasPrefix("✗ 05 default-init (chapter 04)\n"))
        #expect(!run.output.contains("01 low-rank-update"))
    }

    @Test("`--hint` shows the next tier each time, remembers it per exercise, and never runs past the last")
    func hintTiers() throws {
        let state = try temporaryStateDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let five = try #require(Manifest.exercise(5))
        let n = five.hints.count
        for k in 1...(n + 1) {
            let run = try runExercises(["5", "--hint"], stateDirectory: state)
            #expect(run.status == 0)
            let shown = min(k, n)
            #expect(run.output.hasPrefix("Hint for exercise 5 (Exercises/05-default-init.swift): tier \(shown) of \(n)\n"))
            for tier in 1...n {
                // Every tier up to the one reached, and none beyond it.
                #expect(run.output.contains(five.hints[tier - 1]) == (tier <= shown), "call \(k), tier \(tier)")
            }
            if shown < n {
                #expect(run.output.contains("`swift run exercises 5 --hint` again shows tier \(shown + 1) of \(n)"))
            } else {
                #expect(run.output.contains("That was the last tier") && run.output.contains(five.solutionPath))
            }
        }
        let stored = try String(contentsOf: state.appendingPathComponent(HintStore.fileName), encoding: .utf8)
        #expect(stored == "5 \(n)\n")
        // Another exercise starts at its own first tier.
        let three = try runExercises(["3", "--hint"], stateDirectory: state)
        #expect(three.output.hasPrefix("Hint for exercise 3 (Exercises/03-lora-forward.swift): tier 1 of \(Manifest.exercise(3)!.hints.count)\n"))
        #expect(try String(contentsOf: state.appendingPathComponent(HintStore.fileName), encoding: .utf8) == "3 1\n5 \(n)\n")
    }

    @Test("`--hint` alone gives the first unsolved exercise its first tier")
    func hintForFirstUnsolved() throws {
        let first = try runExercises(["--hint"])
        #expect(first.status == 0)
        let firstUnsolved = try #require(Manifest.exercises.first { !$0.check(stubImplementations()).isPassed })
        #expect(first.output.hasPrefix("Hint for exercise \(firstUnsolved.number) (\(firstUnsolved.path)): tier 1 of \(firstUnsolved.hints.count)\n"))
        #expect(first.output.contains(firstUnsolved.hints[0]) && !first.output.contains(firstUnsolved.hints[1]))
    }

    @Test("`--list` lists every exercise in order")
    func list() throws {
        let run = try runExercises(["--list"])
        #expect(run.status == 0)
        let status = run.output.split(separator: "\n").filter { $0.hasPrefix("✗") || $0.hasPrefix("✓") }
        #expect(status.map { String($0.dropFirst(2).prefix(2)) } == Manifest.exercises.map { twoDigits($0.number) })
        let solved = Manifest.exercises.filter { $0.check(stubImplementations()).isPassed }.count
        #expect(run.output.contains("\(solved) of \(Manifest.exercises.count) solved."))
    }

    @Test("`--markdown` and `--chapter N` print the docs", arguments: [["--markdown"], ["--chapter", "5"]])
    func docs(arguments: [String]) throws {
        let run = try runExercises(arguments)
        #expect(run.status == 0)
        #expect(run.output == (arguments.count == 1 ? ExerciseDocs.page() : ExerciseDocs.chapterList(5)))
    }

    @Test("bad arguments print the usage and exit 2", arguments: [["--bogus"], ["99"], ["0"], ["--chapter"], ["--chapter", "99"], ["3", "--list"], ["1", "2"]])
    func badArguments(arguments: [String]) throws {
        let run = try runExercises(arguments)
        #expect(run.status == 2)
        #expect(run.output.isEmpty)
        #expect(run.error.hasPrefix("exercises: "))
    }
}

@Suite("Each check runs in a child process")
struct ExerciseIsolationTests {
    @Test("the runner reports a pristine stub's failure as fields, not a crash")
    func childReportsFailureFields() throws {
        guard stubIsPristine(Manifest.exercises[0].path) else { return }
        let run = try runExercises(["1"], binary: "exercise-runner")
        #expect(run.status == 1)
        let fields = run.output.components(separatedBy: "\u{1F}")
        #expect(fields.count == 4)
        #expect(fields.first?.contains("lowRankUpdate") == true)
    }

    @Test("the checker's verdicts through child processes equal the in-process checks")
    func isolatedEqualsInProcess() throws {
        let run = try runExercises(["--list"])
        for e in Manifest.exercises where stubIsPristine(e.path) {
            let inProcess = e.check(stubImplementations())
            let mark = inProcess.isPassed ? "✓" : "✗"
            #expect(run.output.contains("\(mark) \(String(format: "%02d", e.number))  chapter"))
        }
    }
}
