import ExerciseChecks
import Foundation
import Testing

/// The package root, found from this file's path (Tests/ExerciseTests/<file>).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func read(_ relativePath: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent(relativePath), encoding: .utf8)
}

/// The `.swift` files directly inside a package directory, sorted.
func swiftFiles(in relativeDirectory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(relativeDirectory).path)
        .filter { $0.hasSuffix(".swift") }.sorted()
}

@Suite("Exercise files and manifest")
struct ExerciseFileTests {
    @Test("the manifest and the files agree: no missing or extra exercise, numbering continuous")
    func manifestMatchesFiles() throws {
        let exercises = Manifest.exercises
        #expect(exercises.map(\.number) == Array(1...exercises.count), "exercises must be numbered 1, 2, 3, … in order")
        #expect(exercises.count >= 24)
        #expect(Set(exercises.map(\.name)).count == exercises.count, "exercise names must be unique")
        let expected = exercises.map(\.fileName)
        #expect(try swiftFiles(in: "Exercises") == expected, "Exercises/ must hold exactly the manifest's stubs")
        #expect(try swiftFiles(in: "Exercises/Solutions") == expected, "Exercises/Solutions/ must hold exactly one solution per exercise")
        for e in exercises {
            #expect(Manifest.chapters[e.chapter] != nil, "exercise \(e.number) names chapter \(e.chapter), which does not exist")
            #expect(!e.goal.isEmpty && !e.hints.isEmpty && !e.goal.contains("\n"), "exercise \(e.number) needs a one-line goal and hints")
            #expect(e.predictThenRun == e.goal.hasPrefix("Predict, then run:"), "exercise \(e.number): a predict-then-run goal says so first")
            #expect(e.predictThenRun == (e.explanation != nil), "exercise \(e.number): predict-then-run exercises explain what the library measured")
        }
        // Two passes, each in chapter order: 1…(secondPassStart − 1) through chapters 01–12, then
        // the second pass from chapter 01 again.
        let split = Manifest.secondPassStart - 1
        let first = exercises.prefix(split).map(\.chapter), second = exercises.dropFirst(split).map(\.chapter)
        #expect(first == first.sorted(), "the first pass follows the chapters' order")
        #expect(second == second.sorted(), "the second pass follows the chapters' order")
        #expect(!second.isEmpty && second.first! < first.last!, "the second pass starts again from an early chapter")
        #expect(Set(exercises.map(\.chapter)).count >= 12, "the exercises span the chapters")
        #expect(exercises.filter(\.predictThenRun).count >= 2, "at least two predict-then-run exercises")
    }

    @Test("every chapter in the manifest has exercises, chapters 13–16 at least two, 18 three")
    func chaptersHaveExercises() {
        for (chapter, _) in Manifest.chapters {
            let count = Manifest.exercises.filter { $0.chapter == chapter }.count
            // Chapter 17 (adapting the tiny LLaMA) reuses the adapters of exercises 3–29; its own
            // new idea, comparing methods by a paired ratio, is one exercise.
            #expect(count >= ((13...16).contains(chapter) ? 2 : 1), "chapter \(chapter) has \(count) exercises")
        }
        // Chapter 18 (inside the LLaMA block): RoPE, a BPE merge step, a KV-cache decoding step.
        #expect(Manifest.exercises.filter { $0.chapter == 18 }.map(\.number) == [33, 34, 35])
        #expect(Manifest.chapters[13] == "ch13-quantization-meets-lora")
        #expect(Manifest.chapters[14] == "ch14-dora-and-loraplus")
        #expect(Manifest.chapters[15] == "ch15-combining-and-serving")
        #expect(Manifest.chapters[16] == "ch16-a-tiny-llama")
        #expect(Manifest.chapters[17] == "ch17-a-new-voice")
        #expect(Manifest.chapters[18] == "ch18-inside-the-llama-block")
    }

    @Test("predict-then-run stubs ship with no prediction (.nan) and their solutions with one")
    func predictionsStartEmpty() throws {
        for e in Manifest.exercises where e.predictThenRun {
            let stub = try read(e.path), solution = try read(e.solutionPath)
            #expect(stub.contains("= .nan  // TODO: your prediction"), "\(e.path) must ship its prediction as .nan")
            #expect(!solution.contains(".nan"), "\(e.solutionPath) must hold a prediction")
        }
    }

    @Test("each stub has a header naming its chapter and a // TODO:", arguments: Manifest.exercises.map(\.number))
    func stubHasHeaderAndTODO(number: Int) throws {
        let e = try #require(Manifest.exercise(number))
        let text = try read(e.path)
        let chapterName = try #require(Manifest.chapters[e.chapter])
        let header = "// Exercise \(twoDigits(e.number)) · chapter \(twoDigits(e.chapter)) (\(chapterName)):"
        #expect(text.hasPrefix(header), "\(e.path) must start with \"\(header) …\"")
        #expect(text.contains("// TODO:"), "\(e.path) has no // TODO: at its change site")
        #expect(text.contains("// Check: swift run exercises \(e.number) "), "\(e.path) must say how to check it")
    }

    @Test("each solution has the matching header and no TODO left", arguments: Manifest.exercises.map(\.number))
    func solutionHasHeader(number: Int) throws {
        let e = try #require(Manifest.exercise(number))
        let text = try read(e.solutionPath)
        let chapterName = try #require(Manifest.chapters[e.chapter])
        #expect(text.hasPrefix("// Solution \(twoDigits(e.number)) · chapter \(twoDigits(e.chapter)) (\(chapterName)):"))
        #expect(!text.contains("TODO"))
    }

    @Test("docs/exercises.md is what `exercises --markdown` prints, and lists every exercise")
    func docsPageIsFresh() throws {
        let page = try read("docs/exercises.md")
        #expect(page == ExerciseDocs.page(), "docs/exercises.md is stale: run `swift run lora-docs`")
        #expect(page.hasPrefix(ExerciseDocs.generatedLine + "\n"))
        for e in Manifest.exercises { #expect(page.contains("`\(e.path)` | \(e.goal) |")) }
    }

    @Test("each chapter's list holds exactly that chapter's exercises", arguments: Array(Manifest.chapters.keys.sorted()))
    func chapterLists(chapter: Int) {
        let list = ExerciseDocs.chapterList(chapter)
        let expected = Manifest.exercises.filter { $0.chapter == chapter }
        #expect(list.split(separator: "\n").count == expected.count)
        for e in expected { #expect(list.contains("**Exercise \(e.number)** — `\(e.path)`")) }
    }
}
