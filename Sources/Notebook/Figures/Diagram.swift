import Foundation

/// A block diagram: labelled boxes and circles placed by their centres, joined by arrows.
///
/// ```swift
/// var diagram = Diagram(title: "A LoRA layer", height: 240)
/// diagram.box("x", ["x", "(1, 10)"], x: 60, y: 120, style: .data)
/// diagram.box("W0", ["W₀ (6, 10)", "frozen"], x: 300, y: 70, style: .frozen)
/// diagram.operation("+", "+", x: 520, y: 70)
/// diagram.arrow(from: "x", to: "W0", via: [(60, 70)])   // up, then right
/// diagram.arrow(from: "W0", to: "+", label: "(1, 6)")
/// diagram.save(as: "ch01-lora-block")
/// ```
/// A box is as wide as its widest line (estimated by ``TextMetrics``) plus padding, so its
/// text always fits it; the first line is bold. An arrow leaves its source's border towards
/// the first waypoint (or the target), passes the waypoints, and ends with a head on the
/// target's border. Its label sits at the middle of its longest segment: above a horizontal
/// one (moved in from the canvas' edges), to the right of a vertical one (to its left when
/// the right side has no room).
public struct Diagram: Figure {
    /// How a box is filled: what kind of thing it stands for.
    public enum Style: Sendable, CaseIterable {
        /// Inputs and outputs (grey).
        case data
        /// Frozen weights (blue).
        case frozen
        /// Trained weights (orange).
        case trainable
        /// A computation or buffer (white).
        case compute

        var fill: String {
            switch self {
            case .data: return "#f2f2f2"
            case .frozen: return "#dcebf7"
            case .trainable: return "#fde7c2"
            case .compute: return "#ffffff"
            }
        }

        var stroke: String {
            switch self {
            case .data: return "#777777"
            case .frozen: return "#0072b2"
            case .trainable: return "#c77f00"
            case .compute: return "#333333"
            }
        }
    }

    /// A box or circle.
    struct Node {
        let lines: [String]
        let x: Double, y: Double
        let style: Style
        let isCircle: Bool
        static let size = 12.0, lineHeight = 15.0, padding = 9.0

        var halfWidth: Double {
            let widest = lines.map { TextMetrics.width($0, size: Node.size) }.max() ?? 0
            return isCircle ? radius : widest / 2 + Node.padding
        }
        var halfHeight: Double { isCircle ? radius : (Double(lines.count) * Node.lineHeight + 2 * Node.padding - 4) / 2 }
        var radius: Double { max(13, (lines.map { TextMetrics.width($0, size: Node.size) }.max() ?? 0) / 2 + 6) }

        /// Where the ray from the centre towards `p` leaves the node.
        func border(towards p: (Double, Double)) -> (Double, Double) {
            let (dx, dy) = (p.0 - x, p.1 - y)
            let length = (dx * dx + dy * dy).squareRoot()
            guard length > 0 else { return (x, y) }
            if isCircle { return (x + dx / length * radius, y + dy / length * radius) }
            let t = min(abs(dx) > 0 ? halfWidth / abs(dx) : .infinity, abs(dy) > 0 ? halfHeight / abs(dy) : .infinity)
            return (x + dx * min(t, 1), y + dy * min(t, 1))
        }
    }

    struct Arrow {
        let from: String, to: String
        let via: [(Double, Double)]
        let label: String?
        let dashed: Bool
    }

    /// The title.
    public var title: String
    /// The canvas size.
    public let width: Double, height: Double
    /// Boxes and circles by name, in the order added.
    private var nodes: [(id: String, node: Node)] = []
    private var arrows: [Arrow] = []
    private var notes: [(text: String, x: Double, y: Double, anchor: SVG.Anchor, size: Double)] = []
    /// Styles explained in a key along the bottom edge, with their names.
    public var key: [(style: Style, name: String)] = []

    /// An empty diagram on a `width` × `height` canvas.
    public init(title: String, width: Double = 640, height: Double = 300) {
        precondition(width > 0 && height > 0, "diagram '\(title)': canvas \(width) × \(height) must be positive")
        self.title = title
        self.width = width
        self.height = height
    }

    private func node(_ id: String) -> Node {
        guard let found = nodes.first(where: { $0.id == id }) else {
            preconditionFailure("diagram '\(title)': no box named '\(id)' (have \(nodes.map(\.id)))")
        }
        return found.node
    }

    private mutating func add(_ id: String, _ node: Node) {
        precondition(!nodes.contains { $0.id == id }, "diagram '\(title)': a second box named '\(id)'")
        nodes.append((id, node))
    }

    /// Adds a box centred at (`x`, `y`) showing `lines` (the first in bold).
    public mutating func box(_ id: String, _ lines: [String], x: Double, y: Double, style: Style = .compute) {
        precondition(!lines.isEmpty, "diagram '\(title)': box '\(id)' needs at least one line")
        add(id, Node(lines: lines, x: x, y: y, style: style, isCircle: false))
    }

