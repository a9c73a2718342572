import ChildProcess
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
typealias Finished = ChildProcess.Finished

/// Runs the built executable `name` with `arguments` in the package root. Its figures go to a
/// temporary directory (never into docs/), and docs mode is off unless `environment` turns it on.
func runProduct(_ name: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> Finished {
    let scratch = try Products.temporaryDirectory("chapter-test")
    defer { try? FileManager.default.removeItem(at: scratch) }
    var env: [String: String?] = ["LORA_DOCS_CELLS": nil, "LORA_FIGURES_DIR": scratch.appendingPathComponent("figures").path]
    for (key, value) in environment { env[key] = value }
    return try ChildProcess.run(Products.directory.appendingPathComponent(name), arguments: arguments, in: Products.packageRoot, environment: env)
}

/// Runs blocking `work` on a thread of its own and awaits it. Swift Testing runs tests on the
/// few threads of Swift's cooperative pool (one per core); a test that blocks one of them for
/// minutes (a chapter, the docs check) would stall every test that awaits meanwhile, such as
/// the exit tests, past their time limits on a two-core machine.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

/// A chapter run shared by several tests: started by the first test that asks, on a thread of
/// its own (see ``offThePool(_:)``), and awaited by every test that asks.
final class OnceRun: @unchecked Sendable {
    private let lock = NSLock()
    private let work: @Sendable () -> Finished?
    private var result: Finished??
    private var waiting: [CheckedContinuation<Finished?, Never>] = []

    init(_ work: @escaping @Sendable () -> Finished?) { self.work = work }

    /// The run's result (nil when it could not be started).
    var value: Finished? {
        get async {
            await withCheckedContinuation { continuation in
                lock.lock()
                if let result {
                    lock.unlock()
                    continuation.resume(returning: result)
                    return
                }
                waiting.append(continuation)
                let first = waiting.count == 1
                lock.unlock()
                guard first else { return }
                Thread.detachNewThread { [self] in
                    let finished = work()
                    lock.lock()
                    result = .some(finished)
                    let all = waiting
                    waiting = []
                    lock.unlock()
                    for waiter in all { waiter.resume(returning: finished) }
                }
            }
        }
    }
}
