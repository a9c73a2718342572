import Dispatch
import Foundation

/// `body(0) … body(count − 1)` on every core, results in index order.
///
/// For independent, seeded jobs (training runs with their own generators): each result depends
/// only on its index, so the output is the same bytes whatever the core count or the order in
/// which jobs finish. `body` must not print; report progress through ``SharedProgress``.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = ResultSlots<T>(count)
    DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, body(i)) }
    return slots.values
}

/// A ``ProgressBar`` that jobs on several threads can advance ("job k of n finished").
public final class SharedProgress: @unchecked Sendable {
    private let bar: ProgressBar
    private let lock = NSLock()
    private var done = 0

    /// A bar over `total` jobs, drawn only at a terminal.
    public init(total: Int, label: String) { bar = ProgressBar(total: max(1, total), label: label) }

    /// Marks one more job finished.
    public func advance(note: String = "") {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        bar.update(done, note: note)
    }

    /// Erases the bar.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        bar.finish()
    }
}

private final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(_ count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }
    var values: [T] { slots.map { $0! } }
}