    /// Adds a circle centred at (`x`, `y`) with a short `symbol` in it (an operation: +, ×s).
    public mutating func operation(_ id: String, _ symbol: String, x: Double, y: Double) {
        add(id, Node(lines: [symbol], x: x, y: y, style: .compute, isCircle: true))
    }

    /// Adds an arrow from box `from` to box `to` through the points `via`.
    public mutating func arrow(from: String, to: String, via: [(Double, Double)] = [], label: String? = nil, dashed: Bool = false) {
        _ = node(from)
        _ = node(to)
        arrows.append(Arrow(from: from, to: to, via: via, label: label, dashed: dashed))
    }

    /// Adds free text (size 11 unless given) with its baseline at `y`.
    public mutating func note(_ text: String, x: Double, y: Double, anchor: TextAnchor = .start, size: Double = 11) {
        notes.append((text, x, y, anchor.svg, size))
    }

    /// Where free text lines up with its x.
    public enum TextAnchor: Sendable {
        case start, middle, end
        var svg: SVG.Anchor { self == .start ? .start : self == .middle ? .middle : .end }
    }

    /// The SVG document.
    public func svg() -> String {
        var svg = SVG(width: width, height: height)
        svg.text(title, width / 2, 24, anchor: .middle, size: 15, bold: true)
        for arrow in arrows { draw(arrow, on: &svg) }
        for (_, n) in nodes {
            if n.isCircle {
                svg.circle(n.x, n.y, radius: n.radius, fill: n.style.fill, stroke: n.style.stroke)
                svg.text(n.lines[0], n.x, n.y + Node.size / 3, anchor: .middle, size: Node.size, bold: true)
                continue
            }
            svg.rect(n.x - n.halfWidth, n.y - n.halfHeight, 2 * n.halfWidth, 2 * n.halfHeight,
                     fill: n.style.fill, stroke: n.style.stroke, cornerRadius: n.style == .data ? 8 : 3)
            let firstBaseline = n.y - Double(n.lines.count - 1) * Node.lineHeight / 2 + Node.size / 3
            for (i, line) in n.lines.enumerated() {
                svg.text(line, n.x, firstBaseline + Double(i) * Node.lineHeight, anchor: .middle,
                         size: i == 0 ? Node.size : Node.size - 1, bold: i == 0)
            }
        }
        for note in notes { svg.text(note.text, note.x, note.y, anchor: note.anchor, size: note.size) }
        var keyX = 16.0
        for entry in key {
            svg.rect(keyX, height - 22, 16, 12, fill: entry.style.fill, stroke: entry.style.stroke, cornerRadius: 2)
            svg.text(entry.name, keyX + 22, height - 12, size: 11)
            keyX += 22 + TextMetrics.width(entry.name, size: 11) + 18
        }
        return svg.render()
    }

    private func draw(_ arrow: Arrow, on svg: inout SVG) {
        let source = node(arrow.from), target = node(arrow.to)
        let start = source.border(towards: arrow.via.first ?? (target.x, target.y))
        let end = target.border(towards: arrow.via.last ?? (source.x, source.y))
        let points = [start] + arrow.via + [end]
        // The shaft stops where the head begins, so the head's tip is exact.
        let last = points[points.count - 2]
        let (dx, dy) = (end.0 - last.0, end.1 - last.1)
        let length = max((dx * dx + dy * dy).squareRoot(), 1e-9)
        let (ux, uy) = (dx / length, dy / length)
        let headLength = 8.0, headHalfWidth = 4.0
        let base = (end.0 - ux * headLength, end.1 - uy * headLength)
        svg.polyline(Array(points.dropLast()) + [base], stroke: "#333333", width: 1.4, dash: arrow.dashed ? "5 3" : nil)
        svg.polygon([end, (base.0 - uy * headHalfWidth, base.1 + ux * headHalfWidth),
                     (base.0 + uy * headHalfWidth, base.1 - ux * headHalfWidth)], fill: "#333333")
        guard let label = arrow.label else { return }
        let segments = zip(points, points.dropFirst()).map { ($0, $1) }
        let longest = segments.max { a, b in
            hypot(a.1.0 - a.0.0, a.1.1 - a.0.1) < hypot(b.1.0 - b.0.0, b.1.1 - b.0.1)
        }!
        let middle = ((longest.0.0 + longest.1.0) / 2, (longest.0.1 + longest.1.1) / 2)
        let labelWidth = TextMetrics.width(label, size: 10)
        if abs(longest.1.0 - longest.0.0) >= abs(longest.1.1 - longest.0.1) {
            let x = min(max(middle.0, labelWidth / 2 + 2), width - labelWidth / 2 - 2)
            svg.text(label, x, middle.1 - 5, anchor: .middle, size: 10, fill: "#444444")
        } else if middle.0 + 6 + labelWidth <= width - 2 {
            svg.text(label, middle.0 + 6, middle.1 + 4, size: 10, fill: "#444444")
        } else {
            svg.text(label, middle.0 - 6, middle.1 + 4, anchor: .end, size: 10, fill: "#444444")
        }
    }
}
