import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old contents or the new, never a mix, and so
/// that the new contents are on disk before they replace the old.
///
/// ```
/// sweep  "<dir>/.<name>.tmp-<pid>-<n>" whose writer is gone: nobody holds its flock
/// write  bytes → "<dir>/.<name>.tmp-<pid>-<n>", flock(LOCK_EX) held from creation to rename, fsync
/// rename(temp, "<dir>/<name>"), fsync <dir>
/// ```
/// `rename(2)` within one directory (one file system) replaces the destination atomically. On
/// any failure the temporary file is removed and the destination is left as it was; a process
/// killed mid-write leaves its temporary file, which the next write of the same name removes.
/// Whether a writer is gone is asked of its lock, not of the process id in the name: a process
/// id may belong to another PID namespace (a container sharing the folder).
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `url` with `bytes`.
    /// - Throws: ``SafetensorsError`` of kind ``SafetensorsError/Kind/io`` naming the file and its full path.
    public static func write(_ bytes: [UInt8], to url: URL) throws(SafetensorsError) {
        let directory = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        sweepStaleTemporaries(of: name, in: directory)
        let temp = directory.appendingPathComponent(TemporaryName.make(for: name, kind: "tmp"))
        let lock: Int32
        do {
            lock = try FileSystemSync.writeNewFile(bytes, to: temp.path, keepingLock: true)
        } catch {
            throw SafetensorsError(file: name, path: url.path, kind: .io,
                                   problem: "cannot write the temporary file \(temp.path): \(error.reason)")
        }
        defer { close(lock) }  // held until the temporary is renamed (or removed)
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp.path)
            throw SafetensorsError(file: name, path: url.path, kind: .io, problem: "cannot move the new file into place (\(reason))")
        }
        FileSystemSync.syncFolder(directory.path)
    }

    /// Removes `.<name>.tmp-<pid>-<n>` files in `directory` whose writer is gone (their lock
    /// can be taken).
    static func sweepStaleTemporaries(of name: String, in directory: URL) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for entry in entries where TemporaryName.owner(of: entry, for: name, kind: "tmp") != nil {
            let path = directory.appendingPathComponent(entry).path
            let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(fd)
        }
    }
}

/// Names of temporary entries: `.<target>.<kind>-<pid>-<n>`, so that a later run can tell its own
/// leftovers (and whether their writer still runs) from anything else in the folder.
enum TemporaryName {
    /// A fresh name for a temporary beside `target`.
    static func make(for target: String, kind: String) -> String {
        ".\(target).\(kind)-\(getpid())-\(counter.next())"
    }

    /// The writer's process id when `entry` is a temporary of `kind` for `target`, else nil.
    static func owner(of entry: String, for target: String, kind: String) -> Int32? {
        let prefix = ".\(target).\(kind)-"
        guard entry.hasPrefix(prefix) else { return nil }
        let parts = entry.dropFirst(prefix.count).split(separator: "-")
        guard parts.count == 2, let pid = Int32(parts[0]), Int(parts[1]) != nil else { return nil }
        return pid
    }

    private static let counter = Counter()

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
