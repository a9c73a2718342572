import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Notebook

/// Parses an SVG document with XMLParser and records what the tests look at.
final class SVGInspector: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var texts: [String] = []
    var root: String?
    private var inText = false

    /// Parses `svg`; returns nil (and the parser's error) when it is not well-formed XML.
    static func parse(_ svg: String) -> (SVGInspector?, Error?) {
        let parser = XMLParser(data: Data(svg.utf8))
        let inspector = SVGInspector()
        parser.delegate = inspector
        return parser.parse() ? (inspector, nil) : (nil, parser.parserError)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name }
        elements[name, default: 0] += 1
        if name == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }
}

@Suite struct FigureTests {
    static func figures() -> [(String, any Figure)] {
        var line = LinePlot(title: "Loss <train & test>", xLabel: "step", yLabel: "loss", yScale: .log)
        line.add("train", x: [1, 2, 3, 4], y: [2.0, 1.0, 0.5, 0.25])
        line.add("test", x: [1, 2, 3, 4], y: [2.2, 1.3, .nan, 0.6], dashed: true)
        var logLog = LinePlot(title: "Share", xLabel: "r", yLabel: "%", xScale: .log, yScale: .log)
        logLog.xTicks = [1, 2, 4, 8, 16, 64]
        logLog.add("q, v", x: [1, 2, 4, 8, 16, 64], y: [0.0078, 0.0156, 0.0311, 0.0622, 0.1245, 0.498])
        var bars = BarChart(title: "Memory", categories: ["full", "LoRA", "QLoRA"], yLabel: "GB")
        bars.add("weights", values: [130, 130, 33])
        bars.add("optimizer", values: [520, 1.2, 1.2])
        var logBars = BarChart(title: "Params", categories: ["a", "b"], yLabel: "n", yScale: .log)
        logBars.add("n", values: [10, 100_000])
        var generator = Lcg(state: 42)
        let values = (0..<2000).map { _ in generator.normalish() }
        var histogram = Histogram(title: "Weights", values: values, bins: 30, xLabel: "w")
        histogram.markers = [-1, -0.5, 0, 0.5, 1]
        histogram.markerLabel = "levels"
        let heat = HeatMap(title: "ΔW", values: [[-1, 0, 2], [0.5, -0.25, 1]], xLabel: "in", yLabel: "out")
        let positive = HeatMap(title: "|W|", values: (0..<20).map { i in (0..<20).map { j in Double(i * j) } })
        var stackedBars = bars
        stackedBars.stacked = true
        stackedBars.valueLabel = { fmt($0, 0) }
        var diagram = Diagram(title: "x → A → B", height: 160)
        diagram.box("x", ["x", "(1, 10)"], x: 60, y: 80, style: .data)
        diagram.box("A", ["A", "(2, 10)"], x: 220, y: 80, style: .trainable)
        diagram.operation("+", "+", x: 400, y: 80)
        diagram.arrow(from: "x", to: "A", label: "k = 10")
        diagram.arrow(from: "A", to: "+", label: "r = 2")
        return [("line", line), ("log-log", logLog), ("bars", bars), ("log bars", logBars),
                ("histogram", histogram), ("heat map", heat), ("positive heat map", positive),
                ("stacked bars", stackedBars), ("diagram", diagram)]
    }

    @Test func everyKindIsWellFormedSVG() {
        for (name, figure) in FigureTests.figures() {
            let svg = figure.svg()
            let (inspector, error) = SVGInspector.parse(svg)
            guard let inspector else {
                Issue.record("\(name): not well-formed XML: \(String(describing: error))")
                continue
            }
            #expect(inspector.root == "svg", "\(name)")
            #expect(inspector.texts.contains(figure.title), "\(name): title missing from \(inspector.texts)")
            let shapes = ["line", "rect", "polyline", "polygon", "circle"].reduce(0) { $0 + (inspector.elements[$1] ?? 0) }
            #expect(shapes > 5, "\(name): \(inspector.elements)")
            #expect(!svg.contains("nan") && !svg.contains("inf"), "\(name): a non-finite coordinate leaked")
        }
    }

