#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar that redraws itself on a terminal and is silent otherwise.
///
/// ```swift
/// let bar = ProgressBar(total: steps, label: "training")
/// for step in 1...steps { …; bar.update(step, note: "loss \(fmt(loss, 4))") }
/// bar.finish()
/// ```
/// It draws only when standard output is a terminal (`isatty(1)`), so a captured run (a docs
/// page, a test, a pipe) contains no trace of it. It redraws only when the visible text
/// changes, so calling ``update(_:note:)`` every step is cheap.
public final class ProgressBar {
    /// Steps in the whole job.
    public let total: Int
    /// Text before the bar.
    public let label: String
    /// Characters in the bar.
    public let width: Int
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var lastDrawn = ""
    private var drewSomething = false

    /// A bar on standard output, drawn only if standard output is a terminal.
    public convenience init(total: Int, label: String = "", width: Int = 30) {
        self.init(total: total, label: label, width: width, isTerminal: isatty(STDOUT_FILENO) != 0) { text in
            writeAll(STDOUT_FILENO, text)
        }
    }

    /// A bar writing through `write` when `isTerminal` is true (tests inject both).
    public init(total: Int, label: String, width: Int, isTerminal: Bool, write: @escaping (String) -> Void) {
        precondition(total > 0, "ProgressBar total must be positive, got \(total)")
        self.total = total
        self.label = label
        self.width = max(1, width)
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Shows `done` of `total` steps, with an optional note after the bar.
    public func update(_ done: Int, note: String = "") {
        guard isTerminal else { return }
        let clamped = min(max(done, 0), total)
        let filled = clamped * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = (label.isEmpty ? "" : label + " ") + "[" + bar + "] "
            + String(clamped * 100 / total) + "%" + (note.isEmpty ? "" : "  " + note)
        guard line != lastDrawn else { return }
        // \r returns to the line start; ESC[K clears what a longer previous line left behind.
        write("\r" + line + "\u{1B}[K")
        lastDrawn = line
        drewSomething = true
    }

    /// Erases the bar so the next output starts on a clean line.
    public func finish() {
        guard isTerminal, drewSomething else { return }
        write("\r\u{1B}[K")
        lastDrawn = ""
        drewSomething = false
    }
}
