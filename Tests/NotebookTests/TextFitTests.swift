import Foundation
import Testing
@testable import Notebook

/// Every figure's text stays inside its canvas: the width estimate, the check itself (it must
/// catch a deliberate overflow), every figure kind with long labels, and every committed figure.
@Suite struct TextFitTests {
    /// `docs/figures` of this package.
    static let docsFigures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/figures")

    static func committedFigures() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: docsFigures, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "svg" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static let longName = "a legend entry with a rather long name, e.g. blockwise absmax, blocksize 64"
    static let longTitle = "A title long enough that it cannot fit on one line of a 640-pixel canvas at 15 pixels, bold, so it wraps"

    /// One figure of each kind, every label long.
    static func longLabelFigures() -> [(String, any Figure)] {
        var line = LinePlot(title: longTitle, xLabel: "Adam step (every fourth recorded) " + String(repeating: "x", count: 40),
                            yLabel: "‖sBA − ΔW*‖ / ‖ΔW*‖ relative to the oracle", yScale: .log)
        line.add(longName, x: [1, 10, 100], y: [1, 0.01, 1e-4])
        line.add("QLoRA q,v r=8 (NF4 + DQ), lr 3e-02", x: [1, 10, 100], y: [2, 0.2, 0.002], dashed: true, colorIndex: 0)
        var grouped = BarChart(title: longTitle, categories: ["full", "LoRA", "QLoRA"], xLabel: "method", yLabel: "GB")
        grouped.add(longName, values: [1, 2, 3])
        grouped.add("design data N(0,1)/Φ⁻¹(δ)", values: [3, 2, 1])
        grouped.valueLabel = { fmt($0, 1) }
        var stacked = grouped
        stacked.stacked = true
        var histogram = Histogram(title: longTitle, values: [-1, -0.5, 0, 0.5, 1], bins: 4, xLabel: "x / absmax of its block")
        histogram.markerLabel = longName
        var heat = HeatMap(title: longTitle, values: [[1e6, -2e6], [3, 4]])
        heat.rowLabels = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj"]
        var diagram = Diagram(title: "A LoRA layer", height: 220)
        diagram.box("x", ["x", "(n, k) = (256, 4096)"], x: 90, y: 110, style: .data)
        diagram.box("W", ["W₀ (d, k) = (4096, 4096) frozen, NF4 codes + constants"], x: 380, y: 70, style: .frozen)
        diagram.operation("+", "+", x: 600, y: 150)
        diagram.arrow(from: "x", to: "W", via: [(90, 70)], label: "x (n, k)")
        diagram.arrow(from: "W", to: "+", via: [(600, 70)], label: "a long arrow label")
        diagram.key = [(.frozen, "frozen"), (.trainable, "trained")]
        return [("line", line), ("grouped bars", grouped), ("stacked bars", stacked), ("histogram", histogram),
                ("heat map", heat), ("diagram", diagram)]
    }

    @Test func widthFollowsTheTable() {
        #expect(TextMetrics.width("r = 4", size: 11) == (0.5 + 0.35 + 0.85 + 0.35 + 0.7) * 11)
        #expect(TextMetrics.width("W", size: 10) > TextMetrics.width("i", size: 10) * 3)
        #expect(TextMetrics.em("中") == 1, "characters outside the table count 1 em")
        let lines = TextMetrics.wrap("one two three four", maxWidth: TextMetrics.width("three four", size: 10), size: 10)
        #expect(lines == ["one two", "three four"])
        #expect(TextMetrics.wrap("unbreakable", maxWidth: 1, size: 10) == ["unbreakable"])
    }

    @Test func theCheckCatchesADeliberateOverflow() throws {
        var svg = SVG(width: 200, height: 100)
        svg.text("fits", 10, 50, size: 11)
        svg.text("far too long for a canvas two hundred pixels wide", 10, 70, size: 11)
        svg.text("cut at the left", 20, 30, anchor: .end, size: 11)
        svg.text("centred and short", 100, 90, anchor: .middle, size: 11)
        svg.text("a y label turned upright that is longer than the canvas is high", 18, 50, size: 12, rotate: -90)
        svg.text("<&> below", 10, 99.5, size: 11)
        let overflows = try TextFit.overflows(in: svg.render())
        #expect(overflows.map(\.text) == ["far too long for a canvas two hundred pixels wide", "cut at the left",
                                          "a y label turned upright that is longer than the canvas is high", "<&> below"])
        #expect(overflows[0].maxX > 200 && overflows[1].minX < 0 && overflows[2].minY < 0 && overflows[3].maxY > 100)
        // A figure placed so that its text leaves the canvas is caught through the Figure API too.
        var diagram = Diagram(title: "t", width: 100, height: 60)
        diagram.note("a note that starts inside and runs out", x: 50, y: 40)
        #expect(try diagram.textOverflows().map(\.text) == ["a note that starts inside and runs out"])
        #expect(throws: TextFit.ParseError.self) { try TextFit.overflows(in: "<svg><text>no size</text></svg>") }
    }

    @Test func everyKindWithLongLabelsFitsItsCanvas() throws {
        for (name, figure) in TextFitTests.longLabelFigures() + FigureTests.figures() {
            let overflows = try figure.textOverflows()
            #expect(overflows.isEmpty, "\(name): \(overflows)")
        }
    }

    @Test func longTitlesAndLegendNamesWrap() throws {
        let (_, line) = TextFitTests.longLabelFigures()[0]
        let texts = try TextFit.elements(in: line.svg()).texts.map(\.text)
        #expect(!texts.contains(TextFitTests.longTitle) && !texts.contains(TextFitTests.longName), "\(texts)")
        #expect(texts.contains { TextFitTests.longTitle.hasPrefix($0) && $0.count > 20 }, "first title line: \(texts)")
    }

    @Test func everyCommittedFigureFitsItsCanvas() throws {
        let files = try TextFitTests.committedFigures()
        #expect(files.count >= 9, "figures found in \(TextFitTests.docsFigures.path): \(files.map(\.lastPathComponent))")
        for file in files {
            let overflows = try TextFit.overflows(in: String(contentsOf: file, encoding: .utf8))
            #expect(overflows.isEmpty, "\(file.lastPathComponent): \(overflows)")
        }
    }
}
