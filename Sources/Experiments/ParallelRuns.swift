import Notebook

/// `run(item)` for every item of `items` on every core (``parallelMap(_:_:)``), results in the
/// order of `items`: for independent, seeded training runs, whose results then do not depend on
/// the core count.
///
/// ```
/// progress   advanced once per finished run (failed or not); `run` itself must not print or
///            draw (train with trainQuietly, not trainShowingProgress)
/// errors     every run goes to the end; then the first failure in the order of `items` is
///            rethrown, so which error surfaces does not depend on which run finished first
/// ```
public func parallelRuns<Item: Sendable, Run: Sendable>(_ items: [Item], progress: SharedProgress? = nil,
                                                       _ run: @Sendable (Item) throws -> Run) throws -> [Run] {
    let outcomes = parallelMap(items.count) { i in
        let outcome = Result { try run(items[i]) }
        progress?.advance()
        return outcome
    }
    return try outcomes.map { try $0.get() }
}
