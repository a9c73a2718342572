import Foundation

/// A chart that renders itself as a complete, deterministic SVG document.
///
/// Kinds: ``LinePlot``, ``BarChart``, ``Histogram``, ``HeatMap``, ``Diagram``. Build one, then
/// `figure.save(as: "ch04-trainable")` writes `<figures directory>/ch04-trainable.svg`.
public protocol Figure {
    /// The title drawn at the top, also the image's alt text on a page.
    var title: String { get }
    /// The whole SVG document (same bytes for the same figure).
    func svg() -> String
}

/// How a legend entry shows its series.
enum LegendSwatch {
    /// A filled box (bars).
    case box
    /// A solid line.
    case line
    /// A dashed line.
    case dashed
}

/// The frame shared by the x–y charts: title, plot area, axes with ticks and labels, legend.
///
/// A title wider than the canvas wraps onto more lines (the plot area moves down); legend
/// names wrap at spaces to at most ``Frame/legendTextWidth`` (estimated by ``TextMetrics``),
/// and the legend column is as wide as its widest line.
struct Frame {
    static let width = 640.0
    static let height = 400.0
    static let titleSize = 15.0, legendSize = 11.0
    /// The widest a legend line may be before it wraps.
    static let legendTextWidth = 170.0
    let left = 78.0, bottom = 56.0
    let top: Double
    let right: Double
    let titleLines: [String]
    let legendLines: [[String]]
    var plotWidth: Double { Frame.width - left - right }
    var plotHeight: Double { Frame.height - top - bottom }

    /// A frame for `title` with room on the right for a legend of `legend` entries (none if empty).
    init(title: String, legend: [String]) {
        titleLines = TextMetrics.wrap(title, maxWidth: Frame.width - 20, size: Frame.titleSize)
        top = 40 + 18 * Double(titleLines.count - 1)
        legendLines = legend.map { TextMetrics.wrap($0, maxWidth: Frame.legendTextWidth, size: Frame.legendSize) }
        let widest = legendLines.joined().map { TextMetrics.width($0, size: Frame.legendSize) }.max() ?? 0
        right = legend.isEmpty ? 20 : 14 + 24 + widest + 8
    }

    func x(_ fraction: Double) -> Double { left + fraction * plotWidth }
    func y(_ fraction: Double) -> Double { top + (1 - fraction) * plotHeight }

    /// Draws title, grid, both axes' ticks and labels, and the axis names.
    /// - Parameter xAxis: `nil` when the chart labels the x axis itself (bar categories).
    func draw(on svg: inout SVG, xLabel: String, yLabel: String, xAxis: Axis?, yAxis: Axis) {
        for (i, line) in titleLines.enumerated() {
            svg.text(line, Frame.width / 2, 24 + 18 * Double(i), anchor: .middle, size: Frame.titleSize, bold: true)
        }
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
        // Axis names centre on the plot area, moved in just enough to stay on the canvas.
        let xHalf = TextMetrics.width(xLabel, size: 12) / 2, yHalf = TextMetrics.width(yLabel, size: 12) / 2
        svg.text(xLabel, min(max(left + plotWidth / 2, xHalf + 4), Frame.width - xHalf - 4), Frame.height - 12, anchor: .middle, size: 12)
        svg.text(yLabel, 18, min(max(top + plotHeight / 2, yHalf + 4), Frame.height - yHalf - 4), anchor: .middle, size: 12, rotate: -90)
    }

    /// Draws the legend to the right of the plot area: per entry a swatch and its name's lines,
    /// in the order of `entries` (the names given to `init`, same order).
    func drawLegend(on svg: inout SVG, entries: [(color: String, swatch: LegendSwatch)]) {
        precondition(entries.count == legendLines.count, "legend: \(entries.count) swatches for \(legendLines.count) names")
        let x0 = left + plotWidth + 14
        var y0 = top + 8
        for (entry, lines) in zip(entries, legendLines) {
            switch entry.swatch {
            case .box: svg.rect(x0, y0 - 5, 18, 10, fill: entry.color)
            case .line: svg.line(x0, y0, x0 + 18, y0, stroke: entry.color, width: 2)
            case .dashed: svg.line(x0, y0, x0 + 18, y0, stroke: entry.color, width: 2, dash: "4 3")
            }
            for (i, line) in lines.enumerated() {
                svg.text(line, x0 + 24, y0 + 4 + 13 * Double(i), size: Frame.legendSize)
            }
            y0 += 18 + 13 * Double(lines.count - 1)
        }
    }
}
