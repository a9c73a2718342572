import Foundation

/// One chapter: a directory `Chapters/NN-name` with `main.swift`, built as `chNN-name`.
struct Chapter {
    /// The directory name, e.g. `04-parameter-counts`.
    let name: String
    /// The two-digit number, e.g. `04`.
    var number: String { String(name.prefix(2)) }
    /// The executable's name, e.g. `ch04-parameter-counts`.
    var executable: String { "ch" + name }
    /// The generated page's file name, e.g. `04-parameter-counts.md`.
    var pageName: String { name + ".md" }
    /// The source path relative to the package root.
    var sourcePath: String { "Chapters/\(name)/main.swift" }

    /// The chapters of the package at `root`, in order: every `Chapters/NN-name/main.swift`.
    /// This directory listing is the single list of chapters for the docs; Package.swift's
    /// `chapters` array must name the same directories (a missing executable says so).
    static func all(root: URL) throws -> [Chapter] {
        let directory = root.appendingPathComponent("Chapters")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { name in
            name.count > 3 && name.prefix(2).allSatisfy(\.isNumber) && name.dropFirst(2).first == "-"
                && FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("main.swift").path)
        }.sorted().map(Chapter.init(name:))
    }
}

/// The result of running a program to completion.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `executable` with `arguments` in `directory`, adding `environment` to this process's,
/// and collects its standard output and error (through temporary files, so neither pipe can fill).
func run(_ executable: URL, arguments: [String] = [], in directory: URL, environment: [String: String]) throws -> RunResult {
    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("lora-docs-run-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return RunResult(
        status: process.terminationStatus,
        stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}
