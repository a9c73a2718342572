// lora-docs: weaves each chapter's source and its real output into docs/NN-name.md.
//
// Usage: swift run lora-docs [--check] [--docs-dir PATH] [--root PATH] [--chapters 02,09]
//
// The contract with chapters (the Notebook module documents the chapter side):
// - Chapters are the directories Chapters/NN-name containing main.swift, in name order. Each
//   must also be listed in Package.swift's `chapters` so that `chNN-name` is built beside this
//   tool's executable (this target depends on every chapter, so `swift run lora-docs` builds them).
// - Prose is `/*: … */` blocks and `//:` lines starting in column 0; it passes through as
//   Markdown. The first prose block holds the page title as a `# ` heading. Code before the first
//   prose block (header comment, imports) is not shown.
// - Code lines ending in `// hide`, and blocks from a `//- hide` line to a `//- show` line, run
//   but are left out of the page (HideMarker.swift; an unclosed block is an error naming its line).
// - Every other code chunk starts with `cell()` or `cell("Heading")` (checked here, hidden on
//   the page). The chapter runs with LORA_DOCS_CELLS=1 and LORA_FIGURES_DIR=<out>/figures, in
//   the package root; `cell()` then prints a line "\u{1E}cell <line>", and everything printed up
//   to the next such line belongs to the chunk containing <line>. Lines between
//   "\u{1E}markdown-begin" and "\u{1E}markdown-end" are Markdown (tables); a line
//   "\u{1E}figure NAME.svg<TAB>title" becomes ![title](figures/NAME.svg). Other lines go into a
//   fenced text block under the chunk's code. Standard error is not captured; a non-zero exit
//   fails the generation.
// - docs-src/README.md (with a "<!-- chapters -->" line), docs-src/appendix-formulas.md and
//   docs-src/errata.md are copied into the same page layout.
//
// The tool always generates into a fresh temporary folder. Without --check it then updates the
// docs folder to match (atomic writes; stale files it generated itself removed: pages whose first
// line is its "generated" marker, figures/chNN-*.svg). A docs folder holding Markdown without the
// marker (a project's README) is refused before anything is written. With --check it
// only compares, prints OK or the differing / missing / extra files, and exits 1 on a difference.
import ChildProcess
import Foundation
import Notebook

var options = Options(
    program: "lora-docs",
    summary: "Regenerates docs/ from the chapters (or checks that it is up to date with --check).")
let checkOnly = options.flag("check", "compare instead of writing; exit 1 if the docs folder is out of date")
let docsArgument = options.string("docs-dir", "the docs folder to write or check (default: <root>/docs)")
let rootArgument = options.string("root", "the package root (default: the nearest folder upwards with Package.swift and Chapters/)")
let chaptersArgument = options.string("chapters", "only run and write/check these chapters, e.g. 04,08 (other chapters' pages and figures are left alone)")
options.finish()
let onlyChapters: Set<String>? = chaptersArgument.map { list in
    Set(list.split(separator: ",").map { item -> String in
        guard let n = Int(item.trimmingCharacters(in: .whitespaces)), (1...99).contains(n) else {
            options.fail("--chapters takes chapter numbers separated by commas, e.g. 04,08; got '\(list)'")
        }
        return n < 10 ? "0\(n)" : "\(n)"
    })
}
if let onlyChapters, onlyChapters.isEmpty {
    options.fail("--chapters names no chapter; give chapter numbers separated by commas, e.g. 04,08")
}

/// The package root: `--root` (which must hold Package.swift and a Chapters folder), or the
/// nearest directory upwards holding both.
@MainActor func packageRoot() -> URL? {
    if let rootArgument {
        let root = URL(fileURLWithPath: rootArgument).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            options.fail("--root \(root.path) does not exist")
        }
        guard isDirectory.boolValue else { options.fail("--root \(root.path) is a file, not a folder") }
        for needed in ["Package.swift", "Chapters"] where !FileManager.default.fileExists(atPath: root.appendingPathComponent(needed).path) {
            options.fail("--root \(root.path) is not the package root: it has no \(needed)")
        }
        return root
    }
    var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    while true {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
           fm.fileExists(atPath: directory.appendingPathComponent("Chapters").path) { return directory }
        let parent = directory.deletingLastPathComponent()
        if parent.path == directory.path { return nil }
        directory = parent
    }
}

guard let root = packageRoot() else {
    options.fail("cannot find the package root (a folder with Package.swift and Chapters/); run from inside the package or pass --root")
}
if let onlyChapters {
    let existing = Set(((try? Chapter.all(root: root)) ?? []).map(\.number))
    let unknown = onlyChapters.subtracting(existing).sorted()
    if !unknown.isEmpty {
        options.fail("--chapters names chapter\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")), which \(unknown.count == 1 ? "does" : "do") not exist in \(root.path)/Chapters (chapters: \(existing.sorted().joined(separator: ", ")))")
    }
}
let docs = docsArgument.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? root.appendingPathComponent("docs")
if !checkOnly, case let foreign = Site.foreignMarkdown(in: docs), !foreign.isEmpty {
    options.fail("--docs-dir \(docs.path) holds Markdown that lora-docs did not generate (\(foreign.prefix(5).joined(separator: ", ")))"
                 + "; give an empty folder or a folder of generated pages")
}
let products = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
    .resolvingSymlinksInPath().deletingLastPathComponent()
let scratch = FileManager.default.temporaryDirectory
    .appendingPathComponent("lora-docs-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")

var status: Int32 = 0  // set inside the `do`, used after it: `exit` there would skip the `defer`
do {
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let site = Site(root: root, products: products, only: onlyChapters)
    try site.generate(into: scratch)
    if checkOnly {
        let difference = Site.compare(generated: scratch, committed: docs, ignoring: site.isLeftOut)
        if difference.isEmpty {
            print("lora-docs: OK, \(docs.path) is up to date (\(Site.files(in: scratch).count) files)")
        } else {
            var lines = ["lora-docs: \(docs.path) is out of date; run `swift run lora-docs` to regenerate"]
            lines += difference.differing.map { "  differs: \($0)" }
            lines += difference.missing.map { "  missing: \($0)" }
            lines += difference.extra.map { "  extra:   \($0)" }
            print(lines.joined(separator: "\n"))
            status = 1
        }
    } else {
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        let changed = try Site.sync(generated: scratch, into: docs, ignoring: site.isLeftOut)
        print("lora-docs: wrote \(docs.path) (\(Site.files(in: scratch).count) files, \(changed.count) changed)")
        for path in changed { print("  \(path)") }
    }
} catch let interrupted as ChildProcess.Interrupted {
    Notebook.warn("lora-docs: \(interrupted); the chapter was stopped too and the scratch folder removed")
    status = interrupted.exitStatus
} catch {
    Notebook.warn("lora-docs: \(error)")
    status = 1
}
exit(status)
