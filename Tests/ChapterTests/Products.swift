import Foundation

/// Where the built executables and the package live, for tests that run programs.
///
/// The chapter and tool executables are built into the same products directory as the test
/// bundle (`.build/<triple>/debug` under `swift test`; ChapterTests depends on them in
/// Package.swift so they are always built first). On Linux the test bundle is an executable
/// (`…/LoRAByCodePackageTests.xctest`); on macOS it is a bundle found in `Bundle.allBundles`.
/// `LORA_PRODUCTS_DIR` overrides both.
enum Products {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["LORA_PRODUCTS_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The package root, three levels above this file (Tests/ChapterTests/Products.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// What a finished program left behind.
struct Finished {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built executable `name` with `arguments` in the package root. Its figures go to a
/// temporary directory (never into docs/), and docs mode is off unless `environment` turns it on.
func runProduct(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> Finished {
    let scratch = try Products.temporaryDirectory("chapter-test")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = Products.directory.appendingPathComponent(name)
    process.arguments = arguments
    process.currentDirectoryURL = Products.packageRoot
    var env = ProcessInfo.processInfo.environment
    env["LORA_DOCS_CELLS"] = nil
    env["LORA_FIGURES_DIR"] = scratch.appendingPathComponent("figures").path
    env.merge(environment) { $1 }
    process.environment = env
    let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return Finished(status: process.terminationStatus,
                    stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                    stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
}
