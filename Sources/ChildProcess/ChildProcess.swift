import Foundation

/// Running another program of the package and collecting what it printed: the one runner that
/// `tour`, `lora-docs`, the exercise checker's build step and the tests share.
///
/// Output goes through temporary files, not pipes, so a child that prints megabytes cannot
/// block on a full pipe while the parent waits for it to exit. Standard input is `/dev/null`.
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
            process.waitUntilExit()
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
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
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

    private static func start(_ process: Process, _ executable: URL) throws {
        do { try process.run() } catch { throw StartFailure(path: executable.path, reason: error.localizedDescription) }
    }
}
