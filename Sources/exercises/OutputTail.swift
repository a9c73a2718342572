import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pipe to its end on a background thread, keeping only what a report needs: the last
/// few lines, the first lines that look like a crash message, and how much there was.
///
/// A stub that prints 100 MB costs this reader a few kilobytes.
final class OutputTail: @unchecked Sendable {
    /// Lines kept from the end.
    static let keptLines = 5
    /// Longest line kept (longer lines are cut, with "…").
    static let keptLineLength = 300

    private(set) var lineCount = 0
    private(set) var byteCount = 0
    private(set) var lastLines: [String] = []
    private(set) var crashLines: [String] = []
    private var partial: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `fd` (which this object closes at the end).
    init(reading fd: Int32) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                consume(buffer[0..<n])
            }
            if !partial.isEmpty { finishLine() }
            close(fd)
            done.signal()
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        byteCount += bytes.count
        for byte in bytes {
            if byte == 0x0A { finishLine() } else if partial.count < Self.keptLineLength * 4 { partial.append(byte) }
        }
    }

    private func finishLine() {
        lineCount += 1
        var line = Self.visible(String(decoding: partial, as: UTF8.self))
        if line.count > Self.keptLineLength { line = String(line.prefix(Self.keptLineLength)) + "…" }
        partial.removeAll(keepingCapacity: true)
        if crashLines.count < 3, line.contains("Fatal error") || line.contains("failed to allocate") || line.contains("Exercises/") {
            crashLines.append(line)
        }
        lastLines.append(line)
        if lastLines.count > Self.keptLines { lastLines.removeFirst() }
    }

    /// `line` with control characters shown in caret notation (ESC as `^[`, so a stub's ANSI
    /// escape sequences cannot clear or recolour the learner's terminal); tabs are kept.
    static func visible(_ line: String) -> String {
        var out = ""
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x09: out.unicodeScalars.append(scalar)
            case 0..<0x20, 0x7F: out += "^" + String(Unicode.Scalar(UInt8(scalar.value ^ 0x40)))
            case 0x80..<0xA0: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Waits for the end of the output, at most `seconds`; false when it has not ended (a
    /// process that left the check's group still holds the pipe), and this object must then
    /// not be read.
    func wait(seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .success }

    /// Whether the output says an allocation failed.
    var reportsAllocationFailure: Bool {
        crashLines.contains { $0.contains("failed to allocate") } || lastLines.contains { $0.contains("failed to allocate") }
    }

    /// The output for a report: the last lines, and how many were cut. Empty when there was none.
    func summary(indent: String) -> String {
        guard lineCount > 0 else { return "" }
        let cut = lineCount - lastLines.count
        var lines = [cut > 0
            ? "your code printed \(lineCount) lines (\(byteCount) bytes); the last \(lastLines.count) are shown, \(cut) earlier lines were cut:"
            : "your code printed:"]
        lines += lastLines.map { "| " + $0 }
        return lines.map { indent + $0 }.joined(separator: "\n")
    }
}

/// Reads at most `limit` bytes of a pipe to its end on a background thread (the verdict).
final class BoundedReader: @unchecked Sendable {
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(reading fd: Int32, limit: Int = 1 << 20) {
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                if data.count < limit { data += buffer[0..<min(n, limit - data.count)] }
            }
            close(fd)
            done.signal()
        }
    }

    /// Waits at most `seconds` for the end; false when it has not come (then do not call ``text()``).
    func wait(seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .success }

    /// The text read; call after ``wait(seconds:)`` returned true.
    func text() -> String {
        String(decoding: data, as: UTF8.self)
    }
}
