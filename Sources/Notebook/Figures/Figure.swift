import Foundation

/// A chart that renders itself as a complete, deterministic SVG document.
///
/// Kinds: ``LinePlot``, ``BarChart``, ``Histogram``, ``HeatMap``. Build one, then
/// `figure.save(as: "ch04-trainable")` writes `<figures directory>/ch04-trainable.svg`.
public protocol Figure {
    /// The title drawn at the top, also the image's alt text on a page.
    var title: String { get }
    /// The whole SVG document (same bytes for the same figure).
    func svg() -> String
}

/// Where figures go.
public enum Figures {
    /// The environment variable that overrides the figures directory.
    public static let directoryVariable = "LORA_FIGURES_DIR"

    /// `$LORA_FIGURES_DIR` if set and non-empty, else `docs/figures` (relative to the current
    /// directory, which is the package root under `swift run`).
    public static var directory: String {
        if let value = ProcessInfo.processInfo.environment[directoryVariable], !value.isEmpty { return value }
        return "docs/figures"
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

    /// Saves the figure as `<Figures.directory>/<name>.svg` and prints one line pointing at it
    /// (in docs mode: a marker that becomes an image on the page).
    ///
    /// A figure that cannot be written is reported on standard error and ends the program with
    /// exit status 1: a chapter cannot go on pretending it drew something.
    /// - Parameter name: the file name without `.svg`; prefix it with the chapter, e.g. `ch04-…`.
    /// - Returns: the path written.
    @discardableResult
    public func save(as name: String) -> String {
        precondition(!name.contains("/") && !name.isEmpty, "figure name '\(name)' must be a plain file name")
        let fileName = name + ".svg"
        let path = (Figures.directory as NSString).appendingPathComponent(fileName)
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
/// - Throws: the file system's error, naming the path.
public func writeAtomically(_ text: String, to url: URL) throws {
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    try Data(text.utf8).write(to: temporary)
    // rename(2) replaces the destination atomically.
    guard rename(temporary.path, url.path) == 0 else {
        let code = errno
        try? FileManager.default.removeItem(at: temporary)
        throw CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: url.path,
            NSLocalizedDescriptionKey: "cannot rename \(temporary.path) to \(url.path): \(String(cString: strerror(code)))",
        ])
    }
}

/// The frame shared by the x–y charts: title, plot area, axes with ticks and labels, legend.
struct Frame {
    static let width = 640.0
    static let height = 400.0
    let left = 78.0, top = 40.0, bottom = 56.0
    let right: Double
    var plotWidth: Double { Frame.width - left - right }
    var plotHeight: Double { Frame.height - top - bottom }

    /// A frame with room on the right for a legend of `legend` entries (none if empty).
    init(legend: [String]) {
        let longest = legend.map(\.count).max() ?? 0
        right = legend.isEmpty ? 20 : min(200, 44 + Double(longest) * 6.5)
    }

    func x(_ fraction: Double) -> Double { left + fraction * plotWidth }
    func y(_ fraction: Double) -> Double { top + (1 - fraction) * plotHeight }

    /// Draws title, grid, both axes' ticks and labels, and the axis names.
    /// - Parameter xAxis: `nil` when the chart labels the x axis itself (bar categories).
    func draw(on svg: inout SVG, title: String, xLabel: String, yLabel: String, xAxis: Axis?, yAxis: Axis) {
        svg.text(title, Frame.width / 2, 24, anchor: .middle, size: 15, bold: true)
        for tick in yAxis.ticks {
            let f = yAxis.fraction(tick)
            guard f >= -1e-9 && f <= 1 + 1e-9 else { continue }
            svg.line(left, y(f), left + plotWidth, y(f), stroke: "#e5e5e5")
            svg.line(left - 5, y(f), left, y(f))
            svg.text(yAxis.label(tick), left - 8, y(f) + 4, anchor: .end, size: 11)
        }
        if let xAxis {
            for tick in xAxis.ticks {
                let f = xAxis.fraction(tick)
                guard f >= -1e-9 && f <= 1 + 1e-9 else { continue }
                svg.line(x(f), top, x(f), top + plotHeight, stroke: "#f0f0f0")
                svg.line(x(f), top + plotHeight, x(f), top + plotHeight + 5)
                svg.text(xAxis.label(tick), x(f), top + plotHeight + 18, anchor: .middle, size: 11)
            }
        }
        svg.line(left, top + plotHeight, left + plotWidth, top + plotHeight)
        svg.line(left, top, left, top + plotHeight)
        svg.text(xLabel, left + plotWidth / 2, Frame.height - 12, anchor: .middle, size: 12)
        svg.text(yLabel, 18, top + plotHeight / 2, anchor: .middle, size: 12, rotate: -90)
    }

    /// Draws legend entries (a colour swatch and a name each) to the right of the plot area.
    func drawLegend(on svg: inout SVG, entries: [(name: String, color: String, dashed: Bool)]) {
        let x0 = left + plotWidth + 14
        for (i, entry) in entries.enumerated() {
            let y0 = top + 8 + Double(i) * 18
            if entry.dashed {
                svg.line(x0, y0, x0 + 18, y0, stroke: entry.color, width: 2, dash: "4 3")
            } else {
                svg.rect(x0, y0 - 5, 18, 10, fill: entry.color)
            }
            svg.text(entry.name, x0 + 24, y0 + 4, size: 11)
        }
    }
}
