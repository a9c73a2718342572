#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny command-line parser for chapters: `--help` and a few typed knobs.
///
/// ```swift
/// var options = Options(program: "ch02-parameter-counts", summary: "Counts LoRA parameters.")
/// let rank = options.int("rank", default: 8, "LoRA rank r", in: 1...65_536)
/// options.finish()   // --help: usage on stdout, exit 0; a bad value: message + usage on stderr, exit 2
/// ```
/// Knobs are written `--name value` or `--name=value`. Declare every knob, then call
/// ``finish()`` before using the values: until then a bad value reads as its default.
/// Tests call ``check()`` instead, which throws rather than exits.
public struct Options: Sendable {
    /// Why parsing stopped.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// `--help` or `-h` was given.
        case helpRequested
        /// One or more messages naming the argument and what was wrong.
        case invalid([String])

        /// The messages, one a line.
        public var description: String {
            switch self {
            case .helpRequested: "help requested"
            case .invalid(let messages): messages.joined(separator: "\n")
            }
        }
    }

    /// The program name shown in the usage line.
    public let program: String
    /// One line saying what the program does.
    public let summary: String
    private var remaining: [String: String] = [:]
    private var order: [String] = []
    private var errors: [String] = []
    private var helpRequested = false
    private var knobs: [Knob] = []

    /// One declared knob: its usage-line form and help, and its form on a docs page.
    private struct Knob: Sendable {
        /// `--name N`, as in the usage message.
        var usage: String
        /// The help line with type, range and default, as in the usage message.
        var help: String
        /// `--name default` (or `--name` for a flag, `--name TEXT` without a default).
        var shown: String
        /// The help line as declared.
        var summary: String
    }

    /// Parses `arguments` (default: the process's, without the program name) into `--name value` pairs.
    public init(program: String, summary: String,
                arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        self.program = program
        self.summary = summary
        // Swift replaces invalid UTF-8 in the process's arguments with U+FFFD, so a path given
        // with such bytes would name another file: refuse it.
        if arguments == Array(CommandLine.arguments.dropFirst()) {
            for index in Options.invalidUTF8Arguments() {
                errors.append("argument \(index) ('\(CommandLine.arguments[index])') is not valid UTF-8; give paths and values in UTF-8")
            }
        }
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "--help" || arg == "-h" { helpRequested = true; continue }
            guard arg.hasPrefix("--"), arg.count > 2 else {
                errors.append("unexpected argument '\(arg)' (knobs are written --name value)")
                continue
            }
            var name = String(arg.dropFirst(2))
            var value: String
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else if i < arguments.count, !arguments[i].hasPrefix("--") {
                value = arguments[i]
                i += 1
            } else {
                value = ""  // a flag, or a knob missing its value (checked when declared)
            }
            if remaining[name] != nil { errors.append("--\(name) given twice") }
            remaining[name] = value
            order.append(name)
        }
    }

    /// The positions (1 = the first after the program name) of this process's arguments whose
    /// bytes are not valid UTF-8 (`CommandLine.arguments` shows them repaired, as U+FFFD).
    public static func invalidUTF8Arguments() -> [Int] {
        (1..<Int(CommandLine.argc)).filter { i in
            guard let raw = CommandLine.unsafeArgv[i] else { return false }
            return String(validatingCString: raw) == nil
        }
    }

    /// Why `path` cannot be the folder a program writes its output into, or nil when it can:
    /// it exists and is not a folder (a file, `/dev/null`), a part of it is a file, it is not
    /// writable, or a symbolic link on it dangles or loops. A missing folder is fine when the
    /// nearest existing folder above it is writable (it will be created).
    /// - Complexity: a few `stat` and `access` calls; nothing is created.
    public static func outputFolderProblem(_ path: String) -> String? {
        var info = stat(), link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, stat(path, &info) != 0 {
            return "'\(path)' is a symbolic link to \(errno == ELOOP ? "itself (a loop)" : "a path that does not exist")"
        }
        var candidate = path
        while true {
            if stat(candidate, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    return candidate == path ? "'\(path)' exists and is not a folder" : "'\(candidate)' (on the path '\(path)') is not a folder"
                }
                guard access(candidate, W_OK | X_OK) == 0 else { return "'\(candidate)' is not writable" }
                return nil
            }
            guard errno == ENOENT else { return "'\(candidate)' cannot be used (\(String(cString: strerror(errno))))" }
            let parent = candidate.hasSuffix("/") ? String(candidate.dropLast()) : candidate
            guard let slash = parent.lastIndex(of: "/") else { candidate = "."; continue }
            candidate = slash == parent.startIndex ? "/" : String(parent[..<slash])
        }
    }

    /// Declares an integer knob and returns its value (or `default`).
    /// - Parameters:
    ///   - name: the knob without dashes, e.g. `"rank"`.
    ///   - default: the value when the knob is absent.
    ///   - help: one line for the usage message.
    ///   - range: allowed values; outside them is an error.
    public mutating func int(_ name: String, default: Int, _ help: String,
                             in range: ClosedRange<Int> = Int.min...Int.max) -> Int {
        let bounds = range == Int.min...Int.max ? "" : " in \(range.lowerBound)...\(range.upperBound)"
        knobs.append(Knob(usage: "--\(name) N", help: "\(help) (integer\(bounds); default \(`default`))",
                          shown: "--\(name) \(`default`)", summary: help))
        guard let text = remaining.removeValue(forKey: name) else { return `default` }
        guard let value = Int(text), range.contains(value) else {
            errors.append("--\(name) expects an integer\(bounds), got '\(text)'")
            return `default`
        }
        return value
    }

    /// Declares a real-valued knob and returns its value (or `default`).
    public mutating func double(_ name: String, default: Double, _ help: String,
                                in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) -> Double {
        let open = range == -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        let bounds = open ? "" : " in \(range.lowerBound)...\(range.upperBound)"
        knobs.append(Knob(usage: "--\(name) X", help: "\(help) (number\(bounds); default \(`default`))",
                          shown: "--\(name) " + Options.shown(`default`), summary: help))
        guard let text = remaining.removeValue(forKey: name) else { return `default` }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            errors.append("--\(name) expects a number\(bounds), got '\(text)'")
            return `default`
        }
        return value
    }

    /// Declares a text knob (a path, a name) and returns its value, or `default`.
    public mutating func string(_ name: String, default: String? = nil, _ help: String) -> String? {
        knobs.append(Knob(usage: "--\(name) TEXT", help: help + (`default`.map { " (default \($0))" } ?? ""),
                          shown: "--\(name) " + (`default` ?? "TEXT"), summary: help))
        guard let text = remaining.removeValue(forKey: name) else { return `default` }
        guard !text.isEmpty else {
            errors.append("--\(name) needs a value")
            return `default`
        }
        return text
    }

    /// Declares an on/off flag (`--name`, no value) and returns whether it was given.
    public mutating func flag(_ name: String, _ help: String) -> Bool {
        knobs.append(Knob(usage: "--\(name)", help: help, shown: "--\(name)", summary: help))
        guard let text = remaining.removeValue(forKey: name) else { return false }
        if !text.isEmpty { errors.append("--\(name) takes no value, got '\(text)'") }
        return true
    }

    /// `x` as a reader types it: `16` rather than `16.0`, otherwise Swift's shortest form.
    static func shown(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }

    /// The usage message: summary, usage line and one line per knob.
    public var usage: String {
        var lines = [summary, "", "usage: \(program) [options]", "", "options:"]
        let width = knobs.map(\.usage.count).max().map { max($0, 10) } ?? 10
        for knob in knobs { lines.append("  " + pad(knob.usage, width) + "  " + knob.help) }
        lines.append("  " + pad("--help", width) + "  show this message")
        return lines.joined(separator: "\n")
    }

    /// One Markdown line naming every declared knob with its default and help, for a docs page
    /// in place of the declarations, e.g. "Knobs: `--rank 8` — LoRA rank r; `--seed 2` — seed of
    /// every random draw. `swift run ch05-scaling --help` lists them with their ranges." Empty with no
    /// knobs.
    public var knobSummary: String {
        guard !knobs.isEmpty else { return "" }
        let items = knobs.map { "`\($0.shown)` — \($0.summary)" }
        return "Knobs: " + items.joined(separator: "; ") + ". `swift run \(program) --help` lists them with their ranges."
    }

    /// Throws ``Problem/helpRequested`` for `--help`, or ``Problem/invalid(_:)`` listing bad
    /// values and unknown knobs. Call after declaring every knob.
    public func check() throws(Problem) {
        if helpRequested { throw .helpRequested }
        let unknown = order.filter { remaining[$0] != nil }.map { "unknown option --\($0)" }
        let all = errors + unknown
        if !all.isEmpty { throw .invalid(all) }
    }

    /// Reports a problem found after parsing (e.g. two knobs that do not fit together) with the
    /// usage on standard error, and exits 2.
    public func fail(_ message: String) -> Never {
        Notebook.warn("\(program): \(message)\n\n\(usage)")
        exit(2)
    }

    /// Runs ``check()``: on `--help` prints the usage and exits 0; on a problem prints it and the
    /// usage to standard error and exits 2. In docs mode (``Notebook/isDocsMode``) it then prints
    /// ``knobSummary`` as Markdown, so a page shows the knobs' defaults from their declarations
    /// (which it can hide) instead of the declarations themselves.
    public func finish() {
        Notebook.prepareOutput()
        do {
            try check()
            if Notebook.isDocsMode && !knobs.isEmpty { Notebook.markdown(knobSummary, plain: knobSummary) }
        } catch .helpRequested {
            print(usage)
            exit(0)
        } catch {
            Notebook.warn("\(program): \(error)\n\n\(usage)")
            exit(2)
        }
    }
}
