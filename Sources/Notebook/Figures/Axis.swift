import Foundation

/// How an axis maps values to positions.
public enum AxisScale: Sendable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (base 10 ticks); every value must be positive.
    case log
}

/// One axis: its scale, domain, ticks and tick labels.
struct Axis {
    let scale: AxisScale
    let low: Double
    let high: Double
    let ticks: [Double]

    /// An axis covering `values` with "nice" ticks, or exactly `explicitTicks` when given.
    /// - Parameter includeZero: stretch a linear domain to include 0 (bar charts).
    init(covering values: [Double], scale: AxisScale, explicitTicks: [Double]? = nil,
         includeZero: Bool = false, name: String) {
        self.scale = scale
        var data = values.filter(\.isFinite)
        if let explicitTicks { data += explicitTicks }
        if scale == .log {
            precondition(data.allSatisfy { $0 > 0 }, "log axis '\(name)' needs positive values, got \(data.filter { $0 <= 0 }.prefix(3))")
        }
        if includeZero && scale == .linear { data.append(0) }
        var lo = data.min() ?? 0
        var hi = data.max() ?? 1
        if lo == hi {
            let spread = scale == .log ? lo * 0.5 : max(abs(lo) * 0.5, 1)
            lo -= spread
            hi += spread
        }
        switch scale {
        case .linear:
            let step = Axis.niceStep((hi - lo) / 5)
            let ticksLow = (lo / step).rounded(.down) * step
            let ticksHigh = (hi / step).rounded(.up) * step
            self.low = explicitTicks == nil ? ticksLow : lo
            self.high = explicitTicks == nil ? ticksHigh : hi
            self.ticks = explicitTicks ?? stride(from: 0, through: Int(((ticksHigh - ticksLow) / step).rounded()), by: 1)
                .map { ticksLow + Double($0) * step }
        case .log:
            let e0 = log10(lo).rounded(.down)
            let e1 = log10(hi).rounded(.up)
            self.low = explicitTicks == nil ? pow(10, e0) : lo
            self.high = explicitTicks == nil ? pow(10, e1) : hi
            if let explicitTicks {
                self.ticks = explicitTicks
            } else {
                let decades = Int(e1 - e0)
                let every = max(1, (decades + 7) / 8)
                var ticks = stride(from: 0, through: decades, by: every).map { pow(10, e0 + Double($0)) }
                if decades <= 1 {
                    ticks = [1.0, 2, 5, 10, 20, 50].map { $0 * pow(10, e0) }.filter { $0 <= pow(10, e1) * 1.0000001 }
                }
                self.ticks = ticks
            }
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let power = pow(10, log10(rough).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= rough * 0.999999 { return m * power }
        return 10 * power
    }

    /// Where `value` lies along the axis, from 0 (low end) to 1 (high end).
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - low) / (high - low)
        case .log: return (log10(value) - log10(low)) / (log10(high) - log10(low))
        }
    }

    /// A short label: integers plainly ("64", "4096"), decimals with the digits the ticks need,
    /// and very large or small values in scientific notation ("1e6", "2.5e-4").
    func label(_ value: Double) -> String {
        // Log ticks are far apart in value: each carries the digits it needs itself.
        let step = scale == .log || ticks.count < 2 ? abs(value) : abs(ticks[1] - ticks[0])
        return Axis.label(value, step: step)
    }

    static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let exponent = log10(magnitude).rounded(.down)
            var mantissa = SVG.number(value / pow(10, exponent))
            if mantissa == "10" || mantissa == "-10" { mantissa = value < 0 ? "-1" : "1"; return mantissa + "e" + String(Int(exponent) + 1) }
            return mantissa + "e" + String(Int(exponent))
        }
        if value.rounded() == value { return String(Int(value)) }
        let digits = max(1, min(6, Int((-log10(max(step, 1e-12))).rounded(.up))))
        var text = fmt(value, digits)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