    @Test func renderingIsDeterministic() {
        let first = FigureTests.figures().map { $0.1.svg() }
        let second = FigureTests.figures().map { $0.1.svg() }
        #expect(first == second)
    }

    @Test func plotsHaveAxesTicksAndLegend() throws {
        let (inspector, _) = SVGInspector.parse(FigureTests.figures()[0].1.svg())
        let texts = try #require(inspector).texts
        #expect(texts.contains("step") && texts.contains("loss"))
        #expect(texts.contains("train") && texts.contains("test"), "legend entries")
        #expect(texts.contains("0.1") && texts.contains("1") && texts.contains("10"), "log ticks: \(texts)")
    }

    /// Stacked segments sit on each other: each starts where the one below ends, and the stack
    /// is as tall as the category's total on the axis.
    @Test func stackedBarsStackTheSeries() throws {
        var chart = BarChart(title: "Memory", categories: ["a", "b"], yLabel: "GB")
        chart.add("bottom", values: [1, 4])
        chart.add("top", values: [3, 0])
        chart.stacked = true
        chart.yTicks = [0, 2, 4]
        #expect(chart.totals == [4, 4])
        let rects = SVGRects.parse(chart.svg()).filter { $0.fill == Palette.color(0) || $0.fill == Palette.color(1) }
            .filter { $0.width > 18 }  // bars, not legend swatches
        let a = rects.filter { $0.x < 300 }.sorted { $0.y > $1.y }, b = rects.filter { $0.x >= 300 }
        #expect(a.count == 2 && b.count == 2, "\(rects)")
        #expect(a[0].fill == Palette.color(0) && a[1].fill == Palette.color(1))
        #expect(abs(a[1].y + a[1].height - a[0].y) < 0.02, "the top segment starts where the bottom one ends: \(a)")
        #expect(abs(a[0].height - a[1].height / 3) < 0.02, "heights 1 : 3 like the values: \(a)")
        let bHeights = b.map(\.height).sorted()
        #expect(bHeights[0] < 0.01 && abs(bHeights[1] - (a[0].height + a[1].height)) < 0.02, "same total, one segment: \(b)")
        // Grouped, the same data draws bars side by side from the baseline.
        chart.stacked = false
        let grouped = SVGRects.parse(chart.svg()).filter { $0.fill == Palette.color(1) && $0.width > 18 }
        #expect(grouped.count == 2 && Set(grouped.map { ($0.y + $0.height) * 100 }.map { $0.rounded() }).count == 1)
    }

    /// Markers (a measurement over stacked estimates) sit at their values on the same axis, stretch
    /// it when above every stack, join the legend; a series can take another palette colour.
    @Test func markersAndChosenColours() throws {
        var chart = BarChart(title: "Memory", categories: ["a", "b", "c"], yLabel: "GB")
        chart.add("weights", values: [1, 2, 1])
        chart.add("activations", values: [1, 1, 1], colorIndex: 5)
        chart.addMarkers("measured", values: [3, 10, .nan])
        chart.stacked = true
        chart.yTicks = [0, 5, 10]
        let svg = chart.svg()
        #expect(svg.components(separatedBy: "<polygon").count - 1 == 2, "one diamond per finite marker")
        #expect(svg.contains(">measured</text>") && svg.contains(">activations</text>"))
        let rects = SVGRects.parse(svg).filter { $0.width > 18 }
        #expect(rects.contains { $0.fill == Palette.color(5) } && !rects.contains { $0.fill == Palette.color(1) }, "\(rects)")
        // The marker at 10 is the top tick's height; the one at 3 is 3/10 of the way up.
        let weights = rects.filter { $0.fill == Palette.color(0) }.sorted { $0.x < $1.x }
        let bottom = weights[0].y + weights[0].height, unit = weights[0].height  // 1 GB
        let diamonds = svg.components(separatedBy: "<polygon points=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        let centres = diamonds.map { points -> Double in
            let ys = points.split(separator: " ").compactMap { Double($0.split(separator: ",")[1]) }
            return (ys.min()! + ys.max()!) / 2
        }
        #expect(abs(centres[0] - (bottom - 3 * unit)) < 0.05 && abs(centres[1] - (bottom - 10 * unit)) < 0.05, "\(centres) vs \(bottom), \(unit)")
    }

