import Foundation

/// A table of strings with aligned columns: plain text on a terminal, Markdown on a page.
///
/// ```swift
/// var table = Table(columns: ["target", "r", "trainable"])
/// table.add("q, v", "8", grouped(4_194_304))
/// table.print()
/// ```
/// Plain text pads every column to its widest cell (two spaces between columns, a dashed rule
/// under the header), so every line has the same width. A column is right-aligned when every
/// body cell looks like a number (starts with a digit, or a sign or point followed by one);
/// pass an explicit ``Alignment`` to override.
public struct Table: Sendable {
    /// How a column's cells line up.
    public enum Alignment: Sendable {
        /// Left-aligned.
        case left
        /// Right-aligned (numbers).
        case right
        /// Right when every body cell looks numeric, else left.
        case automatic
    }

    /// A column header and its alignment. A string literal makes an automatic column.
    public struct Column: Sendable, ExpressibleByStringLiteral {
        /// The header text.
        public var title: String
        /// The alignment.
        public var alignment: Alignment
        /// A column titled `title`.
        public init(_ title: String, align alignment: Alignment = .automatic) {
            self.title = title
            self.alignment = alignment
        }
        /// An automatic column from a string literal.
        public init(stringLiteral value: String) { self.init(value) }
    }

    /// The columns.
    public let columns: [Column]
    /// The body rows; each has one cell per column.
    public private(set) var rows: [[String]] = []

    /// An empty table with these columns.
    public init(columns: [Column]) {
        precondition(!columns.isEmpty, "Table needs at least one column")
        self.columns = columns
    }

    /// Appends a row. Precondition: one cell per column.
    public mutating func add(_ cells: String...) { add(row: cells) }

    /// Appends a row. Precondition: one cell per column.
    public mutating func add(row cells: [String]) {
        precondition(cells.count == columns.count,
                     "Table row has \(cells.count) cells but the table has \(columns.count) columns (\(columns.map(\.title)))")
        rows.append(cells)
    }

    /// Whether column `index` is right-aligned after resolving `.automatic`.
    public func isRightAligned(_ index: Int) -> Bool {
        switch columns[index].alignment {
        case .left: return false
        case .right: return true
        case .automatic:
            let cells = rows.map { $0[index] }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(Table.looksNumeric)
        }
    }

    /// The table as aligned plain text (no trailing newline).
    public func plainText() -> String {
        let widths = columns.indices.map { i in
            rows.reduce(columns[i].title.count) { max($0, $1[i].count) }
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { pad(cells[$0], widths[$0], right: isRightAligned($0)) }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(columns.map(\.title)), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// The table as a GitHub-flavoured Markdown table (no trailing newline).
    public func markdown() -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + columns.indices.map { isRightAligned($0) ? "---:|" : "---|" }.joined()
        return ([line(columns.map(\.title)), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// Prints the plain text, or the Markdown in docs mode (see ``Notebook``).
    public func print() {
        Notebook.markdown(markdown(), plain: plainText())
    }

    /// True for "12", "-3.5", "0.39%", "6,738,415,616", "1.2e-04", "4.50 GiB", ".5".
    static func looksNumeric(_ cell: String) -> Bool {
        var chars = Substring(cell)
        if chars.first == "-" || chars.first == "+" || chars.first == "−" { chars = chars.dropFirst() }
        if chars.first == "." { chars = chars.dropFirst() }
        return chars.first?.isASCII == true && chars.first?.isNumber == true
    }
}
