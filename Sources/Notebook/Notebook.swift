#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What chapters use to speak: cells, headings, Markdown-aware output, figures' directory.
///
/// The library never prints; a chapter prints through `print` and the helpers in this module.
///
/// ## The docs contract (read this before writing a chapter)
///
/// A chapter is `Chapters/NN-name/main.swift`. Prose is Markdown in `/*: … */` blocks and `//:`
/// lines that start in column 0; everything else is code. `swift run lora-docs` splits the file
/// at the prose into *code chunks* and shows, under each chunk, what that chunk printed.
///
/// 1. Every code chunk after the first prose block begins with `cell()` (or `cell("Heading")`,
///    which also prints the heading at a terminal) as its first statement.
///    (A chunk of only `import`s and comments needs none.) The generator checks this and names
///    the line when it is missing; it hides the `cell()` line on the page.
/// 2. When the environment variable `LORA_DOCS_CELLS=1` is set (lora-docs sets it), `cell()`
///    prints a marker line `U+001E "cell" <source line>`; the generator assigns everything printed
///    after it to the chunk containing that line. Without the variable nothing extra is printed,
///    so a reader running the chapter sees clean output.
/// 3. Output that has a Markdown form (``Table``, ``Notebook/markdown(_:plain:)``) prints the plain
///    text on a terminal and, in docs mode, the Markdown between two marker lines, which the page
///    shows as Markdown instead of inside the text block.
/// 4. Figures are saved with ``Figure/save(as:)`` into ``Figures/directory`` (`$LORA_FIGURES_DIR`
///    when lora-docs runs the chapter; `.build/figures` for a reader's run, so figures drawn with
///    other knobs never reach `docs/`); in docs mode the save prints a marker that becomes an
///    image link `![title](figures/NAME.svg)` on the page.
/// 5. Everything goes to standard output except usage errors and progress bars; standard error is
///    not captured into the page.
/// 6. Code lines ending in `// hide`, and blocks between `//- hide` and `//- show` lines, run
///    but are left out of the page's listing (plumbing: knob declarations, table bookkeeping).
///    In docs mode ``Options/finish()`` prints ``Options/knobSummary`` where the hidden knob
///    declarations were.
public enum Notebook {
    /// The environment variable that turns on docs mode when it is `"1"`.
    public static let cellsVariable = "LORA_DOCS_CELLS"

    /// Marker lines printed in docs mode. Each is a whole line starting with U+001E
    /// (the ASCII record separator), which no chapter prints by accident.
    public enum Marker {
        /// The first character of every marker line.
        public static let lead: Character = "\u{1E}"
        /// `lead + "cell " + line`: a code chunk starts; `line` is the `cell()` call's source line.
        public static let cell = "\u{1E}cell "
        /// Raw Markdown follows until ``markdownEnd``.
        public static let markdownBegin = "\u{1E}markdown-begin"
        /// Ends a raw Markdown block.
        public static let markdownEnd = "\u{1E}markdown-end"
        /// `lead + "figure " + fileName + "\t" + title`: a figure was saved in the figures directory.
        public static let figure = "\u{1E}figure "
    }

    /// True when `LORA_DOCS_CELLS=1`: the chapter is being run by `lora-docs`.
    public static let isDocsMode: Bool = {
        guard let value = getenv(cellsVariable) else { return false }
        return String(cString: value) == "1"
    }()

    /// Marks the start of a code chunk (see the docs contract above). Call it as `cell()` or
    /// `cell("Section title")`.
    /// - Parameters:
    ///   - heading: printed as a ``heading(_:)`` for a reader at the terminal (the page has the
    ///     prose heading instead); `nil` prints nothing.
    ///   - line: the caller's source line; leave the default.
    public static func cell(_ heading: String? = nil, line: Int = #line) {
        prepareOutput()
        if isDocsMode {
            print(Marker.cell + String(line))
        } else if let heading {
            self.heading(heading)
        }
    }

    /// Prints `plain` on a terminal, and `markdown` as raw Markdown on a docs page.
    public static func markdown(_ markdown: String, plain: String) {
        if isDocsMode {
            print(Marker.markdownBegin)
            print(markdown)
            print(Marker.markdownEnd)
        } else {
            print(plain)
        }
    }

    /// A heading for a reader at the terminal: a blank line, the title and a rule under it.
    ///
    /// Silent in docs mode, where the page's prose carries the headings.
    public static func heading(_ title: String) {
        guard !isDocsMode else { return }
        print("")
        print(title)
        print(String(repeating: "=", count: title.count))
    }

    /// Prints a message to standard error (never captured into a page).
    public static func warn(_ message: String) {
        var stream = StandardError()
        print(message, to: &stream)
    }
}

/// Marks the start of a code chunk: the first statement of every chunk after a prose block.
///
/// Prints a marker line only in docs mode (`LORA_DOCS_CELLS=1`); see ``Notebook``.
///
/// `cell("One matrix")` also prints "One matrix" as a heading when run at a terminal.
public func cell(_ heading: String? = nil, line: Int = #line) {
    Notebook.cell(heading, line: line)
}

/// A `TextOutputStream` that writes to standard error, unbuffered.
public struct StandardError: TextOutputStream {
    /// Creates the stream.
    public init() {}
    /// Writes `string` to file descriptor 2.
    public mutating func write(_ string: String) {
        writeAll(2, string)
    }
}

/// Writes every byte of `text` to file descriptor `fd`, after flushing buffered standard output
/// so that the two stay in order.
func writeAll(_ fd: Int32, _ text: String) {
    fflush(nil)
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written <= 0 { return }
        bytes = bytes.dropFirst(written)
    }
}
