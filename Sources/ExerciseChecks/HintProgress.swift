import Foundation

/// Which hint tier the learner last saw, per exercise: what `swift run exercises N --hint` uses
/// to show the next tier instead of the same one again.
///
/// Stored as text, one line per exercise, `<exercise> <tier>` (e.g. `5 2`), in
/// `.exercises/hint-tiers` at the package root (git-ignored; see ``HintStore``). A line that
/// does not parse is ignored, so a damaged file costs at most the tiers it recorded.
public struct HintProgress: Equatable, Sendable {
    /// Exercise number → the highest tier shown so far (1-based).
    public private(set) var lastShown: [Int: Int]

    /// Progress with the given tiers already shown (none by default).
    public init(lastShown: [Int: Int] = [:]) {
        self.lastShown = lastShown.filter { $0.value > 0 }
    }

    /// Parses the stored text; unreadable lines are skipped.
    public init(text: String) {
        var shown: [Int: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let exercise = Int(fields[0]), let tier = Int(fields[1]), tier > 0 else { continue }
            shown[exercise] = max(shown[exercise] ?? 0, tier)
        }
        self.init(lastShown: shown)
    }

    /// The stored text: one `<exercise> <tier>` line per exercise, in exercise order.
    public var text: String {
        lastShown.keys.sorted().map { "\($0) \(lastShown[$0]!)\n" }.joined()
    }

    /// The tier to show now for `exercise` (one past the last shown, at most `tierCount`), and
    /// records it as shown.
    public mutating func advance(_ exercise: Int, tierCount: Int) -> Int {
        let tier = min(max(1, (lastShown[exercise] ?? 0) + 1), max(1, tierCount))
        lastShown[exercise] = tier
        return tier
    }
}

/// Where ``HintProgress`` lives and how it is read and written.
public enum HintStore {
    /// The environment variable that overrides the state folder (the tests use a temporary one).
    public static let directoryVariable = "LORA_EXERCISES_STATE_DIR"
    /// The state folder's name at the package root (listed in `.gitignore`).
    public static let directoryName = ".exercises"
    /// The file inside it.
    public static let fileName = "hint-tiers"

    /// The state file: `$LORA_EXERCISES_STATE_DIR/hint-tiers` when set, else
    /// `<packageRoot>/.exercises/hint-tiers`.
    public static func file(packageRoot: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let directory = environment[directoryVariable].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent(directoryName)
        return directory.appendingPathComponent(fileName)
    }

    /// The progress stored at `url`; empty when the file is missing or unreadable.
    public static func load(from url: URL) -> HintProgress {
        guard let data = FileManager.default.contents(atPath: url.path) else { return HintProgress() }
        return HintProgress(text: String(decoding: data, as: UTF8.self))
    }

    /// Writes `progress` to `url` atomically (a temporary file in the same folder, then a
    /// rename), creating the folder if needed, so an interrupted write never leaves half a file.
    public static func save(_ progress: HintProgress, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(progress.text.utf8).write(to: url, options: .atomic)
    }
}
