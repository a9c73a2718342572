import Foundation

/// A chapter's source split into prose and code chunks (see the contract in main.swift).
struct ChapterSource {
    /// A piece of the file, in order.
    enum Segment: Equatable {
        /// Markdown prose (from `/*: … */` blocks and `//:` lines).
        case prose(String)
        /// Code shown on the page, with the 1-based source lines it spans (`cell()` lines and
        /// lines hidden with ``HideMarker`` left out of `text`).
        case code(index: Int, lines: ClosedRange<Int>, text: String)
    }

    /// The chapter's directory name, e.g. `02-parameter-counts`.
    let name: String
    /// The segments after the first prose block (code before it, the imports, is not shown).
    let segments: [Segment]
    /// The text of the first `# ` heading, used as the page title.
    let title: String

    /// Why a chapter source does not follow the contract.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `text`, the contents of `Chapters/<name>/main.swift`.
    /// - Throws: ``Problem`` naming the file and line: an unterminated prose block, a code chunk
    ///   that does not start with `cell()`, a second `cell()` in a chunk, a hide block that is
    ///   not closed before the next prose or the end of the file, a `//- show` with no open hide
    ///   block, an unknown `//-` marker, or no `# ` title.
    init(name: String, text: String) throws {
        self.name = name
        let path = "Chapters/\(name)/main.swift"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var raw: [(isProse: Bool, start: Int, lines: [String])] = []
        func append(_ isProse: Bool, _ lineNumber: Int, _ line: String) {
            if let last = raw.last, last.isProse == isProse {
                raw[raw.count - 1].lines.append(line)
            } else {
                raw.append((isProse, lineNumber, [line]))
            }
        }
        var hidden = HiddenLines(path: path)
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("/*:") || line.hasPrefix("//:") { try hidden.prose(at: i + 1) }
            if line.hasPrefix("/*:") {
                let opening = i + 1
                var body = String(line.dropFirst(3))
                while true {
                    if let end = body.range(of: "*/") {
                        let before = String(body[..<end.lowerBound])
                        if !before.trimmingCharacters(in: .whitespaces).isEmpty { append(true, i + 1, before) }
                        break
                    }
                    if !body.trimmingCharacters(in: .whitespaces).isEmpty || i + 1 != opening { append(true, i + 1, body) }
                    i += 1
                    guard i < lines.count else {
                        throw Problem(description: "\(path):\(opening): prose block /*: is never closed with */")
                    }
                    body = lines[i]
                }
                // A blank separator between adjacent prose blocks.
                append(true, i + 1, "")
            } else if line.hasPrefix("//:") {
                var body = String(line.dropFirst(3))
                if body.hasPrefix(" ") { body.removeFirst() }
                append(true, i + 1, body)
            } else {
                try hidden.code(line, at: i + 1)
                append(false, i + 1, line)
            }
            i += 1
        }
        try hidden.end()

        var segments: [Segment] = []
        var title: String?
        var seenProse = false
        var chunkIndex = 0
        for block in raw {
            if block.isProse {
                seenProse = true
                let prose = ChapterSource.trimBlankLines(block.lines).joined(separator: "\n")
                if title == nil, let heading = block.lines.first(where: { $0.hasPrefix("# ") }) {
                    title = String(heading.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                }
                if !prose.isEmpty { segments.append(.prose(prose)) }
                continue
            }
            guard seenProse else { continue }  // imports before the first prose block
            let meaningful = block.lines.enumerated().filter {
                let t = $0.element.trimmingCharacters(in: .whitespaces)
                return !t.isEmpty && !t.hasPrefix("//")
            }
            guard let first = meaningful.first else { continue }  // only comments: no chunk
            let cellLines = meaningful.filter { ChapterSource.isCellCall($0.element) }
            guard ChapterSource.isCellCall(first.element) else {
                throw Problem(description: "\(path):\(block.start + first.offset): a code chunk must start with cell() (found '\(first.element.trimmingCharacters(in: .whitespaces))')")
            }
            if cellLines.count > 1 {
                throw Problem(description: "\(path):\(block.start + cellLines[1].offset): a second cell() in one chunk; put prose between cells")
            }
            let kept = block.lines.enumerated().filter {
                !ChapterSource.isCellCall($0.element) && !hidden.lines.contains(block.start + $0.offset)
            }.map(\.element)
            let shown = ChapterSource.trimBlankLines(ChapterSource.collapsingBlankRuns(kept))
            let range = block.start...(block.start + block.lines.count - 1)
            segments.append(.code(index: chunkIndex, lines: range, text: shown.joined(separator: "\n")))
            chunkIndex += 1
        }
        guard let title else { throw Problem(description: "\(path): no '# ' title in the prose") }
        self.segments = segments
        self.title = title
    }

    /// The chunk index whose lines contain `line`, if any.
    func chunk(containing line: Int) -> Int? {
        for case let .code(index, lines, _) in segments where lines.contains(line) { return index }
        return nil
    }

    /// Number of code chunks.
    var chunkCount: Int { segments.reduce(0) { if case .code = $1 { $0 + 1 } else { $0 } } }

    /// True for a line that is a bare `cell()` / `cell("…")` call.
    static func isCellCall(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("cell(") && t.hasSuffix(")")
    }

    /// `lines` with every run of blank lines (left where hidden lines were) cut to one.
    static func collapsingBlankRuns(_ lines: [String]) -> [String] {
        var result: [String] = []
        for line in lines {
            let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
            if blank, let last = result.last, last.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            result.append(line)
        }
        return result
    }

    static func trimBlankLines(_ lines: [String]) -> [String] {
        let isBlank: (String) -> Bool = { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = lines.firstIndex(where: { !isBlank($0) }),
              let last = lines.lastIndex(where: { !isBlank($0) }) else { return [] }
        return Array(lines[first...last])
    }
}
