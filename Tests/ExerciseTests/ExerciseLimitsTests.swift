@testable import exercises
import ExerciseChecks
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The checker against a learner's code that loops, allocates, floods the terminal or does not
/// compile. The runner's test hook `EXERCISES_TEST_MISBEHAVE` stands in for such a stub.
@Suite("The checker survives a learner's code")
struct ExerciseLimitsTests {
    @Test("an endless loop is stopped at the time limit, and the message states it")
    func endlessLoop() throws {
        let start = Date()
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "loop", "EXERCISES_TIME_LIMIT": "1"])
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(run.status == 1)
        #expect(run.output.contains("did not finish in 1 s"), "\(run.output)")
        #expect(run.output.hasPrefix("✗ 01 low-rank-update"))
    }

    @Test("a stub that allocates without end runs out of memory at the limit")
    func unboundedAllocation() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "allocate", "EXERCISES_MEMORY_LIMIT_MB": "512",
                                                        "EXERCISES_TIME_LIMIT": "60"])
        #expect(run.status == 1)
        #expect(run.output.contains("ran out of memory (limit 512 MB)"), "\(run.output)")
        #expect(CheckLimits().memoryDescription == "2 GB")
    }

    @Test("a million printed lines are cut to the last few, saying how many were cut")
    func floodOfOutput() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "print", "EXERCISES_TIME_LIMIT": "120"])
        #expect(run.status == 1)
        #expect(run.output.utf8.count < 4000, "the report holds \(run.output.utf8.count) bytes")
        #expect(run.output.contains("your code printed 1000000 lines"), "\(run.output)")
        #expect(run.output.contains("999995 earlier lines were cut"))
        #expect(run.output.contains("| line 1000000 of a stub that prints too much"))
        #expect(run.output.contains("expected: a quiet stub"), "the verdict still arrives: \(run.output)")
    }

    @Test("limits given wrongly are named, with exit status 2")
    func badLimits() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TIME_LIMIT": "soon"])
        #expect(run.status == 2)
        #expect(run.error.contains("EXERCISES_TIME_LIMIT") && run.error.contains("'soon'"))
    }

    #if os(Linux)  // the tests below find the runner through /proc
    /// Starts `exercises 1` with an endless-loop stub in a new process group; returns the
    /// checker's pid and its runner child's pid.
    func startLoopingChecker() throws -> (checker: pid_t, runner: pid_t) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var env = ProcessInfo.processInfo.environment
        env["EXERCISES_NO_BUILD"] = "1"
        env["EXERCISES_TEST_MISBEHAVE"] = "loop"
        env["EXERCISES_TIME_LIMIT"] = "120"
        let path = try exercisesBinary().path
        let argv = [strdup(path), strdup("1"), nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, path, &actions, &attributes, argv, envp) == 0)
        for _ in 0..<400 {
            if let runner = childProcesses(of: pid).first { return (pid, runner) }
            usleep(25_000)
        }
        kill(-pid, SIGKILL)
        throw RunnerNotStarted()
    }

    struct RunnerNotStarted: Error {}

    /// The pids whose parent is `parent` (from /proc/*/stat).
    func childProcesses(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    /// Whether `pid` is gone (or a zombie waiting to be reaped) within `seconds`.
    func isGone(_ pid: pid_t, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].split(separator: " ").first == "Z" { return true }
            usleep(50_000)
        }
        return false
    }

    @Test("the check's process dies with a killed checker: no orphan burning a core")
    func childDiesWithKilledChecker() throws {
        let (checker, runner) = try startLoopingChecker()
        kill(checker, SIGKILL)
        var status: Int32 = 0
        waitpid(checker, &status, 0)
        let gone = isGone(runner, within: 5)
        if !gone { kill(runner, SIGKILL) }
        #expect(gone, "the runner \(runner) outlived its checker")
    }

    @Test("Ctrl-C stops the checker and the check's process together")
    func controlCReachesTheChild() throws {
        let (checker, runner) = try startLoopingChecker()
        kill(-checker, SIGINT)  // what the terminal does: SIGINT to the foreground process group
        var status: Int32 = 0
        waitpid(checker, &status, 0)
        let gone = isGone(runner, within: 5)
        if !gone { kill(runner, SIGKILL) }
        #expect(gone, "the runner \(runner) outlived Ctrl-C")
    }
    #endif

    @Test("a stub that does not compile: file and line first, why every exercise is blocked, the way back")
    func compileErrorReport() throws {
        let root = StubBuild.packageRoot.path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fake-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let fake = scratch.appendingPathComponent("swift")
        let script = """
            #!/bin/sh
            echo "Building for debugging..."
            echo "\(root)/Exercises/03-lora-forward.swift:12:5: error: cannot find 'oops' in scope" >&2
            echo "\(root)/Exercises/03-lora-forward.swift:12:5: error: cannot find 'oops' in scope" >&2
            echo "\(root)/Exercises/07-nf4-code.swift:4:1: error: expected declaration" >&2
            echo "error: emit-module command failed with exit code 1" >&2
            exit 1
            """
        try writeExecutable(script, to: fake)
        let run = try runExercises([], environment: ["EXERCISES_NO_BUILD": "0", "EXERCISES_SWIFT": fake.path])
        #expect(run.status == 1)
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "Exercises/03-lora-forward.swift:12:5: error: cannot find 'oops' in scope", "\(run.output)")
        #expect(run.output.contains("(and 1 more error: Exercises/07-nf4-code.swift:4)"))
        #expect(run.output.contains("one module"))
        #expect(run.output.contains("stops every exercise, not only exercise 3"))
        #expect(run.output.contains("git checkout -- Exercises/03-lora-forward.swift"))
    }
}

/// A stub whose signature was changed breaks the runner's call in Wiring.swift: the report
/// names the stub's file and function, not the runner's file, as the one to fix.
@Suite struct WiringBlameTests {
    @Test func aChangedStubSignatureBlamesTheStubFile() throws {
        let wiring = try String(contentsOf: StubBuild.packageRoot.appendingPathComponent(StubBuild.wiringFile), encoding: .utf8)
        let lines = wiring.split(separator: "\n", omittingEmptySubsequences: false)
        let number = try #require(lines.firstIndex { $0.contains("ExerciseStubs.loraScale(") }) + 1
        let output = "\(StubBuild.packageRoot.path)/\(StubBuild.wiringFile):\(number):40: error: incorrect argument label in call (have 'alpha:rank:rankStabilized:', expected 'a:rank:rankStabilized:')\n"
        let report = StubBuild.report(buildOutput: output, status: 1)
        let stubFile = try #require(StubBuild.stubCalled(onLine: number)?.file)
        #expect(stubFile == "Exercises/06-scaling.swift", "\(stubFile)")
        #expect(report.contains("The checker calls `loraScale`") && report.contains("git diff \(stubFile)"), "\(report)")
        #expect(report.contains("is not the file to edit") && !report.contains("git checkout -- \(StubBuild.wiringFile)"), "\(report)")
        // A line that calls no stub keeps the general message.
        let other = StubBuild.report(buildOutput: "\(StubBuild.packageRoot.path)/Sources/LoRA/Layers/Linear.swift:3:1: error: x\n", status: 1)
        #expect(other.contains("The package does not compile"))
    }
}

/// Writes an executable script through a descriptor opened close-on-exec. Tests run in parallel
/// and spawn processes: a descriptor open for writing without `O_CLOEXEC` is inherited by any
/// process another test spawns meanwhile, and while one exists, executing the script fails with
/// ETXTBSY ("text file busy").
func writeExecutable(_ text: String, to url: URL) throws {
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw POSIXError(.EIO) }
}
