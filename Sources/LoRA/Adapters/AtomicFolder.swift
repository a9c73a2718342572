import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a set of files in a folder as one unit: a reader (or a crash) sees the complete old
/// set or the complete new set, never a mix of the two and never neither.
///
/// ```
/// 1 sweep      leftovers of killed saves beside the target (see below)
/// 2 temporary  mkdir "<parent>/.<name>.lora-save-<pid>-<n>"; hard-link the target's other files into it
/// 3 write      each file: write, fsync                      (weightsWritten, configWritten)
/// 4 sync       fsync the temporary folder
/// 5 swap       Linux:     renameat2(temp, target, RENAME_EXCHANGE), fsync parent
///              elsewhere: rename(target, "<parent>/.<name>.lora-old-<pid>-<n>"), fsync parent,
///                         rename(temp, target), fsync parent
///              no target: rename(temp, target), fsync parent
/// 6 tidy       move files created in the old folder meanwhile into the new one; remove the old folder
/// ```
/// What a crash leaves, by step:
/// - before 5: the target holds the complete old set; a `.lora-save-` folder holds a partial or
///   complete new set, which the next save removes.
/// - after the exchange (Linux): the target holds the complete new set; the `.lora-save-` folder
///   now holds the old set and is removed by the next save.
/// - between the two renames (elsewhere): the target is missing; `.lora-old-` holds the complete
///   old set. ``AdapterFiles/read(from:dtypes:)`` reads it from there, and the next save moves it
///   back before saving.
/// - during 6: the target holds the complete new set; leftovers are removed by the next save.
///
/// Leftovers are recognised by their name pattern and the process id in it: entries whose
/// process no longer runs are swept, those of a running process are left alone.
enum AtomicFolder {
    /// The points a save passes, in order; tests stop a save after any of them.
    enum Step: String, CaseIterable, Sendable {
        case swept, temporaryCreated, weightsWritten, configWritten, synced
        case oldMovedAside, newInPlace, lateEntriesMoved, oldRemoved
    }

    /// How the old folder is replaced.
    enum Strategy: Sendable {
        /// One atomic exchange of the two folders (`renameat2(RENAME_EXCHANGE)`, Linux).
        case exchange
        /// Rename the old folder aside, then the new one into place (any POSIX system).
        case aside
    }

    /// Test hook: called after each step (a test kills the process here). Never set outside tests.
    nonisolated(unsafe) static var afterStep: (@Sendable (Step) -> Void)?
    /// Test hook: forces a strategy (to test the portable one on Linux).
    nonisolated(unsafe) static var forcedStrategy: Strategy?

    /// Why a replacement failed, in words naming the path.
    struct Problem: Error {
        var reason: String
    }

    /// The name patterns of our leftovers: `.<name>.lora-save-<pid>-<n>` and `.<name>.lora-old-<pid>-<n>`.
    static let saveKind = "lora-save", oldKind = "lora-old"

