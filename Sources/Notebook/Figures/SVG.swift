/// A minimal SVG writer: elements appended as text, numbers at a fixed precision.
///
/// Every coordinate goes through ``number(_:)`` (two decimals, trailing zeros trimmed, no
/// negative zero), so the same figure is the same bytes on every run.
struct SVG {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// `x` rounded to two decimals, without trailing zeros: 12.5 → "12.5", 3.0 → "3".
    static func number(_ x: Double) -> String {
        var text = fmt(x, 2)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Escapes the five XML special characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    private func n(_ x: Double) -> String { SVG.number(x) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String = "#333333", width: Double = 1, dash: String? = nil) {
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dashAttribute)/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double,
                       fill: String, stroke: String? = nil, cornerRadius: Double = 0) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\" stroke-width=\"1\"" } ?? ""
        let radiusAttribute = cornerRadius > 0 ? " rx=\"\(n(cornerRadius))\"" : ""
        body.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(max(0, h)))\"\(radiusAttribute) fill=\"\(fill)\"\(strokeAttribute)/>")
    }

    mutating func circle(_ cx: Double, _ cy: Double, radius: Double, fill: String, stroke: String? = nil) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\" stroke-width=\"1\"" } ?? ""
        body.append("<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(radius))\" fill=\"\(fill)\"\(strokeAttribute)/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        guard points.count > 1 else { return }
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(dashAttribute)/>")
    }

    /// A closed, filled polygon (arrowheads).
    mutating func polygon(_ points: [(Double, Double)], fill: String) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(list)\" fill=\"\(fill)\"/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ string: String, _ x: Double, _ y: Double, anchor: Anchor = .start,
                       size: Double = 12, rotate: Double? = nil, bold: Bool = false, fill: String = "#222222") {
        let transform = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        let weight = bold ? " font-weight=\"bold\"" : ""
        body.append("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor.rawValue)\" font-size=\"\(n(size))\"\(weight) fill=\"\(fill)\"\(transform)>\(SVG.escape(string))</text>")
    }

    /// The whole document, ending in a newline.
    func render() -> String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">",
            "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>",
        ]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The series colours, in order (a colour-blind-friendly qualitative palette).
enum Palette {
    static let colors = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]
    static func color(_ index: Int) -> String { colors[index % colors.count] }
}
