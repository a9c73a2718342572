import Foundation
import Testing

/// `safetensors-interop` with a folder that is not there: a plain message and status 1, and
/// `write` does not create a whole missing path.
@Suite struct InteropArgumentsTests {
    @Test("read of a missing folder says so; write under a missing parent creates nothing")
    func missingFolders() throws {
        let dir = try Products.temporaryDirectory("interop-args")
        defer { try? FileManager.default.removeItem(at: dir) }
        let read = try runProduct("safetensors-interop", ["read", dir.appendingPathComponent("nonexistent").path])
        #expect(read.status == 1 && read.stderr.contains("is not a folder"), "\(read.stderr)")
        #expect(!read.stdout.contains("mismatch"), "\(read.stdout)")
        let write = try runProduct("safetensors-interop", ["write", dir.appendingPathComponent("a/b/c").path])
        #expect(write.status == 1 && write.stderr.contains("does not exist"), "\(write.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }
}
