import Foundation
import Notebook
import ExerciseChecks

/// Generates the whole docs folder, and compares or syncs it with the committed one.
struct Site {
    /// The package root (holds `Package.swift`, `Chapters/`, `docs-src/`).
    let root: URL
    /// Where the chapter executables are (beside this tool's own executable).
    let products: URL
    /// When set, only these chapters (two-digit numbers) are run and written; the pages and
    /// figures of the others are left as they are and ignored by the comparison.
    var only: Set<String>? = nil

    /// Whether `path` (relative to docs/) belongs to a chapter left out by ``only``.
    func isLeftOut(_ path: String) -> Bool {
        guard let only else { return false }
        let name = path.hasPrefix("figures/ch") ? String(path.dropFirst("figures/ch".count)) : path
        let number = String(name.prefix(2))
        guard number.count == 2, number.allSatisfy(\.isNumber), name.dropFirst(2).first == "-" else { return false }
        return !only.contains(number)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes every page and figure into `output` (an empty directory).
    func generate(into output: URL) throws {
        let figures = output.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: figures, withIntermediateDirectories: true)
        let chapters = try Chapter.all(root: root)
        var index: [String] = []
        for (i, chapter) in chapters.enumerated() {
            let text = try String(contentsOf: root.appendingPathComponent(chapter.sourcePath), encoding: .utf8)
            let source = try ChapterSource(name: chapter.name, text: text)
            index.append("- [\(source.title)](\(chapter.pageName))")
            if let only, !only.contains(chapter.number) { continue }
            guard text.contains(exercisesMarker) else {
                throw Failure(description: "\(chapter.sourcePath) has no '\(exercisesMarker)' line in its prose; every chapter points to its exercises there")
            }
            let binary = products.appendingPathComponent(chapter.executable)
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw Failure(description: "chapter \(chapter.name) has no executable at \(binary.path); is \"\(chapter.name)\" in Package.swift's chapters list?")
            }
            let result = try run(binary, in: root, environment: [
                Notebook.cellsVariable: "1",
                Figures.directoryVariable: figures.path,
            ])
            guard result.status == 0 else {
                throw Failure(description: "\(chapter.executable) exited with status \(result.status)\n\(result.stderr)")
            }
            let printed = try ChapterOutput(stdout: result.stdout, source: source)
            let page = Page.chapter(chapter, source: source, output: printed,
                                    previous: i > 0 ? chapters[i - 1] : nil,
                                    next: i + 1 < chapters.count ? chapters[i + 1] : nil)
            try write(page, to: output.appendingPathComponent(chapter.pageName))
        }
        let templates = root.appendingPathComponent("docs-src")
        for name in ["appendix-formulas.md", "errata.md"] {
            let body = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try write(Page.layout(body: body, source: "docs-src/\(name)"), to: output.appendingPathComponent(name))
        }
        try write(ExerciseDocs.page(), to: output.appendingPathComponent("exercises.md"))
        let readme = try String(contentsOf: templates.appendingPathComponent("README.md"), encoding: .utf8)
        guard readme.contains("<!-- chapters -->") else {
            throw Failure(description: "docs-src/README.md lacks the '<!-- chapters -->' line where the chapter list goes")
        }
        let body = readme.replacingOccurrences(of: "<!-- chapters -->", with: index.joined(separator: "\n"))
        try write(Page.layout(body: body, source: "docs-src/README.md and Chapters/*/main.swift"),
                  to: output.appendingPathComponent("README.md"))
    }

    private func write(_ text: String, to url: URL) throws {
        try writeAtomically(text, to: url)
    }

    /// Every regular, non-hidden file under `directory`, as paths relative to it, sorted.
    static func files(in directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = directory.appendingPathComponent(path).path
            let hidden = path.split(separator: "/").contains { $0.hasPrefix(".") }
            if !hidden, FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// How `committed` differs from `generated`.
    struct Difference {
        var differing: [String] = []
        var missing: [String] = []
        var extra: [String] = []
        var isEmpty: Bool { differing.isEmpty && missing.isEmpty && extra.isEmpty }
    }

    static func compare(generated: URL, committed: URL, ignoring ignored: (String) -> Bool = { _ in false }) -> Difference {
        let new = files(in: generated), old = Set(files(in: committed).filter { !ignored($0) })
        var difference = Difference()
        for path in new {
            if !old.contains(path) {
                difference.missing.append(path)
            } else if FileManager.default.contents(atPath: generated.appendingPathComponent(path).path)
                        != FileManager.default.contents(atPath: committed.appendingPathComponent(path).path) {
                difference.differing.append(path)
            }
        }
        difference.extra = old.subtracting(new).sorted()
        return difference
    }

    /// Makes `committed` equal to `generated`: writes new and changed files atomically and
    /// removes generated-looking files (`*.md`, `figures/*.svg`) that are no longer produced.
    /// - Returns: the paths it changed.
    static func sync(generated: URL, into committed: URL, ignoring ignored: (String) -> Bool = { _ in false }) throws -> [String] {
        let difference = compare(generated: generated, committed: committed, ignoring: ignored)
        for path in difference.missing + difference.differing {
            let target = committed.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let text = String(decoding: FileManager.default.contents(atPath: generated.appendingPathComponent(path).path) ?? Data(), as: UTF8.self)
            try writeAtomically(text, to: target)
        }
        var removed: [String] = []
        for path in difference.extra where (path.hasSuffix(".md") && !path.contains("/")) || (path.hasPrefix("figures/") && path.hasSuffix(".svg")) {
            try FileManager.default.removeItem(at: committed.appendingPathComponent(path))
            removed.append(path)
        }
        return (difference.missing + difference.differing + removed).sorted()
    }
}