    @Test func pairedSeriesShareAColourAndDifferByDash() throws {
        var plot = LinePlot(title: "pairs", xLabel: "r", yLabel: "v")
        plot.add("SGD, α/r", x: [1, 2], y: [1, 2], colorIndex: 2)
        plot.add("SGD, α/√r", x: [1, 2], y: [1, 3], dashed: true, colorIndex: 2)
        plot.add("third", x: [1, 2], y: [2, 2])
        let svg = plot.svg()
        let polylines = svg.split(separator: "\n").filter { $0.hasPrefix("<polyline") }
        #expect(polylines.count == 3)
        #expect(polylines[0].contains(Palette.color(2)) && polylines[1].contains(Palette.color(2)))
        #expect(!polylines[0].contains("dasharray") && polylines[1].contains("dasharray"))
        #expect(polylines[2].contains(Palette.color(2)), "without an index a series takes its position's colour")
        let legend = svg.split(separator: "\n").filter { $0.hasPrefix("<line") && $0.contains("stroke-width=\"2\"") }
        #expect(legend.count == 3 && legend[0].contains(Palette.color(2)) && legend[1].contains("dasharray"), "legend swatches: \(legend)")
    }

    @Test func histogramCountsEveryValueInRange() {
        let values = [0.0, 0.1, 0.5, 0.99, 1.0, 1.0, 2.0, -.infinity]
        let histogram = Histogram(title: "h", values: values, bins: 2, range: 0...1, xLabel: "x")
        #expect(histogram.counts == [2, 4])  // [0, 0.5) and [0.5, 1]; 2.0 and -inf are out
    }

    @Test func heatMapColours() {
        let map = HeatMap(title: "m", values: [[-2, 0, 2]])
        #expect(map.color(0, low: -2, high: 2) == "#ffffff")
        #expect(map.color(2, low: -2, high: 2) == "#b2182b")
        #expect(map.color(-2, low: -2, high: 2) == "#2166ac")
        #expect(map.color(5, low: 0, high: 5) == "#084594")
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sub/figure.svg").path
        let figure = FigureTests.figures()[2].1
        try figure.write(toFile: path)
        try figure.write(toFile: path)  // replaces an existing file
        #expect(FileManager.default.contents(atPath: path) == Data(figure.svg().utf8))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("sub").path)
        #expect(left == ["figure.svg"])
    }
}

/// A tiny deterministic generator for test data (Notebook does not depend on the LoRA library).
struct Lcg {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
    /// Sum of 12 uniforms minus 6: roughly standard normal.
    mutating func normalish() -> Double { (0..<12).reduce(0) { acc, _ in acc + next() } - 6 }
}

/// The `<rect>` elements of an SVG this package wrote (one element per line).
struct SVGRects {
    let x: Double, y: Double, width: Double, height: Double, fill: String

    static func parse(_ svg: String) -> [SVGRects] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<rect") }.map { line in
            let a = TextFit.attributes(String(line.dropFirst(5)))
            return SVGRects(x: Double(a["x"] ?? "") ?? .nan, y: Double(a["y"] ?? "") ?? .nan,
                            width: Double(a["width"] ?? "") ?? .nan, height: Double(a["height"] ?? "") ?? .nan, fill: a["fill"] ?? "")
        }
    }
}
