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
    /// W ← W0 + s·B·A (formula 5), PEFT's `merge(safe_merge:)`, or the variant's merge
    /// (``LoRAVariant/merge(into:branch:adapterName:)``). While merged, forward is the base alone
    /// and costs nothing extra. A second call is a no-op that returns ``MergeOutcome/alreadyMerged``.
    ///
    /// - Parameter safe: compute the merge on a copy first and refuse it when any merged
    ///   parameter of the base would be NaN or infinite.
    /// - Throws: ``LoRAError/nonFiniteMerge(adapter:)`` (safe merge) naming this adapter, or what
    ///   the variant's merge throws; the layer is then unchanged.
    @discardableResult
    public mutating func merge(safe: Bool = false) throws(LoRAError) -> MergeOutcome {
        guard !isMerged else { return .alreadyMerged }
        var merged = base
        var mergedVariant = variant
        if mergedVariant != nil {
            try mergedVariant!.merge(into: &merged, branch: branch, adapterName: adapterName)
        } else {
            try merged.addProduct(branch.b, branch.a, scale: scale)
        }
        if safe, !(merged.denseWeight.isFinite && merged.namedParameters.allSatisfy { $0.value.isFinite }) {
            throw .nonFiniteMerge(adapter: adapterName)
        }
        variant = mergedVariant
        setBase(merged, merged: true)
        return .changed
    }

    /// W ← W − s·B·A (or the variant's unmerge), recomputed from the current A and B; exact up
    /// to rounding for a dense base.
    @discardableResult
    public mutating func unmerge() throws(LoRAError) -> MergeOutcome {
        guard isMerged else { return .notMerged }
        var restored = base
        var restoredVariant = variant
        if restoredVariant != nil {
            try restoredVariant!.unmerge(from: &restored, branch: branch, adapterName: adapterName)
        } else {
            try restored.addProduct(branch.b, branch.a, scale: -scale)
        }
        variant = restoredVariant
        setBase(restored, merged: false)
        return .changed
    }

    /// The base with the adapter merged in and no adapter left (PEFT's `merge_and_unload`),
    /// over the dense weight W0 + s·B·A (or the variant's merged function; a 4-bit base is
    /// dequantized first, so ΔW is not rounded away). The result is frozen, whatever the
    /// variant, as PEFT leaves the base's `requires_grad` off; set ``Linear/isTrainable`` to
    /// train it further.
    public func mergedAndUnloaded() -> Linear<Scalar> {
        var dense = base.dense(as: Scalar.self)
        if !isMerged {
            if let variant {
                variant.merge(into: &dense, branch: branch)
            } else {
                Matrix.gemm(branch.b, branch.a, alpha: scale, beta: 1, into: &dense.weight)
            }
        }
        dense.isTrainable = false
        return dense
    }
}
