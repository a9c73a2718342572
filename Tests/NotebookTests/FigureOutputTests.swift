import Foundation
import Testing
@testable import Notebook

@Suite struct FigureOutputTests {
    @Test("writeAtomically removes the temporary files of writers that were killed")
    func staleTemporariesAreSwept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("figure-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2147483646 is above any pid the kernel hands out: that writer is gone.
        for name in [".a.svg.2147483646-3.tmp", ".a.svg.2147483646.tmp", ".b.svg.2147483646-1.tmp", ".a.svg.\(getpid())-999.tmp"] {
            try Data("partial".utf8).write(to: dir.appendingPathComponent(name))
        }
        try writeAtomically("<svg/>", to: dir.appendingPathComponent("a.svg"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
                == [".a.svg.\(getpid())-999.tmp", ".b.svg.2147483646-1.tmp", "a.svg"])
    }

    @Test("the package root is found from a folder inside it, and not from outside")
    func packageRootFromInside() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(Figures.packageRoot(above: root.appendingPathComponent("Chapters/02-parameter-counts"))?.path == root.standardizedFileURL.path)
        #expect(Figures.packageRoot(above: URL(fileURLWithPath: "/")) == nil)
    }
}
