import Foundation

// Fixed-precision number formatting. Every number a chapter prints goes through one of these,
// so the same run prints the same bytes.

/// `x` with exactly `digits` digits after the point: `fmt(3.14159, 3)` → `"3.142"`.
///
/// Negative zero prints as `0`; NaN and infinities print as `nan`, `inf`, `-inf`.
/// - Parameters:
///   - x: the number.
///   - digits: digits after the decimal point (0 or more).
public func fmt(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    let text = String(format: "%.\(max(0, digits))f", x)
    return isNegativeZeroText(text) ? String(text.dropFirst()) : text
}

/// `fmt` for any binary floating-point value (Float, Double).
public func fmt<T: BinaryFloatingPoint>(_ x: T, _ digits: Int) -> String {
    fmt(Double(x), digits)
}

/// A fraction as a percentage: `percent(0.00390625, 6)` → `"0.390625%"`.
/// - Parameters:
///   - fraction: the share, where 1 means 100%.
///   - digits: digits after the point.
public func percent(_ fraction: Double, _ digits: Int = 2) -> String {
    fmt(fraction * 100, digits) + "%"
}

/// Scientific notation with `digits` digits after the point: `sci(0.000123456, 2)` → `"1.23e-04"`.
public func sci(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return fmt(x, 0) }
    let text = String(format: "%.\(max(0, digits))e", x)
    return isNegativeZeroText(text) ? String(text.dropFirst()) : text
}

/// An integer with thousands separators: `grouped(6738415616)` → `"6,738,415,616"`.
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

/// A byte count in the largest unit that keeps the number at least 1.
///
/// ```
/// binary  (default): B, KiB, MiB, GiB, TiB   (powers of 1024)
/// decimal:           B, kB,  MB,  GB,  TB    (powers of 1000, as the papers quote memory)
/// ```
/// `bytes(13_476_831_232, decimal: true)` → `"13.48 GB"`; `bytes(1536)` → `"1.50 KiB"`.
/// - Parameters:
///   - n: number of bytes (may be fractional, e.g. 4.5 bits × parameters / 8).
///   - decimal: powers of 1000 instead of 1024.
///   - digits: digits after the point (whole bytes print without a fraction).
public func bytes(_ n: Double, decimal: Bool = false, digits: Int = 2) -> String {
    let base = decimal ? 1000.0 : 1024.0
    let units = decimal ? ["B", "kB", "MB", "GB", "TB", "PB"] : ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = n
    var unit = 0
    while abs(value) >= base && unit < units.count - 1 {
        value /= base
        unit += 1
    }
    return (unit == 0 ? fmt(value, value.rounded() == value ? 0 : digits) : fmt(value, digits)) + " " + units[unit]
}

/// `bytes` for an integer count.
public func bytes(_ n: Int, decimal: Bool = false, digits: Int = 2) -> String {
    bytes(Double(n), decimal: decimal, digits: digits)
}

/// Pads `text` with spaces on the left (`right: true`) or right to `width` characters.
public func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

/// True for "-0", "-0.000", "-0.00e+00": a rounded negative number that reads as zero.
private func isNegativeZeroText(_ text: String) -> Bool {
    guard text.hasPrefix("-") else { return false }
    let mantissa = text.dropFirst().prefix { $0 != "e" }
    return mantissa.allSatisfy { $0 == "0" || $0 == "." }
}
