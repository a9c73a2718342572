@testable import exercises
import ExerciseChecks
import Foundation
import Testing

/// What a check starts ends with the check: at the time limit the whole process group is
/// killed, and the checker does not wait for a pipe held open by a process the stub started.
@Suite struct ExerciseProcessGroupTests {
    @Test("a stub that starts a long-lived process and loops: stopped at the limit, its process too",
          .timeLimit(.minutes(5)))
    func startedProcessDiesWithTheCheck() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("exercise-spawn-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let start = Date()
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "spawn", "EXERCISES_TIME_LIMIT": "2",
                                                        "EXERCISES_TEST_PIDFILE": pidFile.path])
        let seconds = Date().timeIntervalSince(start)
        #expect(run.status == 1)
        #expect(seconds < 15, "a 2 s limit took \(seconds) s")
        #expect(run.output.contains("did not finish in 2 s"), "\(run.output)")
        let text = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let sleeper = try #require(Int32(text))
        // Gone, or a zombie: its parent died first and whoever adopted it may not reap it at once.
        func isGone() -> Bool {
            guard kill(sleeper, 0) == 0 else { return true }
            #if os(Linux)
            if let stat = try? String(contentsOfFile: "/proc/\(sleeper)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].split(separator: " ").first == "Z" { return true }
            #endif
            return false
        }
        var gone = isGone()
        for _ in 0..<30 where !gone {
            usleep(100_000)
            gone = isGone()
        }
        #expect(gone, "the process the stub started (\(sleeper)) survived the check")
        if !gone { kill(sleeper, SIGKILL) }
    }

    @Test("a time limit too small to mean anything is refused")
    func tinyTimeLimit() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TIME_LIMIT": "1e-300"])
        #expect(run.status == 2)
        #expect(run.error.contains("EXERCISES_TIME_LIMIT"), "\(run.error)")
    }

    @Test("escape sequences a stub prints are shown as text, not sent to the terminal")
    func escapeSequencesAreShown() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "escape"])
        #expect(run.status == 1)
        #expect(!run.output.contains("\u{1B}"), "\(run.output)")
        #expect(run.output.contains("^[[31mred text"), "\(run.output)")
    }

    @Test("a stack overflow is named as such, not as an index out of range")
    func stackOverflowIsNamed() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "recurse", "EXERCISES_TIME_LIMIT": "120"])
        #expect(run.status == 1)
        #expect(run.output.contains("stack overflow"), "\(run.output)")
        #expect(!run.output.contains("index out of range"), "\(run.output)")
    }
}
