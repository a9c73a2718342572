import Foundation
import ChildProcess
import Testing

/// A path a chapter cannot write to is refused up front, with a message and exit status 2, not
/// a trap when the save throws (status 132, "Error raised at top level").
@Suite struct TopLevelErrorTests {
    @Test("ch12 --out on a file, a device, a path through a file or a dangling link: a message naming it and status 2",
          arguments: ["afile", "/dev/null", "afile/below", "dangling"])
    func outIsNotAFolder(_ out: String) throws {
        let dir = try Products.temporaryDirectory("ch12-bad-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("a file\n".utf8).write(to: dir.appendingPathComponent("afile"))
        #expect(symlink(dir.appendingPathComponent("nowhere").path, dir.appendingPathComponent("dangling").path) == 0)
        let path = out.hasPrefix("/") ? out : dir.appendingPathComponent(out).path
        let run = try runProduct("ch12-best-practice", ["--out", path, "--pretrain-steps", "1", "--steps", "1"])
        #expect(run.exitedNormally && run.status == 2, "status \(run.status), stderr: \(run.stderr)")
        #expect(run.stderr.hasPrefix("ch12-best-practice: --out: "), "\(run.stderr)")
        #expect(run.stderr.contains(out == "afile/below" ? dir.appendingPathComponent("afile").path : path), "\(run.stderr)")
        #expect(!run.stderr.contains("Error raised at top level"))
        #expect(try String(contentsOf: dir.appendingPathComponent("afile"), encoding: .utf8) == "a file\n")
    }
}

/// Arguments whose bytes are not UTF-8 are refused: Swift would show them repaired (U+FFFD),
/// and the repaired path names another folder.
@Suite struct InvalidUTF8ArgumentTests {
    /// Runs `product` through `sh`, with `--out`/a directory argument `<dir>/bad<0xFF>name`.
    func run(_ product: String, _ shellArguments: String, in dir: URL) throws -> Finished {
        try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"),
                             arguments: ["-c", "exec \"$1\" " + shellArguments, "sh",
                                         Products.directory.appendingPathComponent(product).path, dir.path])
    }

    @Test("ch12 --out and safetensors-interop write with invalid UTF-8 in the path are refused; nothing is created")
    func invalidPathBytes() throws {
        let dir = try Products.temporaryDirectory("bad-utf8")
        defer { try? FileManager.default.removeItem(at: dir) }
        let chapter = try run("ch12-best-practice", "--out \"$2/bad$(printf '\\377')name\" --pretrain-steps 1 --steps 1", in: dir)
        #expect(chapter.status == 2 && chapter.stderr.contains("is not valid UTF-8"), "\(chapter.status) \(chapter.stderr)")
        let interop = try run("safetensors-interop", "write \"$2/bad$(printf '\\377')name\"", in: dir)
        #expect(interop.status == 2 && interop.stderr.contains("is not valid UTF-8"), "\(interop.status) \(interop.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }
}
