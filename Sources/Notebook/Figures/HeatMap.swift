import Foundation

/// A small matrix drawn as coloured cells, with a colour bar.
///
/// ```swift
/// var map = HeatMap(title: "ΔW = B·A", values: delta.rowsAsArrays, xLabel: "in", yLabel: "out")
/// map.save(as: "ch01-delta")
/// ```
/// Values of both signs use a diverging scale (blue < 0 < red, white at 0, symmetric);
/// values of one sign use white → blue. Cells show their value when the matrix has at most
/// 12 × 12 entries.
public struct HeatMap: Figure {
    /// The title.
    public var title: String
    /// The matrix, row by row (row 0 at the top).
    public let values: [[Double]]
    /// The x axis name (columns).
    public var xLabel: String
    /// The y axis name (rows).
    public var yLabel: String
    /// Labels for the rows; default 0, 1, 2, …
    public var rowLabels: [String]
    /// Labels for the columns; default 0, 1, 2, …
    public var columnLabels: [String]
    /// Digits after the point in the cell annotations and colour-bar labels.
    public var digits = 2
    /// Whether cells show their value (default: at most 12 × 12 cells).
    public var annotates: Bool

    /// A heat map of `values`. Precondition: non-empty and rectangular.
    public init(title: String, values: [[Double]], xLabel: String = "column", yLabel: String = "row") {
        precondition(!values.isEmpty && !values[0].isEmpty, "heat map '\(title)' needs a non-empty matrix")
        precondition(values.allSatisfy { $0.count == values[0].count },
                     "heat map '\(title)': rows have different lengths \(Set(values.map(\.count)).sorted())")
        self.title = title
        self.values = values
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.rowLabels = values.indices.map(String.init)
        self.columnLabels = values[0].indices.map(String.init)
        self.annotates = values.count <= 12 && values[0].count <= 12
    }

    /// The colour of `value` on this map's scale, as `#rrggbb`.
    func color(_ value: Double, low: Double, high: Double) -> String {
        guard value.isFinite else { return "#bbbbbb" }
        func mix(_ t: Double, _ to: (Double, Double, Double)) -> String {
            let t = min(max(t, 0), 1)
            let rgb = [to.0, to.1, to.2].map { Int((255 + (Double($0) - 255) * t).rounded()) }
            return "#" + rgb.map { String(format: "%02x", $0) }.joined()
        }
        if low < 0 && high > 0 {
            let bound = max(-low, high)
            return value < 0 ? mix(-value / bound, (33, 102, 172)) : mix(value / bound, (178, 24, 43))
        }
        let span = high - low
        let t = span == 0 ? 1 : (low >= 0 ? (value - low) / span : (high - value) / span)
        return mix(t, (8, 69, 148))
    }

    /// The SVG document.
    public func svg() -> String {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let rows = Double(values.count), columns = Double(values[0].count)
        // Margins grow with the row labels (left), the colour-bar labels (right) and a title
        // that wraps onto more lines (top); the canvas is at least as wide as the title's lines.
        let titleLines = TextMetrics.wrap(title, maxWidth: 620, size: 15)
        let widestRowLabel = rowLabels.map { TextMetrics.width($0, size: 10) }.max() ?? 0
        let barLabels = [fmt(high, digits), fmt(low, digits)]
        let left = max(78, 36 + widestRowLabel + 12), top = 40 + 18 * Double(titleLines.count - 1), bottom = 56.0
        let right = max(110, 46 + (barLabels.map { TextMetrics.width($0, size: 10) }.max() ?? 0) + 8)
        let cell = min(max(1, 640 - left - right) / columns, (400 - 40 - bottom) / rows)
        let titleWidth = titleLines.map { TextMetrics.width($0, size: 15) }.max() ?? 0
        let width = max(left + cell * columns + right, titleWidth + 20), height = top + cell * rows + bottom
        var svg = SVG(width: width, height: height)
        for (i, line) in titleLines.enumerated() {
            svg.text(line, width / 2, 24 + 18 * Double(i), anchor: .middle, size: 15, bold: true)
        }
        let fontSize = min(11, cell * 0.32)
        for (i, row) in values.enumerated() {
            for (j, value) in row.enumerated() {
                let x = left + Double(j) * cell, y = top + Double(i) * cell
                svg.rect(x, y, cell, cell, fill: color(value, low: low, high: high), stroke: "#ffffff")
                if annotates {
                    let strong = max(abs(low), abs(high)) > 0 && abs(value) > 0.6 * max(abs(low), abs(high))
                    svg.text(fmt(value, digits), x + cell / 2, y + cell / 2 + fontSize / 3, anchor: .middle,
                             size: fontSize, fill: strong ? "#ffffff" : "#222222")
                }
            }
        }
        let labelEvery = max(1, Int((14 / cell).rounded(.up)))
        for (i, label) in rowLabels.enumerated() where i % labelEvery == 0 {
            svg.text(label, left - 6, top + (Double(i) + 0.5) * cell + 4, anchor: .end, size: 10)
        }
        for (j, label) in columnLabels.enumerated() where j % labelEvery == 0 {
            svg.text(label, left + (Double(j) + 0.5) * cell, top + cell * rows + 14, anchor: .middle, size: 10)
        }
        svg.text(xLabel, left + cell * columns / 2, height - 12, anchor: .middle, size: 12)
        svg.text(yLabel, 18, top + cell * rows / 2, anchor: .middle, size: 12, rotate: -90)
        // Colour bar: 20 steps from high (top) to low (bottom).
        let barX = left + cell * columns + 24, barHeight = cell * rows, steps = 20
        for s in 0..<steps {
            let value = high - (high - low) * (Double(s) + 0.5) / Double(steps)
            svg.rect(barX, top + barHeight * Double(s) / Double(steps), 16, barHeight / Double(steps) + 0.5,
                     fill: color(value, low: low, high: high))
        }
        svg.text(barLabels[0], barX + 22, top + 8, size: 10)
        svg.text(barLabels[1], barX + 22, top + barHeight, size: 10)
        return svg.render()
    }
}
