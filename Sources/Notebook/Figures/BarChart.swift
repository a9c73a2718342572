/// Bars for named categories, one bar per series side by side (grouped), on a linear or log y axis.
///
/// ```swift
/// var chart = BarChart(title: "Memory", categories: ["full", "LoRA", "QLoRA"], yLabel: "GB")
/// chart.add("weights", values: [14, 14, 3.5])
/// chart.add("optimizer", values: [54, 0.1, 0.1])
/// chart.save(as: "ch07-memory")
/// ```
/// A linear axis starts at 0; a log axis starts at the decade below the smallest value.
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
    /// The series: a name and one value per category.
    public private(set) var series: [(name: String, values: [Double])] = []

    /// An empty chart over `categories`.
    public init(title: String, categories: [String], xLabel: String = "", yLabel: String, yScale: AxisScale = .linear) {
        self.title = title
        self.categories = categories
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
    }

    /// Adds a series. Precondition: one value per category.
    public mutating func add(_ name: String, values: [Double]) {
        precondition(values.count == categories.count,
                     "bar series '\(name)': \(values.count) values for \(categories.count) categories")
        series.append((name, values))
    }

    /// The SVG document.
    public func svg() -> String {
        let frame = Frame(legend: series.count > 1 ? series.map(\.name) : [])
        let yAxis = Axis(covering: series.flatMap(\.values), scale: yScale, explicitTicks: yTicks,
                         includeZero: true, name: yLabel)
        var svg = SVG(width: Frame.width, height: Frame.height)
        frame.draw(on: &svg, title: title, xLabel: xLabel, yLabel: yLabel, xAxis: nil, yAxis: yAxis)
        let slot = frame.plotWidth / Double(max(1, categories.count))
        let barWidth = slot * 0.8 / Double(max(1, series.count))
        let baseline = frame.y(yScale == .log ? 0 : yAxis.fraction(0))
        for (c, category) in categories.enumerated() {
            let center = frame.left + slot * (Double(c) + 0.5)
            svg.line(center, frame.top + frame.plotHeight, center, frame.top + frame.plotHeight + 5)
            svg.text(category, center, frame.top + frame.plotHeight + 18, anchor: .middle, size: 11)
            for (s, entry) in series.enumerated() {
                let value = entry.values[c]
                guard value.isFinite, yScale == .linear || value > 0 else { continue }
                let top = frame.y(yAxis.fraction(value))
                let x0 = center - slot * 0.4 + Double(s) * barWidth
                svg.rect(x0, min(top, baseline), barWidth - 1, abs(baseline - top), fill: Palette.color(s))
            }
        }
        if series.count > 1 {
            frame.drawLegend(on: &svg, entries: series.enumerated().map { ($1.name, Palette.color($0), false) })
        }
        return svg.render()
    }
}
