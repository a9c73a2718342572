import Foundation
import Testing

/// `lora-docs --check` against the committed docs and against hand-edited copies of them.
/// `committedDocsAreUpToDate` runs every chapter (through lora-docs), so it takes as long as the
/// tour; the others run chapter 02 only (`--chapters 02`).
@Suite(.serialized) struct DocsCheckTests {
    func check(docs: URL, root: URL = Products.packageRoot, chapters: String? = nil) throws -> Finished {
        try runProduct("lora-docs", ["--check", "--root", root.path, "--docs-dir", docs.path] + (chapters.map { ["--chapters", $0] } ?? []))
    }

    /// A copy of the committed docs/ in a temporary directory.
    func copyOfDocs() throws -> URL {
        let copy = try Products.temporaryDirectory("docs-copy").appendingPathComponent("docs")
        try FileManager.default.copyItem(at: Products.packageRoot.appendingPathComponent("docs"), to: copy)
        return copy
    }

    @Test func committedDocsAreUpToDate() async throws {
        // Every chapter runs: minutes, on a thread of its own rather than one of the test pool's.
        let docs = Products.packageRoot.appendingPathComponent("docs"), root = Products.packageRoot
        let run = try await offThePool { try runProduct("lora-docs", ["--check", "--root", root.path, "--docs-dir", docs.path]) }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("OK"))
    }

    @Test func aHandEditedPageFailsTheCheck() throws {
        let docs = try copyOfDocs()
        defer { try? FileManager.default.removeItem(at: docs.deletingLastPathComponent()) }
        let page = docs.appendingPathComponent("02-parameter-counts.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        try text.replacingOccurrences(of: "0.390625%", with: "0.4%").write(to: page, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: docs.appendingPathComponent("errata.md"))
        try "stray".write(to: docs.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        // Only chapter 02 is run: the edits are in its page and in pages every run writes.
        let run = try check(docs: docs, chapters: "02")
        #expect(run.status == 1)
        #expect(run.stdout.contains("differs: 02-parameter-counts.md"), "\(run.stdout)")
        #expect(run.stdout.contains("missing: errata.md"))
        #expect(run.stdout.contains("extra:   notes.md"))
    }

    @Test func regeneratingRepairsTheCopy() throws {
        let docs = try copyOfDocs()
        defer { try? FileManager.default.removeItem(at: docs.deletingLastPathComponent()) }
        // A hand edit below the generated marker is repaired; a page without the marker is not
        // lora-docs' to overwrite (see `DocsFolderSafetyTests.foreignMarkdownIsRefused`).
        let readme = docs.appendingPathComponent("README.md")
        try (String(contentsOf: readme, encoding: .utf8) + "edited\n").write(to: readme, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: docs.appendingPathComponent("figures/ch02-trainable-share.svg"))
        let write = try runProduct("lora-docs", ["--root", Products.packageRoot.path, "--docs-dir", docs.path, "--chapters", "2"])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(try check(docs: docs, chapters: "02").status == 0)
        // The pages of chapters left out were neither rewritten nor removed.
        #expect(FileManager.default.fileExists(atPath: docs.appendingPathComponent("10-training.md").path))
    }

    @Test func aChunkWithoutCellIsRejected() throws {
        let root = try Products.temporaryDirectory("bad-chapter")
        defer { try? FileManager.default.removeItem(at: root) }
        let chapter = root.appendingPathComponent("Chapters/99-bad")
        try FileManager.default.createDirectory(at: chapter, withIntermediateDirectories: true)
        try "// swift-tools-version:6.0\n".write(to: root.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try """
            import Notebook
            /*:
            # 99 · Bad
            */
            print("no cell")
            """.write(to: chapter.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        let run = try check(docs: root.appendingPathComponent("docs"), root: root)
        #expect(run.status == 1)
        #expect(run.stderr.contains("Chapters/99-bad/main.swift:5: a code chunk must start with cell()"), "\(run.stderr)")
    }

    @Test func anOpenHideBlockStopsTheGenerator() throws {
        let root = try Products.temporaryDirectory("open-hide")
        defer { try? FileManager.default.removeItem(at: root) }
        let chapter = root.appendingPathComponent("Chapters/99-open")
        try FileManager.default.createDirectory(at: chapter, withIntermediateDirectories: true)
        try "// swift-tools-version:6.0\n".write(to: root.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try """
            import Notebook
            /*:
            # 99 · Open
            */
            cell()
            //- hide
            print("plumbing")
            /*:
            More prose.
            */
            """.write(to: chapter.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        let run = try check(docs: root.appendingPathComponent("docs"), root: root)
        #expect(run.status == 1)
        #expect(run.stderr.contains("Chapters/99-open/main.swift:6: hide block '//- hide' is not closed"), "\(run.stderr)")
    }
}