    /// Replaces `files` (name → bytes) in the folder `target`, creating it (and its parents) if
    /// needed. Other entries in the folder are kept.
    static func replace(_ target: URL, with files: [(name: String, bytes: [UInt8])]) throws(Problem) {
        var target = target.standardizedFileURL
        var link = stat()
        if lstat(target.path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK { target = target.resolvingSymlinksInPath() }
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw Problem(reason: "cannot create the folder \(parent.path) (\(error.localizedDescription))")
        }
        sweep(name, in: parent)
        step(.swept)

        var info = stat()
        let exists = stat(target.path, &info) == 0
        if exists, info.st_mode & S_IFMT != S_IFDIR {
            throw Problem(reason: "\(target.path) is \(RegularFile.nonRegularKind(info.st_mode) ?? "a file"), not a folder")
        }
        let temp = parent.appendingPathComponent(TemporaryName.make(for: name, kind: saveKind))
        guard mkdir(temp.path, 0o755) == 0 else {
            throw Problem(reason: "cannot create the temporary folder \(temp.path) (\(String(cString: strerror(errno))))")
        }
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(at: temp) } }
        step(.temporaryCreated)

        let names = Set(files.map(\.name))
        if exists { carryOver(from: target.path, to: temp.path, excluding: names) }
        for (index, file) in files.enumerated() {
            do {
                try FileSystemSync.writeNewFile(file.bytes, to: temp.appendingPathComponent(file.name).path)
            } catch {
                throw Problem(reason: "cannot write \(temp.appendingPathComponent(file.name).path): \(error.reason)")
            }
            step(index == 0 ? .weightsWritten : .configWritten)
        }
        FileSystemSync.syncFolder(temp.path)
        step(.synced)

        if !exists, rename(temp.path, target.path) == 0 {
            placed = true
            FileSystemSync.syncFolder(parent.path)
            step(.newInPlace)
            return
        }
        let old: URL
        if forcedStrategy != .aside, exchange(temp.path, target.path) {
            placed = true
            old = temp
            FileSystemSync.syncFolder(parent.path)
            step(.newInPlace)
        } else {
            old = parent.appendingPathComponent(TemporaryName.make(for: name, kind: oldKind))
            guard rename(target.path, old.path) == 0 else {
                throw Problem(reason: "cannot move the old folder \(target.path) aside (\(String(cString: strerror(errno))))")
            }
            FileSystemSync.syncFolder(parent.path)
            step(.oldMovedAside)
            guard rename(temp.path, target.path) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = rename(old.path, target.path)  // put the old folder back
                throw Problem(reason: "cannot move the new folder into place at \(target.path) (\(reason))")
            }
            placed = true
            FileSystemSync.syncFolder(parent.path)
            step(.newInPlace)
        }
        moveLateEntries(from: old.path, to: target.path, excluding: names)
        step(.lateEntriesMoved)
        try? FileManager.default.removeItem(at: old)
        step(.oldRemoved)
    }

    /// Where to read `target` from: itself, or, when it is missing because a save was killed
    /// between its two renames, the old folder that save moved aside.
    static func readableLocation(of target: URL) -> URL {
        var info = stat()
        guard lstat(target.path, &info) != 0, errno == ENOENT else { return target }
        let parent = target.deletingLastPathComponent()
        let name = target.lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        guard let aside = entries.sorted().first(where: { TemporaryName.owner(of: $0, for: name, kind: oldKind) != nil }) else {
            return target
        }
        return parent.appendingPathComponent(aside)
    }

    /// Removes the leftovers of killed saves of `name` in `parent`; a moved-aside old folder is
    /// first moved back when the target is missing.
    static func sweep(_ name: String, in parent: URL) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        let target = parent.appendingPathComponent(name)
        for entry in entries.sorted() {
            let path = parent.appendingPathComponent(entry)
            if let owner = TemporaryName.owner(of: entry, for: name, kind: oldKind), !FileSystemSync.processIsAlive(owner) {
                var info = stat()
                if lstat(target.path, &info) != 0, rename(path.path, target.path) == 0 {
                    FileSystemSync.syncFolder(parent.path)
                } else {
                    try? FileManager.default.removeItem(at: path)
                }
            } else if let owner = TemporaryName.owner(of: entry, for: name, kind: saveKind), !FileSystemSync.processIsAlive(owner) {
                try? FileManager.default.removeItem(at: path)
            }
        }
    }

    /// Swaps two paths atomically with Linux's `renameat2(…, RENAME_EXCHANGE)`; false where that
    /// is unavailable (other systems, old kernels, file systems without exchange).
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(nil, "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE in <linux/fs.h>
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        return renameat2(atCurrentDirectory, a, atCurrentDirectory, b, renameExchange) == 0
        #else
        return false
        #endif
    }

    private static func step(_ s: Step) { afterStep?(s) }

    /// Hard-links (or copies) every entry of `source` except `excluded` names and our own
    /// temporaries into `destination`, recursively.
    private static func carryOver(from source: String, to destination: String, excluding excluded: Set<String>) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: source) else { return }
        for entry in entries where !excluded.contains(entry) && !isTemporary(entry, of: excluded) {
            let from = (source as NSString).appendingPathComponent(entry)
            let to = (destination as NSString).appendingPathComponent(entry)
            var info = stat()
            guard lstat(from, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard mkdir(to, info.st_mode & 0o7777) == 0 else { continue }
                carryOver(from: from, to: to, excluding: [])
            case S_IFREG:
                if link(from, to) != 0 { try? FileManager.default.copyItem(atPath: from, toPath: to) }
            default:
                try? FileManager.default.copyItem(atPath: from, toPath: to)
            }
        }
    }

    /// Moves entries that appeared in the old folder after it was copied (absent from the new one).
    private static func moveLateEntries(from old: String, to new: String, excluding excluded: Set<String>) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: old) else { return }
        for entry in entries where !excluded.contains(entry) && !isTemporary(entry, of: excluded) {
            let to = (new as NSString).appendingPathComponent(entry)
            var info = stat()
            if lstat(to, &info) == 0 { continue }
            _ = rename((old as NSString).appendingPathComponent(entry), to)
        }
    }

    /// Whether `entry` is a temporary file of one of `names` (`.<name>.tmp-<pid>-<n>`, left by
    /// single-file atomic writes).
    private static func isTemporary(_ entry: String, of names: Set<String>) -> Bool {
        names.contains { TemporaryName.owner(of: entry, for: $0, kind: "tmp") != nil }
    }
}
