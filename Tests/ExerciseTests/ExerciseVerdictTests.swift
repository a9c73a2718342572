@testable import exercises
import ExerciseChecks
import Foundation
import Testing

/// A verdict comes only from the runner after the check returned, carrying the checker's nonce:
/// a stub that exits early, or writes a verdict of its own, fails.
@Suite struct ExerciseVerdictTests {
    @Test("a stub that calls exit(0) is not reported solved")
    func exitZeroIsAFailure() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "exit"])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.hasPrefix("✗ 01"), "\(run.output)")
        #expect(run.output.contains("before the check returned"), "\(run.output)")
    }

    @Test("a stub that writes a made-up verdict to the verdict descriptor and exits is not reported solved")
    func forgedVerdictIsAFailure() throws {
        let run = try runExercises(["1"], environment: ["EXERCISES_TEST_MISBEHAVE": "forge"])
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.hasPrefix("✗ 01"), "\(run.output)")
        #expect(run.output.contains("file descriptor 3"), "\(run.output)")
    }

    @Test("records: only the right nonce counts")
    func records() {
        let failure = CheckFailure(checking: "f(1)", expected: "2", got: "3", why: nil)
        #expect(VerdictRecord.read(VerdictRecord.passed(nonce: "n1"), nonce: "n1") == .passed)
        #expect(VerdictRecord.read(VerdictRecord.passed(nonce: "n1"), nonce: "n2") == .malformed)
        #expect(VerdictRecord.read(VerdictRecord.failed(failure, nonce: "n1"), nonce: "n1") == .failed(failure))
        #expect(VerdictRecord.read("", nonce: "n1") == .missing)
        #expect(VerdictRecord.read("junk" + VerdictRecord.passed(nonce: "n1"), nonce: "n1") == .malformed)
    }
}
