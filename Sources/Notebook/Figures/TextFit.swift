import Foundation

/// A `<text>` element whose estimated box leaves its canvas.
public struct TextOverflow: Sendable, Equatable, CustomStringConvertible {
    /// The text, unescaped.
    public let text: String
    /// The estimated box, in canvas coordinates.
    public let minX: Double, minY: Double, maxX: Double, maxY: Double
    /// The canvas size.
    public let canvasWidth: Double, canvasHeight: Double

    public var description: String {
        "'\(text)' spans x \(SVG.number(minX))…\(SVG.number(maxX)), y \(SVG.number(minY))…\(SVG.number(maxY)) "
            + "on a \(SVG.number(canvasWidth)) × \(SVG.number(canvasHeight)) canvas"
    }
}

/// Checks that every text element of an SVG document fits inside the canvas, by the
/// conservative widths of ``TextMetrics``.
///
/// ```
/// box of a text at (x, y), font size f, estimated width w:
///   anchor start: x … x + w    middle: x − w/2 … x + w/2    end: x − w … x
///   y − 0.8 f … y + 0.25 f     (ascent and descent below the baseline y)
///   rotate(a cx cy): the four corners turned by a degrees about (cx, cy), then their bounds
/// ```
/// It reads the documents this package writes (``Figure/svg()``) and any SVG whose `<svg>`
/// element has numeric `width` and `height` and whose texts are plain `<text>` elements.
public enum TextFit {
    /// A text element as drawn.
    public struct Element: Sendable {
        public var text: String
        public var x: Double, y: Double, size: Double
        /// `start`, `middle` or `end`.
        public var anchor: String
        /// Degrees and centre of a `rotate(…)` transform, if any.
        public var rotation: (degrees: Double, cx: Double, cy: Double)?
    }

    /// What is wrong with a document the check cannot read.
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The canvas size and every text element of `svg`.
    /// - Throws: ``ParseError`` when the `<svg>` element or its numeric size is missing, or a
    ///   `<text>` element is not closed.
    public static func elements(in svg: String) throws -> (width: Double, height: Double, texts: [Element]) {
        guard let rootStart = svg.range(of: "<svg"), let rootEnd = svg[rootStart.upperBound...].firstIndex(of: ">") else {
            throw ParseError(description: "no <svg> element")
        }
        let root = attributes(String(svg[rootStart.upperBound..<rootEnd]))
        guard let width = root["width"].flatMap(Double.init), let height = root["height"].flatMap(Double.init) else {
            throw ParseError(description: "the <svg> element has no numeric width and height")
        }
        var texts: [Element] = []
        var rest = svg[rootEnd...]
        while let open = rest.range(of: "<text") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">"),
                  let close = rest[tagEnd...].range(of: "</text>") else {
                throw ParseError(description: "a <text> element is not closed")
            }
            let a = attributes(String(rest[open.upperBound..<tagEnd]))
            var element = Element(
                text: unescape(String(rest[rest.index(after: tagEnd)..<close.lowerBound])),
                x: Double(a["x"] ?? "0") ?? 0, y: Double(a["y"] ?? "0") ?? 0,
                size: Double(a["font-size"] ?? "16") ?? 16, anchor: a["text-anchor"] ?? "start")
            if let transform = a["transform"], transform.hasPrefix("rotate(") {
                let numbers = transform.dropFirst("rotate(".count).dropLast()
                    .split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
                if let degrees = numbers.first {
                    element.rotation = (degrees, numbers.count > 2 ? numbers[1] : 0, numbers.count > 2 ? numbers[2] : 0)
                }
            }
            texts.append(element)
            rest = rest[close.upperBound...]
        }
        return (width, height, texts)
    }

    /// The estimated box of `element`: (minX, minY, maxX, maxY).
    public static func box(of element: Element) -> (Double, Double, Double, Double) {
        let w = TextMetrics.width(element.text, size: element.size)
        let shift = element.anchor == "middle" ? w / 2 : element.anchor == "end" ? w : 0
        let x0 = element.x - shift, x1 = x0 + w
        let y0 = element.y - 0.8 * element.size, y1 = element.y + 0.25 * element.size
        guard let r = element.rotation, r.degrees != 0 else { return (x0, y0, x1, y1) }
        let angle = r.degrees * Double.pi / 180
        let (c, s) = (cos(angle), sin(angle))
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map { p in
            (r.cx + (p.0 - r.cx) * c - (p.1 - r.cy) * s, r.cy + (p.0 - r.cx) * s + (p.1 - r.cy) * c)
        }
        return (corners.map(\.0).min()!, corners.map(\.1).min()!, corners.map(\.0).max()!, corners.map(\.1).max()!)
    }

    /// Every text element of `svg` whose estimated box leaves the canvas (empty when all fit).
    /// - Throws: ``ParseError`` (see ``elements(in:)``).
    public static func overflows(in svg: String) throws -> [TextOverflow] {
        let (width, height, texts) = try elements(in: svg)
        let slack = 0.01
        return texts.compactMap { element in
            guard !element.text.isEmpty else { return nil }
            let (x0, y0, x1, y1) = box(of: element)
            guard x0 < -slack || y0 < -slack || x1 > width + slack || y1 > height + slack else { return nil }
            return TextOverflow(text: element.text, minX: x0, minY: y0, maxX: x1, maxY: y1, canvasWidth: width, canvasHeight: height)
        }
    }

    /// `name="value"` pairs of a tag's inside.
    static func attributes(_ tag: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(tag)
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: .whitespacesAndNewlines)
            let afterEquals = rest[rest.index(after: equals)...]
            guard let quote = afterEquals.first, quote == "\"" || quote == "'",
                  let end = afterEquals.dropFirst().firstIndex(of: quote) else { break }
            result[name] = String(afterEquals[afterEquals.index(after: afterEquals.startIndex)..<end])
            rest = afterEquals[afterEquals.index(after: end)...]
        }
        return result
    }

    /// Undoes ``SVG/escape(_:)``.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension Figure {
    /// The text elements of this figure that leave its canvas (see ``TextFit``).
    /// - Throws: ``TextFit/ParseError`` if the figure's SVG cannot be read (a bug in the figure).
    public func textOverflows() throws -> [TextOverflow] {
        try TextFit.overflows(in: svg())
    }
}
