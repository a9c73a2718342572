#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text docs pages show in place of a wall-clock measurement.
public let livePlaceholder = "‹timed live›"

/// A value that differs from run to run, such as a wall-clock time or a ratio of two times.
///
/// At a terminal it is shown as computed. On a docs page (``Notebook/isDocsMode``) it becomes
/// ``livePlaceholder``, so that pages stay byte-identical between runs and machines while every
/// deterministic number (FLOP counts, losses, errors) is still printed from this run.
/// Decisions must never depend on a live value.
public func live(_ text: @autoclosure () -> String) -> String {
    Notebook.isDocsMode ? livePlaceholder : text()
}

/// A duration in adaptive units with 3 significant decimals: `812.4 µs`, `3.27 ms`, `1.20 s`.
public func duration(_ seconds: Double) -> String {
    let s = abs(seconds)
    if s < 1e-3 { return fmt(seconds * 1e6, 1) + " µs" }
    if s < 1 { return fmt(seconds * 1e3, 2) + " ms" }
    return fmt(seconds, 2) + " s"
}

/// Seconds on a monotonic clock, for timing code in chapters (show results through ``live(_:)``).
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The median wall time of `body` over `repetitions` runs after one warm-up run.
public func medianTime(repetitions: Int = 5, _ body: () -> Void) -> Double {
    body()
    var times = [Double]()
    for _ in 0..<max(1, repetitions) {
        let start = monotonicSeconds()
        body()
        times.append(monotonicSeconds() - start)
    }
    times.sort()
    return times[times.count / 2]
}
