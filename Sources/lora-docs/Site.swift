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

    /// How every page this tool writes begins (``Page/generatedLine`` and the exercises page's
    /// own first line both do).
    static let generatedPrefix = "<!-- generated by `swift run lora-docs`"

    /// Whether the file at `path` (relative to `folder`) was written by this tool: a top-level
    /// page whose first line starts with ``generatedPrefix``, or a chapter figure `figures/chNN-*.svg`.
    static func isGenerated(_ path: String, in folder: URL) -> Bool {
        let parts = path.split(separator: "/")
        if parts.count == 1, path.hasSuffix(".md") {
            guard let handle = FileHandle(forReadingAtPath: folder.appendingPathComponent(path).path) else { return false }
            defer { try? handle.close() }
            let start = (try? handle.read(upToCount: generatedPrefix.utf8.count)) ?? Data()
            return start == Data(generatedPrefix.utf8)
        }
        if parts.count == 2, parts[0] == "figures", path.hasSuffix(".svg") {
            let name = Array(parts[1])
            return name.count > 5 && parts[1].hasPrefix("ch") && name[2].isNumber && name[3].isNumber && name[4] == "-"
        }
        return false
    }

    /// The top-level Markdown files in `folder` that this tool did not write; a docs folder
    /// holding any is refused, so that `--docs-dir .` cannot overwrite a project's README.
    static func foreignMarkdown(in folder: URL) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") && !isGenerated($0, in: folder) }.sorted()
    }

    /// Makes `committed` equal to `generated`: writes new and changed files atomically and
    /// removes files this tool generated earlier (``isGenerated(_:in:)``) that are no longer
    /// produced; every other file is left alone.
    /// - Returns: the paths it changed.
    /// - Throws: before writing anything, when `committed` holds Markdown this tool did not write.
    static func sync(generated: URL, into committed: URL, ignoring ignored: (String) -> Bool = { _ in false }) throws -> [String] {
        let foreign = foreignMarkdown(in: committed)
        guard foreign.isEmpty else {
            throw Failure(description: "\(committed.path) holds Markdown that lora-docs did not generate (\(foreign.prefix(5).joined(separator: ", "))"
                          + (foreign.count > 5 ? ", …" : "") + "); nothing was written. Give --docs-dir an empty folder or a folder of generated pages")
        }
        let difference = compare(generated: generated, committed: committed, ignoring: ignored)
        for path in difference.missing + difference.differing {
            let target = committed.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let text = String(decoding: FileManager.default.contents(atPath: generated.appendingPathComponent(path).path) ?? Data(), as: UTF8.self)
            try writeAtomically(text, to: target)
        }
        var removed: [String] = []
        for path in difference.extra where isGenerated(path, in: committed) {
            try FileManager.default.removeItem(at: committed.appendingPathComponent(path))
            removed.append(path)
        }
        return (difference.missing + difference.differing + removed).sorted()
    }
}
