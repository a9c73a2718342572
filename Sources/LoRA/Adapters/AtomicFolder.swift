import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a set of files inside a folder, one file at a time, without touching the folder
/// itself or anything else in it.
///
/// ```
/// 0 target   a symbolic link must lead to a folder (a dangling or looping link is refused);
///            a missing folder is created with its parents
/// 1 lock     flock(folder, LOCK_EX): one save at a time per folder, across processes and
///            containers (the kernel drops the lock when its holder dies)          (locked)
/// 2 sweep    every ".<file>.lora-new-…" and ".<file>.lora-previous" is a dead save's: remove (swept)
/// 3 write    each file → ".<file>.lora-new-<random>" (the old file's mode), fsync
///                                                           (firstWritten, allWritten)
/// 4 keep     hard-link each old file to ".<file>.lora-previous"                 (previousKept)
/// 5 rename   each temporary onto its file, in the order given; fsync the folder
///                                                           (firstInPlace, allInPlace)
/// 6 tidy     remove the ".lora-previous" links                                   (previousRemoved)
/// ```
/// The folder keeps its inode, owner, group, mode, setgid bit, ACLs and mount, so a private
/// (700) or group-shared (2770) folder, a mount point, a folder under a read-only parent and a
/// shell sitting inside it are all unaffected; files this save does not write are never opened,
/// moved or copied (a named pipe, an unreadable subfolder). A read-only folder makes the save
/// fail, leaving the folder as it was.
///
/// Each rename is atomic, but two renames are not one: between them the folder holds the new
/// first file beside the old second one. The caller makes that state detectable (the adapter
/// weights carry a hash of their config, see ``AdapterFiles``), so a reader sees the complete
/// old set, the complete new set, or a mix it recognises and retries; a crash between the
/// renames leaves that mix plus the old first file in its ".lora-previous" link, which the
/// reader names. What a crash leaves, by step:
/// - before 5: the old set, plus temporaries that the next save sweeps.
/// - between the renames: the detectable mix, and ".lora-previous" links to the old files.
/// - after 5: the new set (plus ".lora-previous" links until 6 ends).
///
/// Temporaries are recognised by name and swept only by a save that holds the folder's lock, so
/// a live save's files (another process, another PID namespace) are never removed: while its
/// owner runs, the lock is held; once the lock can be taken, every owner is gone.
enum AtomicFolder {
    /// The points a save passes, in order; tests stop a save after any of them.
    enum Step: String, CaseIterable, Sendable {
        case locked, swept, firstWritten, allWritten, previousKept, firstInPlace, allInPlace, previousRemoved
    }

    /// Test hook: called after each step (a test kills the process here). Never set outside tests.
    nonisolated(unsafe) static var afterStep: (@Sendable (Step) -> Void)?

    /// Why a replacement failed, in words naming the path.
    struct Problem: Error {
        var reason: String
    }

    /// The suffixes of our temporaries: `.<file>.lora-new-<random>` and `.<file>.lora-previous`.
    static let newKind = "lora-new", previousKind = "lora-previous"

    /// The name under which `file`'s previous version is kept while a save renames its files.
    static func previousName(of file: String) -> String { ".\(file).\(previousKind)" }

    /// Replaces `files` (name → bytes) in the folder `target`, creating it (and its parents) if
    /// needed, renaming them into place in the order given. Other entries in the folder are kept.
    static func replace(_ target: URL, with files: [(name: String, bytes: [UInt8])]) throws(Problem) {
        let folder = try prepareFolder(target.standardizedFileURL)
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(reason: "cannot open the folder \(folder.path) (\(RegularFile.describe(errno: errno, path: folder.path)))") }
        defer { close(fd) }
        // Without a lock (a file system that has none) a save never sweeps: it cannot know
        // whether another save is running.
        let locked = lockExclusively(fd)
        step(.locked)
        if locked { sweep(folder, names: files.map(\.name)) }
        step(.swept)

