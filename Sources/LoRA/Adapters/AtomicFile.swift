import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old contents or the new, never a mix.
///
/// ```
/// write bytes → "<dir>/.<name>.tmp-<pid>-<n>"  then  rename(temp, "<dir>/<name>")
/// ```
/// `rename(2)` within one directory (one file system) replaces the destination atomically. On
/// any failure the temporary file is removed and the destination is left as it was.
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `url` with `bytes`.
    /// - Throws: ``SafetensorsError`` of kind ``SafetensorsError/Kind/io`` naming the file.
    public static func write(_ bytes: [UInt8], to url: URL) throws(SafetensorsError) {
        let directory = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        let temp = directory.appendingPathComponent(".\(name).tmp-\(getpid())-\(nextCounter())")
        do {
            try Data(bytes).write(to: temp, options: [.withoutOverwriting])
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw SafetensorsError(file: name, kind: .io, problem: "cannot write the temporary file \(temp.lastPathComponent) (\(error.localizedDescription))")
        }
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw SafetensorsError(file: name, kind: .io, problem: "cannot move the new file into place (\(reason))")
        }
    }

    private static let counter = Counter()
    private static func nextCounter() -> Int { counter.next() }

    /// A process-wide counter so two writes in the same process never share a temp name.
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
