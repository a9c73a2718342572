// DoRA's merge into the base and its inverse (PEFT's `merge`/`unmerge`/`merge_and_unload` for DoRA).

extension DoRALinear {
    /// W ← diag(m/n)·(W0 + s·B·A) (PEFT's DoRA merge), with n kept for ``unmerge()``. While
    /// merged, forward is the base alone. A second call returns ``MergeOutcome/alreadyMerged``.
    ///
    /// The update is applied through the base's one write, ``LoRABase/addProduct(_:_:scale:)``:
    /// ```
    /// diag(c)·(W0 + s·B·A) = W0 + [diag(c − 1) | s·diag(c)·B] · [W0 ; A]      (out, out + r)·(out + r, in)
    /// ```
    /// so a 4-bit base is dequantized, updated and re-quantized once.
    /// - Parameter safe: refuse (and change nothing) when the merged weight would hold NaN or infinity.
    /// - Throws: ``LoRAError/nonFiniteMerge(adapter:)`` (safe merge) or ``LoRAError/nonFiniteWeight``.
    @discardableResult
    public mutating func merge(safe: Bool = false) throws(LoRAError) -> MergeOutcome {
        guard !isMerged else { return .alreadyMerged }
        let n = weightNorm()
        let c = magnitude.zipMap(n) { $0 / $1 }
        let w0 = base.denseWeight
        let (d, r) = (outFeatures, branch.rank)
        let left = Matrix<Scalar>(rows: d, columns: d + r) { i, j in
            j < d ? (i == j ? c.storage[i] - 1 : 0) : scale * c.storage[i] * branch.b[i, j - d]
        }
        let right = Matrix<Scalar>(rows: d + r, columns: inFeatures) { i, j in i < d ? w0[i, j] : branch.a[i - d, j] }
        var merged = base
        try merged.addProduct(left, right, scale: 1)
        if safe, !merged.denseWeight.isFinite { throw .nonFiniteMerge(adapter: adapterName) }
        setBase(merged, mergedAtNorm: n)
        return .changed
    }

    /// W ← W/c − s·B·A with the n kept at merge (PEFT's DoRA unmerge); exact up to rounding for
    /// a dense base.
    @discardableResult
    public mutating func unmerge() throws(LoRAError) -> MergeOutcome {
        guard isMerged, let n = normAtMerge else { return .notMerged }
        let c = magnitude.zipMap(n) { $0 / $1 }
        let w = base.denseWeight
        let (d, r) = (outFeatures, branch.rank)
        // W/c − s·B·A = W + [diag(1/c − 1) | −s·B] · [W ; A]
        let left = Matrix<Scalar>(rows: d, columns: d + r) { i, j in
            j < d ? (i == j ? 1 / c.storage[i] - 1 : 0) : -scale * branch.b[i, j - d]
        }
        let right = Matrix<Scalar>(rows: d + r, columns: inFeatures) { i, j in i < d ? w[i, j] : branch.a[i - d, j] }
        var restored = base
        try restored.addProduct(left, right, scale: 1)
        setBase(restored, mergedAtNorm: nil)
        return .changed
    }

    /// The dense layer diag(m/n)·(W0 + s·B·A) with no adapter left (PEFT's `merge_and_unload`).
    public func mergedAndUnloaded() -> Linear<Scalar> {
        var dense = base.dense(as: Scalar.self)
        if !isMerged {
            let c = magnitude.zipMap(weightNorm()) { $0 / $1 }
            Matrix.gemm(branch.b, branch.a, alpha: scale, beta: 1, into: &dense.weight)
            dense.weight = Self.scalingRows(dense.weight, by: c)
        }
        dense.isTrainable = true
        return dense
    }

    /// diag(c)·w: row i of `w` (out, in) multiplied by c_i, c: (1, out).
    static func scalingRows(_ w: Matrix<Scalar>, by c: Matrix<Scalar>) -> Matrix<Scalar> {
        Matrix(rows: w.rows, columns: w.columns) { i, j in c.storage[i] * w[i, j] }
    }
}
