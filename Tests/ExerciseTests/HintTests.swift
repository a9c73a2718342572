@testable import exercise_runner
@testable import exercises
import ExerciseChecks
import Foundation
import Testing

// Hint tiers: every exercise has at least three (the idea, the formula, the shape of the code),
// no tier gives away a line of the reference solution, and the tier reached is remembered.

/// The lines of a Swift file that are code: comments (whole-line and trailing) and blank lines
/// removed, whitespace trimmed and collapsed.
func codeLines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { raw -> String? in
        var line = String(raw)
        if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
        let collapsed = line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return collapsed.isEmpty ? nil : collapsed
    }
}

/// The reference solution's own lines: its code lines that the stub does not also have (those
/// are the scaffolding the learner already sees), with at least six letters or digits (so `}`
/// and `return y` do not count).
func solutionKeyLines(_ e: Exercise) throws -> [String] {
    let scaffolding = Set(codeLines(try read(e.path)))
    return codeLines(try read(e.solutionPath)).filter { line in
        !scaffolding.contains(line) && line.filter { $0.isLetter || $0.isNumber }.count >= 6
    }
}

@Suite("Hint tiers")
struct HintTests {
    @Test("every exercise has at least three non-empty tiers", arguments: Manifest.exercises.map(\.number))
    func threeTiers(number: Int) throws {
        let e = try #require(Manifest.exercise(number))
        #expect(e.hints.count >= 3, "exercise \(number) has \(e.hints.count) hint tiers")
        #expect(e.hints.allSatisfy { !$0.isEmpty && !$0.contains("\n") })
        #expect(Set(e.hints).count == e.hints.count, "exercise \(number) repeats a tier")
    }

    @Test("no tier contains a line of the reference solution verbatim", arguments: Manifest.exercises.map(\.number))
    func noTierGivesTheSolution(number: Int) throws {
        let e = try #require(Manifest.exercise(number))
        let keys = try solutionKeyLines(e)
        #expect(!keys.isEmpty, "exercise \(number): the solution has no lines of its own?")
        for (tier, hint) in e.hints.enumerated() {
            let text = hint.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for key in keys {
                #expect(!text.contains(key), "exercise \(number), tier \(tier + 1) contains the solution line `\(key)`")
            }
        }
    }

    @Test("the verbatim test can fail: a tier quoting a solution line is caught")
    func verbatimTestCanFail() throws {
        let e = try #require(Manifest.exercise(3))
        let key = try #require(try solutionKeyLines(e).first)
        #expect(("Try this: " + key + " and you are done.").contains(key))
        #expect(try solutionKeyLines(e).contains("let down = x.matmul(a, transposeB: true)"))
    }

    @Test("progress advances one tier per call, caps at the last, and is per exercise")
    func progressAdvances() {
        var progress = HintProgress()
        #expect(progress.advance(5, tierCount: 3) == 1)
        #expect(progress.advance(5, tierCount: 3) == 2)
        #expect(progress.advance(7, tierCount: 3) == 1)
        #expect(progress.advance(5, tierCount: 3) == 3)
        #expect(progress.advance(5, tierCount: 3) == 3)
        #expect(progress.lastShown == [5: 3, 7: 1])
    }

    @Test("the state text round-trips, and damaged lines are skipped")
    func stateText() {
        let progress = HintProgress(lastShown: [12: 2, 3: 1])
        #expect(progress.text == "3 1\n12 2\n")
        #expect(HintProgress(text: progress.text) == progress)
        #expect(HintProgress(text: "3 1\ngarbage\n12 x\n-1\n12 2\n4 0\n") == progress)
        #expect(HintProgress(text: "") == HintProgress())
    }

    @Test("the store writes atomically into a new folder and reads back; a missing file is empty progress")
    func store() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hint-store-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = HintStore.file(packageRoot: URL(fileURLWithPath: "/nonexistent"), environment: [HintStore.directoryVariable: folder.path])
        #expect(file == folder.appendingPathComponent(HintStore.fileName))
        #expect(HintStore.load(from: file) == HintProgress())
        let progress = HintProgress(lastShown: [1: 2])
        try HintStore.save(progress, to: file)
        #expect(HintStore.load(from: file) == progress)
        let root = URL(fileURLWithPath: "/some/package")
        #expect(HintStore.file(packageRoot: root, environment: [:]).path == "/some/package/.exercises/hint-tiers")
    }

    @Test("the checker shows tiers 1…k and names the next one")
    func checkerHintText() throws {
        let e = try #require(Manifest.exercise(12))
        let stubs = stubImplementations()
        let checker = Checker(check: { $0.check(stubs) })
        var progress = HintProgress()
        let first = checker.hint(12, progress: &progress)
        #expect(first.exitCode == 0)
        #expect(first.text.contains("tier 1 of \(e.hints.count)") && first.text.contains(e.hints[0]) && !first.text.contains(e.hints[1]))
        #expect(first.text.contains("again shows tier 2 of \(e.hints.count) (\(Manifest.tierName(2)))"))
        let second = checker.hint(12, progress: &progress)
        #expect(second.text.contains(e.hints[0]) && second.text.contains(e.hints[1]) && !second.text.contains(e.hints[2]))
        #expect(checker.hint(99, progress: &progress).exitCode == 2)
    }
}
