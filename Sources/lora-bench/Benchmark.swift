import Notebook  // monotonicSeconds(), fmt(_:_:)

/// Median wall time of `body` over `repetitions` runs, after `warmup` untimed runs.
func medianSeconds(warmup: Int = 2, repetitions: Int, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var times = [Double]()
    for _ in 0..<repetitions {
        let start = monotonicSeconds()
        body()
        times.append(monotonicSeconds() - start)
    }
    return median(times)
}

/// Medians of two bodies timed in alternation (A, B, A, B, …), so that machine noise hits both alike.
func interleavedMedians(warmup: Int = 2, repetitions: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    for _ in 0..<warmup { a(); b() }
    var ta = [Double](), tb = [Double]()
    for _ in 0..<repetitions {
        var start = monotonicSeconds()
        a()
        ta.append(monotonicSeconds() - start)
        start = monotonicSeconds()
        b()
        tb.append(monotonicSeconds() - start)
    }
    return (median(ta), median(tb))
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// One reported figure. A ratio carries the two timings it divides.
struct BenchmarkResult {
    enum Direction: String { case atLeast = "≥", atMost = "≤" }
    let name: String
    let value: Double
    let unit: String
    var numerator: (label: String, seconds: Double)? = nil
    var denominator: (label: String, seconds: Double)? = nil
    var target: (Direction, Double)? = nil

    var meetsTarget: Bool? {
        guard let (direction, bound) = target else { return nil }
        return direction == .atLeast ? value >= bound : value <= bound
    }

    var json: String {
        var fields = ["\"name\": \(jsonString(name))", "\"value\": \(jsonNumber(value))", "\"unit\": \(jsonString(unit))"]
        if let n = numerator { fields.append("\"numerator\": {\"label\": \(jsonString(n.label)), \"seconds\": \(jsonNumber(n.seconds))}") }
        if let d = denominator { fields.append("\"denominator\": {\"label\": \(jsonString(d.label)), \"seconds\": \(jsonNumber(d.seconds))}") }
        if let (direction, bound) = target {
            fields.append("\"target\": {\"direction\": \(jsonString(direction == .atLeast ? "at_least" : "at_most")), \"value\": \(jsonNumber(bound))}")
            fields.append("\"meets_target\": \(meetsTarget! ? "true" : "false")")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
