/// What a merge or unmerge call did. The library never prints: a caller that wants to warn
/// about a second merge (PEFT does) checks for ``alreadyMerged``.
public enum MergeOutcome: Equatable, Sendable {
    /// ΔW was added to (or removed from) the base weight.
    case changed
    /// Merge asked while already merged: nothing changed.
    case alreadyMerged
    /// Unmerge asked while not merged: nothing changed.
    case notMerged
}

extension LoRALinear {
    /// W ← W0 + s·B·A (formula 5), PEFT's `merge(safe_merge:)`. While merged, forward is the
    /// base alone and costs nothing extra. A second call is a no-op that returns
    /// ``MergeOutcome/alreadyMerged``.
    ///
    /// - Parameter safe: compute the merge on a copy first and refuse it when any merged weight
    ///   would be NaN or infinite.
    /// - Throws: ``LoRAError/nonFiniteMerge(adapter:)`` (safe merge) naming this adapter; the
    ///   layer is then unchanged.
    @discardableResult
    public mutating func merge(safe: Bool = false) throws(LoRAError) -> MergeOutcome {
        guard !isMerged else { return .alreadyMerged }
        var merged = base
        try merged.addProduct(branch.b, branch.a, scale: scale)
        if safe, !merged.denseWeight.isFinite { throw .nonFiniteMerge(adapter: adapterName) }
        setBase(merged, merged: true)
        return .changed
    }

    /// W ← W − s·B·A, recomputed from the current A and B; exact up to rounding for a dense base.
    @discardableResult
    public mutating func unmerge() throws(LoRAError) -> MergeOutcome {
        guard isMerged else { return .notMerged }
        var restored = base
        try restored.addProduct(branch.b, branch.a, scale: -scale)
        setBase(restored, merged: false)
        return .changed
    }

    /// The base with the adapter merged in and no adapter left (PEFT's `merge_and_unload`),
    /// over the dense weight W0 + s·B·A (a 4-bit base is dequantized first, so ΔW is not
    /// rounded away). The result stays frozen, as PEFT leaves the base's `requires_grad` off;
    /// set ``Linear/isTrainable`` to train it further.
    public func mergedAndUnloaded() -> Linear<Scalar> {
        var dense = base.dense(as: Scalar.self)
        if !isMerged { Matrix.gemm(branch.b, branch.a, alpha: scale, beta: 1, into: &dense.weight) }
        dense.isTrainable = false
        return dense
    }
}
