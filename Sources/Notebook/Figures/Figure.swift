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
