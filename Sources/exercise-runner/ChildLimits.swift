import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the runner does to itself before any learner code runs: a memory limit, and dying
/// with the checker that started it.
enum ChildLimits {
    /// Ends this process when `parent` (the checker) ends, however it ends.
    ///
    /// ```
    /// Linux   prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills us when the parent dies
    /// always  a watchdog thread: exit when getppid() is no longer `parent` (checked every 0.2 s)
    /// ```
    /// The runner also stays in the checker's process group, so Ctrl-C reaches both.
    static func dieWith(parent: Int32) {
        #if os(Linux)
        // prctl is variadic in <sys/prctl.h>, so Swift does not import it; on Linux's calling
        // conventions a call through this fixed-argument type passes the same registers.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        if let symbol = dlsym(nil, "prctl") {
            let setParentDeathSignal: Int32 = 1  // PR_SET_PDEATHSIG
            _ = unsafeBitCast(symbol, to: Prctl.self)(setParentDeathSignal, UInt(SIGKILL), 0, 0, 0)
        }
        #endif
        if getppid() != parent { exit(3) }  // the checker died before the signal was armed
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            _exit(3)
        }
    }

    /// Limits this process's address space to `bytes` (setrlimit RLIMIT_AS, soft and hard), so an
    /// allocation beyond it fails instead of growing until the machine's OOM killer acts.
    static func limitAddressSpace(to bytes: Int) {
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        #if os(Linux)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        #else
        _ = setrlimit(RLIMIT_AS, &limit)
        #endif
    }

    /// Limits the size of any file this process writes to `bytes` (RLIMIT_FSIZE, soft and hard):
    /// a stub that fills the disk gets an error (SIGXFSZ is ignored) instead of succeeding.
    static func limitFileSize(to bytes: Int) {
        signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        #if os(Linux)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        #else
        _ = setrlimit(RLIMIT_FSIZE, &limit)
        #endif
    }

    /// Writes every byte to file descriptor `fd` (ignoring failures: the checker reports a
    /// missing verdict itself).
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// The nonce the checker wrote into `fd` (at most 64 bytes); the descriptor is closed, so
    /// the learner's code cannot read it.
    static func readNonce(from fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 64)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
        close(fd)
        return String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
