import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Running another program of the package and collecting what it printed: the one runner that
/// `tour`, `lora-docs`, the exercise checker's build step and the tests share.
///
/// Output goes through temporary files, not pipes, so a child that prints megabytes cannot
/// block on a full pipe while the parent waits for it to exit. Standard input is `/dev/null`.
///
/// The child runs in its own process group (Foundation's `Process` puts it there), so Ctrl-C at
/// the terminal reaches only this process: while a child runs, SIGINT, SIGTERM and SIGHUP are
/// forwarded to the child's whole group, the child is waited for, and ``run(_:arguments:in:environment:passThrough:)``
/// then throws ``Interrupted`` (after removing its scratch files), so no chapter or `swift build`
/// is left running and the caller can clean up before exiting.
public enum ChildProcess {
    /// What a finished program left behind.
    public struct Finished: Sendable, Equatable {
        /// The exit status, or the signal number when ``exitedNormally`` is false.
        public let status: Int32
        /// Whether the program exited (rather than being killed by a signal).
        public let exitedNormally: Bool
        /// Its standard output (empty when it was passed through).
        public let stdout: String
        /// Its standard error (empty when it was passed through).
        public let stderr: String

        /// Exited with status 0.
        public var succeeded: Bool { exitedNormally && status == 0 }

        /// A result (for callers that run programs another way, e.g. through a shell).
        public init(status: Int32, exitedNormally: Bool = true, stdout: String, stderr: String) {
            self.status = status
            self.exitedNormally = exitedNormally
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `executable` with `arguments` in `directory` (the current one when nil), with this
    /// process's environment plus `environment` (a `nil` value removes a variable), and waits.
    ///
    /// - Parameter passThrough: give the child this process's standard output and error instead
    ///   of capturing them (the tour shows chapters live).
    /// - Throws: when the program cannot be started (the message names it).
    public static func run(_ executable: URL, arguments: [String] = [], in directory: URL? = nil,
                           environment: [String: String?] = [:], passThrough: Bool = false) throws -> Finished {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        if passThrough {
            try start(process, executable)
            waitForwardingSignals(process)
            if let signal = SignalForwarding.takeReceived() { throw Interrupted(signal: signal) }
            return Finished(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit, stdout: "", stderr: "")
        }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("lora-child-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        try start(process, executable)
        waitForwardingSignals(process)
        try outHandle.close()
        try errHandle.close()
        if let signal = SignalForwarding.takeReceived() { throw Interrupted(signal: signal) }
        return Finished(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
                        stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                        stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// A start failure, naming the program.
    public struct StartFailure: Error, CustomStringConvertible {
        /// The program's path.
        public let path: String
        /// Why it did not start.
        public let reason: String
        public var description: String { "cannot start \(path): \(reason)" }
    }

    /// The run was stopped by a signal this process received (Ctrl-C, SIGTERM, SIGHUP); the
    /// signal was forwarded to the child's process group and the child has exited.
    public struct Interrupted: Error, CustomStringConvertible {
        /// The signal received.
        public let signal: Int32
        /// The exit status a shell reports for a process ended by this signal: 128 + signal.
        public var exitStatus: Int32 { 128 + signal }
        public var description: String { "interrupted by signal \(signal)" }
    }

    /// Waits for `process`, forwarding SIGINT, SIGTERM and SIGHUP to its process group meanwhile.
    private static func waitForwardingSignals(_ process: Process) {
        SignalForwarding.begin(group: process.processIdentifier)
        process.waitUntilExit()
        SignalForwarding.end()
    }

    private static func start(_ process: Process, _ executable: URL) throws {
        do { try process.run() } catch { throw StartFailure(path: executable.path, reason: reason(error)) }
    }

    /// Foundation reports a failed spawn as a generic Cocoa error; the POSIX error beneath it
    /// (ETXTBSY, EACCES, ENOEXEC, …) is what tells the user why.
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}

/// The signal handlers that pass Ctrl-C and termination on to a child's process group.
///
/// ```
/// begin(group)   remember the group; SIGINT, SIGTERM, SIGHUP → handler (old actions saved)
/// handler(sig)   record sig; kill(-group, sig)             (async-signal-safe calls only)
/// end()          restore the old actions
/// ```
/// The exercise checker uses it too, around the check processes it spawns itself.
public enum SignalForwarding {
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    nonisolated(unsafe) static var group: pid_t = 0
    nonisolated(unsafe) static var received: Int32 = 0
    nonisolated(unsafe) static var saved: [sigaction] = []

    /// Starts forwarding to the process group `child` (a child that leads its own group).
    public static func begin(group child: pid_t) {
        group = child
        saved = signals.map { signal in
            var action = sigaction(), old = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = { SignalForwarding.forward($0) }
            #else
            action.__sigaction_u.__sa_handler = { SignalForwarding.forward($0) }
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, &old)
            return old
        }
        // A signal that came before the handlers were in place would have ended this process;
        // one that comes now is forwarded.
    }

    static func forward(_ signal: Int32) {
        received = signal
        if group > 0 { kill(-group, signal) }
    }

    /// Stops forwarding; the previous signal actions are back.
    public static func end() {
        group = 0
        for (signal, var old) in zip(signals, saved) { sigaction(signal, &old, nil) }
        saved = []
    }

    /// The signal received during the last run, if any (cleared).
    public static func takeReceived() -> Int32? {
        defer { received = 0 }
        return received == 0 ? nil : received
    }
}
