import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file opened for reading, refused with a plain reason when the path is anything else.
///
/// ```
/// stat(path)        missing, a directory, a FIFO, a device, a socket, a symlink loop → refused
/// open(O_NONBLOCK)  a FIFO swapped in after the stat cannot block the open
/// fstat(fd)         the file opened is still a regular file; its size is what we read against
/// ```
/// Foundation's `Data(contentsOf:)` reads `/dev/zero` until memory runs out, blocks on a FIFO,
/// and describes a directory as "error 256"; this type says what the path is instead.
final class RegularFile {
    /// The open file descriptor.
    let descriptor: Int32
    /// The file's size in bytes when it was opened.
    let size: Int
    /// The path as given, for messages.
    let path: String

    /// Why a path could not be opened or read, in words that name what the path is.
    struct Problem: Error {
        /// A sentence part such as "it is a directory, not a regular file" or "there is no such file".
        var reason: String
    }

    /// Opens `url` for reading after checking that it is a regular file (a symbolic link to one
    /// is fine).
    init(openingForReading url: URL) throws(Problem) {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else { throw Problem(reason: Self.describe(errno: errno, path: path)) }
        if let what = Self.nonRegularKind(info.st_mode) { throw Problem(reason: "it is \(what), not a regular file") }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(reason: Self.describe(errno: errno, path: path)) }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else {
            let code = errno
            close(fd)
            throw Problem(reason: Self.describe(errno: code, path: path))
        }
        if let what = Self.nonRegularKind(opened.st_mode) {
            close(fd)
            throw Problem(reason: "it is \(what), not a regular file")
        }
        descriptor = fd
        size = Int(opened.st_size)
        self.path = path
    }

    deinit { close(descriptor) }

    /// Reads exactly `count` bytes at `offset` into `buffer`.
    /// - Throws: when the file ends early (it shrank since it was opened) or a read fails.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(Problem) {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Problem(reason: "cannot read at byte \(offset + done) (\(String(cString: strerror(errno))))")
            }
            if n == 0 {
                throw Problem(reason: "the file ended at byte \(offset + done) while reading; it changed while being read")
            }
            done += n
        }
    }

    /// Why ``wholeFile(at:maximumSize:)`` read nothing.
    enum WholeFileProblem: Error {
        /// The file holds more than the caller's limit (its size in bytes); nothing was read.
        case tooLarge(size: Int)
        /// The path is not a readable regular file, or a read failed.
        case unreadable(Problem)
    }

    /// The whole of a small regular file (a config, an index), refused from its size before
    /// reading when it holds more than `maximumSize` bytes: the one way configs are read.
    static func wholeFile(at url: URL, maximumSize: Int) throws(WholeFileProblem) -> [UInt8] {
        let file: RegularFile
        do { file = try RegularFile(openingForReading: url) } catch { throw .unreadable(error) }
        guard file.size <= maximumSize else { throw .tooLarge(size: file.size) }
        do { return try file.bytes(at: 0, count: file.size) } catch { throw .unreadable(error) }
    }

    /// `count` bytes at `offset`.
    func bytes(at offset: Int, count: Int) throws(Problem) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        try read(into: &result, at: offset)
        return result
    }

    /// Fills `array`'s storage with the file's bytes at `offset` (as many bytes as the array holds).
    func read<Element: BitwiseCopyable>(into array: inout [Element], at offset: Int) throws(Problem) {
        var failure: Problem?
        array.withUnsafeMutableBytes { buffer in
            do throws(Problem) { try read(into: buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// "a directory", "a named pipe (FIFO)", … for anything that is not a regular file, else nil.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a named pipe (FIFO)"
        case S_IFCHR: "a character device (such as /dev/zero)"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file (mode \(String(mode, radix: 8)))"
        }
    }

    /// A reason for a failed `stat`/`open`, naming what the path is where `errno` alone would not.
    static func describe(errno code: Int32, path: String) -> String {
        switch code {
        case ENOENT:
            let parent = (path as NSString).deletingLastPathComponent
            var info = stat()
            if !parent.isEmpty, stat(parent, &info) != 0 { return "there is no such file (the folder \(parent) does not exist)" }
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK { return "it is a symbolic link to a path that does not exist" }
            return "there is no such file"
        case ELOOP: return "it is a symbolic link loop (too many levels of symbolic links)"
        case EACCES: return "permission denied"
        case ENOTDIR: return "a part of the path is not a folder"
        case ENAMETOOLONG: return "the path is too long"
        default: return String(cString: strerror(code))
        }
    }
}

/// Small POSIX steps the atomic writers need: flush a file or a folder to disk, write a new file
/// under a lock.
enum FileSystemSync {
    /// `fsync` on the folder at `path`, so that renames and new entries in it survive a power
    /// loss. Failures are ignored: some file systems do not support syncing a folder.
    static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Writes `bytes` to a new file at `path` (which must not exist), flushes it to disk, closes it.
    /// - Throws: the reason as text; a partly written file is removed.
    static func writeNewFile(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(RegularFile.Problem) {
        _ = try writeNewFile(bytes, to: path, mode: mode, keepingLock: false)
    }

    /// ``writeNewFile(_:to:mode:)`` that takes `flock(LOCK_EX)` on the new file before writing
    /// and, with `keepingLock`, returns a descriptor that still holds it (the caller closes it
    /// once the file is renamed), so a sweeper can tell a live temporary from a dead one.
    /// Without `keepingLock` the returned descriptor is -1.
    static func writeNewFile(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, keepingLock: Bool) throws(RegularFile.Problem) -> Int32 {
        _ = fileSizeSignalIgnored
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RegularFile.Problem(reason: RegularFile.describe(errno: errno, path: path)) }
        _ = flock(fd, LOCK_EX)
        let lock = keepingLock ? dup(fd) : -1
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno == EFBIG
                        ? "cannot write: file too large (this process's file-size limit, `ulimit -f`, is \(fileSizeLimit))"
                        : "cannot write (\(String(cString: strerror(errno))))"
                    return
                }
                done += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot flush to disk (\(String(cString: strerror(errno))))" }
        if close(fd) != 0, failure == nil { failure = "cannot close (\(String(cString: strerror(errno))))" }
        if let failure {
            unlink(path)
            if lock >= 0 { close(lock) }
            throw RegularFile.Problem(reason: failure)
        }
        return lock
    }

    /// Set once, before the first write: `SIGXFSZ` ignored, unless the program installed its own
    /// handler. A write beyond the file-size limit (`ulimit -f`, `RLIMIT_FSIZE`) then fails with
    /// `EFBIG`, which is reported as "file too large", instead of the signal killing the process.
    private static let fileSizeSignalIgnored: Void = {
        var current = sigaction()
        guard sigaction(SIGXFSZ, nil, &current) == 0 else { return }
        #if os(Linux)
        let isDefault = current.__sigaction_handler.sa_handler == nil
        #else
        let isDefault = current.__sigaction_u.__sa_handler == nil
        #endif
        if isDefault { signal(SIGXFSZ, SIG_IGN) }
    }()

    /// This process's file-size limit in bytes, as text.
    private static var fileSizeLimit: String {
        var limit = rlimit()
        #if os(Linux)
        let got = getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        #else
        let got = getrlimit(RLIMIT_FSIZE, &limit)
        #endif
        guard got == 0, limit.rlim_cur != MemoryBudget.unlimited else { return "unknown" }
        return "\(limit.rlim_cur) bytes"
    }
}
