import Foundation

/// The markers that keep a chapter's plumbing (knob declarations, table bookkeeping,
/// optimisation barriers) off its page while it still compiles and runs:
///
/// ```swift
/// let table = Table(columns: ["r", "loss"])   // hide
/// //- hide
/// var options = Options(program: "ch02-parameter-counts", summary: "…")
/// let rank = options.int("rank", default: 8, "LoRA rank r")
/// options.finish()
/// //- show
/// ```
///
/// A code line ending in `// hide` is left out of the page's listing; so is every line from a
/// `//- hide` line through the next `//- show` line (both markers included). A hide block
/// closes within its code chunk: prose or the end of the file while it is open is an error, as
/// are a `//- show` with nothing open, a second `//- hide` inside an open block and any other
/// `//-` line (a mistyped marker would otherwise show on the page).
enum HideMarker {
    /// The suffix that hides one line.
    static let lineSuffix = "// hide"
    /// The line that opens a hide block.
    static let begin = "//- hide"
    /// The line that closes a hide block.
    static let end = "//- show"
    /// The prefix of every block marker (any other line starting with it is a typo).
    static let blockPrefix = "//-"
}

/// The source lines hidden by ``HideMarker``s, collected while a chapter is read line by line.
struct HiddenLines {
    /// The chapter's path, for messages.
    let path: String
    /// The 1-based numbers of the lines to leave out of the page.
    private(set) var lines: Set<Int> = []
    /// The line of the `//- hide` whose block is open, if any.
    private var openedAt: Int?

    init(path: String) {
        self.path = path
    }

    /// Records code line `number`.
    mutating func code(_ line: String, at number: Int) throws {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix(HideMarker.blockPrefix) {
            switch text {
            case HideMarker.begin:
                if let openedAt {
                    throw ChapterSource.Problem(description: "\(path):\(number): '\(HideMarker.begin)' inside the hide block opened at line \(openedAt); close it with '\(HideMarker.end)' first")
                }
                openedAt = number
            case HideMarker.end:
                guard openedAt != nil else {
                    throw ChapterSource.Problem(description: "\(path):\(number): '\(HideMarker.end)' without an open '\(HideMarker.begin)'")
                }
                openedAt = nil
            default:
                throw ChapterSource.Problem(description: "\(path):\(number): unknown marker '\(text)'; the markers are '\(HideMarker.begin)' and '\(HideMarker.end)' on lines of their own")
            }
            lines.insert(number)
        } else if openedAt != nil || text.hasSuffix(HideMarker.lineSuffix) {
            lines.insert(number)
        }
    }

    /// Prose starts at line `number`: a hide block must not be open.
    func prose(at number: Int) throws {
        if let openedAt {
            throw ChapterSource.Problem(description: "\(path):\(openedAt): hide block '\(HideMarker.begin)' is not closed with '\(HideMarker.end)' before the prose at line \(number)")
        }
    }

    /// The file ended: a hide block must not be open.
    func end() throws {
        if let openedAt {
            throw ChapterSource.Problem(description: "\(path):\(openedAt): hide block '\(HideMarker.begin)' is never closed with '\(HideMarker.end)'")
        }
    }
}
