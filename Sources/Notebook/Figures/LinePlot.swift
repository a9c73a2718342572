/// Several named series of (x, y) points joined by lines, on linear or log axes.
///
/// ```swift
/// var plot = LinePlot(title: "Trainable parameters", xLabel: "rank r", yLabel: "parameters",
///                     xScale: .log, yScale: .log)
/// plot.xTicks = [1, 2, 4, 8, 16, 64]
/// plot.add("q, v", x: ranks, y: counts)
/// plot.save(as: "ch04-trainable")
/// ```
/// Non-finite points are skipped. On a log axis every value must be positive (a precondition
/// naming the axis).
public struct LinePlot: Figure {
    /// One named line.
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// x coordinates.
        public var x: [Double]
        /// y coordinates, one per x.
        public var y: [Double]
        /// Draw a dot at each point.
        public var showsPoints: Bool
        /// Draw the line dashed.
        public var dashed: Bool
        /// The palette entry of the colour; `nil`: the series' position in the plot.
        public var colorIndex: Int?
    }

    /// The title.
    public var title: String
    /// The x axis name.
    public var xLabel: String
    /// The y axis name.
    public var yLabel: String
    /// The x axis scale.
    public var xScale: AxisScale
    /// The y axis scale.
    public var yScale: AxisScale
    /// Tick positions on x; `nil` chooses them (1-2-5 steps, or powers of ten on a log axis).
    public var xTicks: [Double]?
    /// Tick positions on y; `nil` chooses them.
    public var yTicks: [Double]?
    /// The series, in legend order.
    public private(set) var series: [Series] = []

    /// An empty plot.
    public init(title: String, xLabel: String, yLabel: String,
                xScale: AxisScale = .linear, yScale: AxisScale = .linear) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
    }

    /// Adds a series. Precondition: `x` and `y` have the same length.
    /// - Parameters:
    ///   - dashed: draw the line dashed (its legend swatch too).
    ///   - colorIndex: the palette entry to draw with; give two series the same index and one
    ///     of them `dashed` to pair them (e.g. one method under two settings). Default: the
    ///     series' position, so every series has its own colour.
    public mutating func add(_ name: String, x: [Double], y: [Double], showsPoints: Bool = true, dashed: Bool = false,
                             colorIndex: Int? = nil) {
        precondition(x.count == y.count, "series '\(name)': \(x.count) x values but \(y.count) y values")
        precondition(colorIndex.map { $0 >= 0 } ?? true, "series '\(name)': colour index \(colorIndex!) is negative")
        series.append(Series(name: name, x: x, y: y, showsPoints: showsPoints, dashed: dashed, colorIndex: colorIndex))
    }

    /// The colour series `index` is drawn with.
    func color(ofSeries index: Int) -> String { Palette.color(series[index].colorIndex ?? index) }

    /// The SVG document.
    public func svg() -> String {
        let frame = Frame(title: title, legend: series.count > 1 ? series.map(\.name) : [])
        func finitePoints(_ s: Series) -> [(Double, Double)] {
            zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
        }
        let xAxis = Axis(covering: series.flatMap { finitePoints($0).map(\.0) }, scale: xScale, explicitTicks: xTicks, name: xLabel)
        let yAxis = Axis(covering: series.flatMap { finitePoints($0).map(\.1) }, scale: yScale, explicitTicks: yTicks, name: yLabel)
        var svg = SVG(width: Frame.width, height: Frame.height)
        frame.draw(on: &svg, xLabel: xLabel, yLabel: yLabel, xAxis: xAxis, yAxis: yAxis)
        for (i, s) in series.enumerated() {
            let stroke = color(ofSeries: i)
            let points = finitePoints(s).map { (frame.x(xAxis.fraction($0.0)), frame.y(yAxis.fraction($0.1))) }
            svg.polyline(points, stroke: stroke, dash: s.dashed ? "6 4" : nil)
            if s.showsPoints { for p in points { svg.circle(p.0, p.1, radius: 3, fill: stroke) } }
        }
        if series.count > 1 {
            frame.drawLegend(on: &svg, entries: series.indices.map { (color(ofSeries: $0), series[$0].dashed ? .dashed : .line) })
        }
        return svg.render()
    }
}
