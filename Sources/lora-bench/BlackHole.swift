/// Keeps a benchmark's result alive so the optimizer cannot delete the work that made it.
///
/// The value crosses a function the optimizer may not inline or look into, so every
/// computation feeding it must really run. This is the only such sink in the benchmarks.
@inline(never)
@_optimize(none)
func blackHole<T>(_ value: T) {
    _ = value
}
