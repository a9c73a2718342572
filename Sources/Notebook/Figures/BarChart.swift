/// Bars for named categories, on a linear or log y axis: one bar per series side by side
/// (grouped), or the series stacked into one bar per category.
///
/// ```swift
/// var chart = BarChart(title: "Memory", categories: ["full", "LoRA", "QLoRA"], yLabel: "GB")
/// chart.add("weights", values: [14, 14, 3.5])
/// chart.add("optimizer", values: [54, 0.1, 0.1])
/// chart.stacked = true                      // weights at the bottom, optimizer on top
/// chart.valueLabel = { fmt($0, 1) }         // the total above each stack
/// chart.save(as: "ch07-memory")
/// ```
/// A linear axis starts at 0; a log axis starts at the decade below the smallest value.
/// Stacked bars need a linear axis and values ≥ 0 (a precondition naming the chart).
public struct BarChart: Figure {
    /// The title.
    public var title: String
    /// Category names along x, in order.
    public var categories: [String]
    /// The x axis name (may be empty).
    public var xLabel: String
    /// The y axis name.
    public var yLabel: String
    /// The y axis scale.
    public var yScale: AxisScale
    /// Tick positions on y; `nil` chooses them.
    public var yTicks: [Double]?
    /// Stack the series into one bar per category, the first series at the bottom; the legend
    /// then lists the series top to bottom as they are stacked.
    public var stacked = false
    /// When set, the text drawn above each bar: of each value (grouped) or of each stack's
    /// total (stacked).
    public var valueLabel: ((Double) -> String)?
    /// The series: a name and one value per category.
    public private(set) var series: [(name: String, values: [Double])] = []
    /// Reference values drawn over the bars as black diamonds on a short line (a measurement
    /// against stacked estimates): a name and one value per category, non-finite for none.
    public private(set) var markers: [(name: String, values: [Double])] = []

    /// An empty chart over `categories`.
    public init(title: String, categories: [String], xLabel: String = "", yLabel: String, yScale: AxisScale = .linear) {
        self.title = title
        self.categories = categories
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
    }

    /// The palette colour of each series (its index unless `add` chose one).
    private var colorIndices: [Int] = []

    /// Adds a series, coloured by palette entry `colorIndex` (default: the series' index).
    /// Precondition: one value per category.
    public mutating func add(_ name: String, values: [Double], colorIndex: Int? = nil) {
        precondition(values.count == categories.count,
                     "bar series '\(name)': \(values.count) values for \(categories.count) categories")
        colorIndices.append(colorIndex ?? series.count)
        series.append((name, values))
    }

    /// Adds a row of markers. Precondition: one value per category.
    public mutating func addMarkers(_ name: String, values: [Double]) {
        precondition(values.count == categories.count,
                     "bar markers '\(name)': \(values.count) values for \(categories.count) categories")
        markers.append((name, values))
    }

    /// Per category, the sum of the series' finite values (the height of a stack).
    public var totals: [Double] {
        categories.indices.map { c in series.reduce(0) { $0 + ($1.values[c].isFinite ? $1.values[c] : 0) } }
    }

    /// The SVG document.
    public func svg() -> String {
        if stacked {
            precondition(yScale == .linear, "bar chart '\(title)': stacked bars need a linear y axis")
            precondition(series.allSatisfy { $0.values.allSatisfy { !$0.isFinite || $0 >= 0 } },
                         "bar chart '\(title)': stacked bars need values ≥ 0")
        }
        // A stacked legend reads top to bottom like the stack: last series first.
        let legendOrder = stacked ? Array(series.indices.reversed()) : Array(series.indices)
        let legendNames = (series.count > 1 || !markers.isEmpty ? legendOrder.map { series[$0].name } : []) + markers.map(\.name)
        let frame = Frame(title: title, legend: legendNames)
        let yAxis = Axis(covering: (stacked ? totals : series.flatMap(\.values)) + markers.flatMap(\.values), scale: yScale,
                         explicitTicks: yTicks, includeZero: true, name: yLabel)
        var svg = SVG(width: Frame.width, height: Frame.height)
        frame.draw(on: &svg, xLabel: xLabel, yLabel: yLabel, xAxis: nil, yAxis: yAxis)
        let slot = frame.plotWidth / Double(max(1, categories.count))
        let barWidth = stacked ? slot * 0.6 : slot * 0.8 / Double(max(1, series.count))
        let baseline = frame.y(yScale == .log ? 0 : yAxis.fraction(0))
        for (c, category) in categories.enumerated() {
            let center = frame.left + slot * (Double(c) + 0.5)
            svg.line(center, frame.top + frame.plotHeight, center, frame.top + frame.plotHeight + 5)
            svg.text(category, center, frame.top + frame.plotHeight + 18, anchor: .middle, size: 11)
            var stackTop = 0.0
            for (s, entry) in series.enumerated() {
                let value = entry.values[c]
                guard value.isFinite, yScale == .linear || value > 0 else { continue }
                if stacked {
                    // The segment from the running total to the running total plus this value.
                    let y0 = frame.y(yAxis.fraction(stackTop)), y1 = frame.y(yAxis.fraction(stackTop + value))
                    svg.rect(center - barWidth / 2, y1, barWidth, y0 - y1, fill: Palette.color(colorIndices[s]))
                    stackTop += value
                } else {
                    let top = frame.y(yAxis.fraction(value))
                    let x0 = center - slot * 0.4 + Double(s) * barWidth
                    svg.rect(x0, min(top, baseline), barWidth - 1, abs(baseline - top), fill: Palette.color(colorIndices[s]))
                    if let valueLabel {
                        svg.text(valueLabel(value), x0 + (barWidth - 1) / 2, min(top, baseline) - 4, anchor: .middle, size: 10)
                    }
                }
            }
            if stacked, let valueLabel {
                svg.text(valueLabel(stackTop), center, frame.y(yAxis.fraction(stackTop)) - 4, anchor: .middle, size: 11)
            }
        }
        for marker in markers {
            for (c, value) in marker.values.enumerated() where value.isFinite && (yScale == .linear || value > 0) {
                let center = frame.left + slot * (Double(c) + 0.5), y = frame.y(yAxis.fraction(value)), half = slot * 0.4
                svg.line(center - half, y, center + half, y, stroke: "#000000", width: 1.5)
                svg.polygon([(center, y - 6), (center + 6, y), (center, y + 6), (center - 6, y)], fill: "#000000")
            }
        }
        if !legendNames.isEmpty {
            let bars: [(color: String, swatch: LegendSwatch)] = series.count > 1 || !markers.isEmpty ? legendOrder.map { (Palette.color(colorIndices[$0]), .box) } : []
            frame.drawLegend(on: &svg, entries: bars + markers.map { _ in ("#000000", .line) })
        }
        return svg.render()
    }
}
