/// Counts of values in equal-width bins, with optional vertical marker lines.
///
/// ```swift
/// var histogram = Histogram(title: "Weights and NF4 levels", values: weights, bins: 60,
///                           xLabel: "weight / absmax")
/// histogram.markers = nf4Levels            // e.g. the 16 NF4 code values
/// histogram.markerLabel = "NF4 levels"
/// histogram.save(as: "ch06-nf4-levels")
/// ```
/// Bins are `[lo + i·w, lo + (i+1)·w)`, the last one closed; values outside the range and
/// non-finite values are not counted.
public struct Histogram: Figure {
    /// The title.
    public var title: String
    /// The x axis name.
    public var xLabel: String
    /// The y axis name.
    public var yLabel: String
    /// The y axis scale (log shows the tails; empty bins are then not drawn).
    public var yScale: AxisScale = .linear
    /// x positions of vertical dashed lines drawn over the bars.
    public var markers: [Double] = []
    /// The legend entry for the markers (none when `nil`).
    public var markerLabel: String?
    /// The binned range.
    public let range: ClosedRange<Double>
    /// The count in each bin.
    public let counts: [Int]

    /// Bins `values` into `bins` equal bins over `range` (default: the values' minimum to maximum).
    public init(title: String, values: [Double], bins: Int = 40, range: ClosedRange<Double>? = nil,
                xLabel: String, yLabel: String = "count") {
        precondition(bins > 0, "histogram '\(title)' needs at least one bin, got \(bins)")
        let finite = values.filter(\.isFinite)
        var r = range ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
        if r.lowerBound == r.upperBound { r = (r.lowerBound - 0.5)...(r.upperBound + 0.5) }
        var counts = [Int](repeating: 0, count: bins)
        let width = (r.upperBound - r.lowerBound) / Double(bins)
        for v in finite where r.contains(v) {
            counts[min(bins - 1, Int((v - r.lowerBound) / width))] += 1
        }
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.range = r
        self.counts = counts
    }

    /// The SVG document.
    public func svg() -> String {
        let frame = Frame(title: title, legend: markerLabel.map { [$0] } ?? [])
        let xAxis = Axis(covering: [range.lowerBound, range.upperBound], scale: .linear, name: xLabel)
        let positive = counts.filter { $0 > 0 }.map(Double.init)
        let yAxis = yScale == .log
            ? Axis(covering: positive.isEmpty ? [1] : positive, scale: .log, name: yLabel)
            : Axis(covering: counts.map(Double.init), scale: .linear, includeZero: true, name: yLabel)
        var svg = SVG(width: Frame.width, height: Frame.height)
        frame.draw(on: &svg, xLabel: xLabel, yLabel: yLabel, xAxis: xAxis, yAxis: yAxis)
        let width = (range.upperBound - range.lowerBound) / Double(counts.count)
        let baseline = frame.y(yScale == .log ? 0 : yAxis.fraction(0))
        for (i, count) in counts.enumerated() where count > 0 {
            let x0 = frame.x(xAxis.fraction(range.lowerBound + Double(i) * width))
            let x1 = frame.x(xAxis.fraction(range.lowerBound + Double(i + 1) * width))
            let top = frame.y(yAxis.fraction(Double(count)))
            svg.rect(x0, top, x1 - x0, baseline - top, fill: Palette.color(0), stroke: "#ffffff")
        }
        for marker in markers where marker.isFinite {
            let f = xAxis.fraction(marker)
            guard f >= 0 && f <= 1 else { continue }
            svg.line(frame.x(f), frame.top, frame.x(f), frame.top + frame.plotHeight,
                     stroke: Palette.color(5), width: 1.5, dash: "4 3")
        }
        if markerLabel != nil {
            frame.drawLegend(on: &svg, entries: [(Palette.color(5), .dashed)])
        }
        return svg.render()
    }
}