        var temporaries: [(name: String, path: String)] = []
        var placed = 0
        defer {
            for t in temporaries.dropFirst(placed) { unlink(t.path) }
        }
        for (index, file) in files.enumerated() {
            let destination = folder.appendingPathComponent(file.name).path
            var old = stat()
            let exists = lstat(destination, &old) == 0
            if exists, old.st_mode & S_IFMT != S_IFREG {
                throw Problem(reason: "\(destination) is \(RegularFile.nonRegularKind(old.st_mode) ?? "not a regular file"); it is left as it is and nothing was saved")
            }
            let temp = folder.appendingPathComponent(".\(file.name).\(newKind)-\(randomToken())").path
            do {
                try FileSystemSync.writeNewFile(file.bytes, to: temp, mode: exists ? old.st_mode & 0o7777 : 0o644)
            } catch {
                throw Problem(reason: "cannot write \(temp): \(error.reason)")
            }
            temporaries.append((file.name, temp))
            if exists {  // keep the owner and mode of the file being replaced, where allowed; the
                         // group follows the folder's rules (a setgid folder's group)
                _ = chown(temp, old.st_uid, gid_t.max)
                _ = chmod(temp, old.st_mode & 0o7777)
            }
            if index == 0 { step(.firstWritten) }
            if index == files.count - 1 { step(.allWritten) }
        }
        FileSystemSync.syncFolder(folder.path)

        var kept: [String] = []
        for file in files {
            let destination = folder.appendingPathComponent(file.name).path
            let previous = folder.appendingPathComponent(previousName(of: file.name)).path
            unlink(previous)
            if link(destination, previous) == 0 { kept.append(previous) }
        }
        step(.previousKept)

        for (index, t) in temporaries.enumerated() {
            let destination = folder.appendingPathComponent(t.name).path
            guard rename(t.path, destination) == 0 else {
                let reason = String(cString: strerror(errno))
                throw Problem(reason: "cannot move \(t.path) into place at \(destination) (\(reason))"
                              + (index > 0 ? "; the files before it were replaced, the previous ones are kept as .<name>.\(previousKind)" : ""))
            }
            placed = index + 1
            FileSystemSync.syncFolder(folder.path)
            if index == 0 { step(.firstInPlace) }
            if index == temporaries.count - 1 { step(.allInPlace) }
        }
        for previous in kept { unlink(previous) }
        FileSystemSync.syncFolder(folder.path)
        step(.previousRemoved)
    }

    /// The folder to save into: `target`, or the folder a symbolic link at `target` leads to,
    /// created with its parents when missing.
    /// - Throws: for a dangling or looping link, or a path that exists and is not a folder.
    private static func prepareFolder(_ target: URL) throws(Problem) -> URL {
        var link = stat()
        if lstat(target.path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
            var info = stat()
            guard stat(target.path, &info) == 0 else {
                let reason = errno == ELOOP ? "a symbolic link loop" : "a symbolic link to a path that does not exist"
                throw Problem(reason: "\(target.path) is \(reason); it is left as it is (save to the folder itself, or create the folder the link names)")
            }
        }
        var info = stat()
        if stat(target.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Problem(reason: "\(target.path) is \(RegularFile.nonRegularKind(info.st_mode) ?? "a file"), not a folder")
            }
            return target
        }
        guard errno == ENOENT else {
            throw Problem(reason: "cannot use the folder \(target.path) (\(RegularFile.describe(errno: errno, path: target.path)))")
        }
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        } catch {
            throw Problem(reason: "cannot create the folder \(target.path) (\(error.localizedDescription))")
        }
        return target
    }

    /// `flock(fd, LOCK_EX)`, waiting for another save to finish; false where locks are unsupported.
    private static func lockExclusively(_ fd: Int32) -> Bool {
        while true {
            if flock(fd, LOCK_EX) == 0 { return true }
            if errno != EINTR { return false }
        }
    }

    /// Removes the temporaries of earlier saves of `names` in `folder`; the caller holds the
    /// folder's lock, so their owners are gone.
    private static func sweep(_ folder: URL, names: [String]) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for entry in entries where names.contains(where: { isTemporary(entry, of: $0) }) {
            unlink(folder.appendingPathComponent(entry).path)
        }
    }

    /// Whether `entry` is one of our temporaries of the file `name`.
    static func isTemporary(_ entry: String, of name: String) -> Bool {
        entry == previousName(of: name) || entry.hasPrefix(".\(name).\(newKind)-")
    }

    /// 16 random hexadecimal digits: temporary names that no other writer, in any process or
    /// container, picks too.
    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func step(_ s: Step) { afterStep?(s) }
}
