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
    /// W ← W0 + s·B·A (formula 5). While merged, forward is the base alone and costs nothing extra.
    ///
    /// A second call is a no-op that returns ``MergeOutcome/alreadyMerged``.
    @discardableResult
    public mutating func merge() -> MergeOutcome {
        guard !isMerged else { return .alreadyMerged }
        var w = base.weight
        Matrix.gemm(b, a, alpha: scale, beta: 1, into: &w)
        setBaseWeight(w)
        setMerged(true)
        return .changed
    }

    /// Merge computed on a copy first; refuses when any merged weight would be NaN or infinite.
    /// - Throws: ``LoRAError/nonFiniteMerge(adapter:)`` naming this adapter; the layer is unchanged.
    @discardableResult
    public mutating func safeMerge() throws -> MergeOutcome {
        guard !isMerged else { return .alreadyMerged }
        var w = base.weight
        Matrix.gemm(b, a, alpha: scale, beta: 1, into: &w)
        guard w.isFinite else { throw LoRAError.nonFiniteMerge(adapter: adapterName) }
        setBaseWeight(w)
        setMerged(true)
        return .changed
    }

    /// W ← W − s·B·A, recomputed from the current A and B; exact up to rounding.
    @discardableResult
    public mutating func unmerge() -> MergeOutcome {
        guard isMerged else { return .notMerged }
        var w = base.weight
        Matrix.gemm(b, a, alpha: -scale, beta: 1, into: &w)
        setBaseWeight(w)
        setMerged(false)
        return .changed
    }

    /// A plain ``Linear`` holding W0 + s·B·A and the base bias: no adapter left (PEFT's
    /// `merge_and_unload`). The result is trainable like any fresh layer.
    public func mergeAndUnload() -> Linear<Scalar> {
        var copy = self
        copy.merge()
        var plain = copy.base
        plain.isTrainable = true
        return plain
    }
}
