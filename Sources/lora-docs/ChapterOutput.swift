import Notebook

/// What a chapter printed in docs mode, split per code chunk (see the contract in main.swift).
struct ChapterOutput {
    /// One piece of a chunk's output.
    enum Piece: Equatable {
        /// Plain lines, shown in a fenced text block.
        case text([String])
        /// Raw Markdown (a table), shown as is.
        case markdown(String)
        /// A figure file in the figures directory and its title.
        case figure(file: String, title: String)
    }

    /// Output pieces per chunk index.
    private(set) var pieces: [Int: [Piece]] = [:]

    /// Splits `stdout` at the markers.
    /// - Throws: ``ChapterSource/Problem`` when output comes before the first `cell()`, a marker
    ///   names a line outside every chunk, or cells run out of order (a `cell()` in a loop or a
    ///   function, or a chunk run twice).
    init(stdout: String, source: ChapterSource) throws {
        let path = "Chapters/\(source.name)/main.swift"
        var current: Int?
        var markdown: [String]?
        var text: [String] = []
        func flushText() {
            guard let current, !text.isEmpty else { text = []; return }
            pieces[current, default: []].append(.text(text))
            text = []
        }
        var lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if var block = markdown {
                if line == Notebook.Marker.markdownEnd {
                    if let current { pieces[current, default: []].append(.markdown(block.joined(separator: "\n"))) }
                    markdown = nil
                } else {
                    block.append(line)
                    markdown = block
                }
                continue
            }
            if line.hasPrefix(Notebook.Marker.cell) {
                flushText()
                guard let number = Int(line.dropFirst(Notebook.Marker.cell.count)),
                      let chunk = source.chunk(containing: number) else {
                    throw ChapterSource.Problem(description: "\(path): cell marker '\(line.dropFirst())' is not inside a code chunk")
                }
                if let current, chunk <= current {
                    throw ChapterSource.Problem(description: "\(path):\(number): cell() ran again or out of order; call it once, at top level, first in its chunk")
                }
                current = chunk
                continue
            }
            guard current != nil else {
                throw ChapterSource.Problem(description: "\(path): printed '\(line)' before the first cell()")
            }
            if line == Notebook.Marker.markdownBegin {
                flushText()
                markdown = []
            } else if line.hasPrefix(Notebook.Marker.figure) {
                flushText()
                let fields = line.dropFirst(Notebook.Marker.figure.count).split(separator: "\t", maxSplits: 1).map(String.init)
                pieces[current!, default: []].append(.figure(file: fields[0], title: fields.count > 1 ? fields[1] : fields[0]))
            } else {
                text.append(line)
            }
        }
        if markdown != nil {
            throw ChapterSource.Problem(description: "\(path): a Markdown block was never closed")
        }
        flushText()
    }

    /// The pieces printed by chunk `index` (empty if it printed nothing).
    func pieces(ofChunk index: Int) -> [Piece] { pieces[index] ?? [] }
}
