import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where figures go.
///
/// ```
/// $LORA_FIGURES_DIR set      that folder (lora-docs sets it to the docs' figures folder)
/// docs mode, not set         <package root>/docs/figures
/// a reader running a chapter <package root>/.build/figures   (never docs/: knobs change figures)
/// no package root found      <temporary folder>/lora-figures
/// ```
/// The package root is the nearest folder holding `Package.swift` and `Chapters/`, looked for
/// upwards from the chapter's executable (which SwiftPM builds inside the package), then from
/// the current directory. So running a chapter from any folder never creates a stray
/// `docs/figures` there, and ``Figure/save(as:)`` prints the full path of what it wrote.
public enum Figures {
    /// The environment variable that overrides the figures directory.
    public static let directoryVariable = "LORA_FIGURES_DIR"

    /// The folder figures are written to (see the table above).
    public static var directory: String {
        if let value = ProcessInfo.processInfo.environment[directoryVariable], !value.isEmpty { return value }
        guard let root = packageRoot else {
            return FileManager.default.temporaryDirectory.appendingPathComponent("lora-figures").path
        }
        return root.appendingPathComponent(Notebook.isDocsMode ? "docs/figures" : ".build/figures").path
    }

    /// The package root found from the executable's location or the current directory, if any.
    static var packageRoot: URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        #if os(Linux)
        let actual = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        let actual = Bundle.main.executableURL ?? executable
        #endif
        for start in [actual.deletingLastPathComponent(), executable.deletingLastPathComponent(),
                      URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            if let root = packageRoot(above: start) { return root }
        }
        return nil
    }

    /// The nearest folder at or above `start` holding `Package.swift` and `Chapters/`.
    static func packageRoot(above start: URL) -> URL? {
        var directory = start.standardizedFileURL
        let fm = FileManager.default
        while true {
            if fm.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: directory.appendingPathComponent("Chapters").path) { return directory }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }
}

extension Figure {
    /// Writes the SVG to `path` atomically (a temporary file in the same directory, then a rename),
    /// creating the directory if needed.
    /// - Throws: the file system's error, naming the path.
    public func write(toFile path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(svg(), to: url)
    }

    /// Saves the figure as `<Figures.directory>/<name>.svg` and prints one line with its full
    /// path (in docs mode: a marker that becomes an image on the page).
    ///
    /// A figure that cannot be written is reported on standard error and ends the program with
    /// exit status 1: a chapter cannot go on pretending it drew something.
    /// - Parameter name: the file name without `.svg`; prefix it with the chapter, e.g. `ch04-…`.
    /// - Returns: the path written.
    @discardableResult
    public func save(as name: String) -> String {
        precondition(!name.contains("/") && !name.isEmpty, "figure name '\(name)' must be a plain file name")
        Notebook.prepareOutput()
        let fileName = name + ".svg"
        let path = URL(fileURLWithPath: Figures.directory).appendingPathComponent(fileName).standardizedFileURL.path
        do {
            try write(toFile: path)
        } catch {
            Notebook.warn("error: cannot write figure \(path): \(error.localizedDescription)")
            exit(1)
        }
        if Notebook.isDocsMode {
            print(Notebook.Marker.figure + fileName + "\t" + title)
        } else {
            print("figure: \(path) (\(title))")
        }
        return path
    }
}

/// Writes `text` to `url` through a temporary file in the same directory and a rename, so a
/// reader never sees a half-written file.
///
/// ```
/// sweep ".<name>.<pid>-<n>.tmp" of processes that no longer run
/// write ".<name>.<our pid>-<n>.tmp"   (removed again if the write fails, e.g. on a full disk)
/// rename it to <name>
/// ```
/// - Throws: the file system's error, naming the path.
public func writeAtomically(_ text: String, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let name = url.lastPathComponent
    TemporaryFiles.sweep(for: name, in: directory)
    let temporary = directory.appendingPathComponent(TemporaryFiles.name(for: name))
    do {
        try Data(text.utf8).write(to: temporary)
    } catch {
        unlink(temporary.path)
        throw CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: url.path,
            NSLocalizedDescriptionKey: "cannot write \(temporary.path) (\(error.localizedDescription)); the partial file was removed",
        ])
    }
    // rename(2) replaces the destination atomically.
    guard rename(temporary.path, url.path) == 0 else {
        let code = errno
        unlink(temporary.path)
        throw CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: url.path,
            NSLocalizedDescriptionKey: "cannot rename \(temporary.path) to \(url.path): \(String(cString: strerror(code)))",
        ])
    }
}

/// Names of `writeAtomically`'s temporary files, `.<name>.<pid>-<n>.tmp`, and the sweep of those
/// left by processes that were killed mid-write.
enum TemporaryFiles {
    private static let counter = Counter()

    static func name(for target: String) -> String {
        ".\(target).\(getpid())-\(counter.next()).tmp"
    }

    /// Removes `.<target>.<pid>[-<n>].tmp` files in `directory` whose process no longer runs.
    static func sweep(for target: String, in directory: URL) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        let prefix = ".\(target).", suffix = ".tmp"
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(suffix) && entry.count > prefix.count + suffix.count {
            let middle = entry.dropFirst(prefix.count).dropLast(suffix.count)
            guard let pid = pid_t(middle.split(separator: "-").first ?? ""), middle.allSatisfy({ $0.isNumber || $0 == "-" }) else { continue }
            if kill(pid, 0) != 0, errno == ESRCH { unlink(directory.appendingPathComponent(entry).path) }
        }
    }

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
