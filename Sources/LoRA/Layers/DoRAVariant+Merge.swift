// DoRA's merge into the base and its inverse (PEFT's `merge`/`unmerge`/`merge_and_unload` for DoRA).

extension DoRAVariant {
    /// W ← diag(m/n)·(W0 + s·B·A) (PEFT's DoRA merge), with n kept for unmerging.
    ///
    /// The update is applied through the base's one write, ``LoRABase/addProduct(_:_:scale:)``:
    /// ```
    /// diag(c)·(W0 + s·B·A) = W0 + [diag(c − 1) | s·diag(c)·B] · [W0 ; A]      (out, out + r)·(out + r, in)
    /// ```
    /// so a 4-bit base is dequantized, updated and re-quantized once.
    /// - Throws: ``LoRAError/nonFiniteWeight`` (a 4-bit base that cannot hold the result).
    public mutating func merge<Base: LoRABase>(into base: inout Base, branch: LoRABranch<Scalar>,
                                               adapterName _: String) throws(LoRAError) where Base.Scalar == Scalar {
        let n = weightNorm(base: base, branch: branch)
        let c = magnitude.zipMap(n) { $0 / $1 }
        let w0 = base.denseWeight
        let (d, r, s) = (base.outFeatures, branch.rank, branch.scale)
        let left = Matrix<Scalar>(rows: d, columns: d + r) { i, j in
            j < d ? (i == j ? c.storage[i] - 1 : 0) : s * c.storage[i] * branch.b[i, j - d]
        }
        let right = Matrix<Scalar>(rows: d + r, columns: base.inFeatures) { i, j in i < d ? w0[i, j] : branch.a[i - d, j] }
        try base.addProduct(left, right, scale: 1)
        normAtMerge = n
    }

    /// W ← W/c − s·B·A with the n kept at merge (PEFT's DoRA unmerge); exact up to rounding for
    /// a dense base.
    public mutating func unmerge<Base: LoRABase>(from base: inout Base, branch: LoRABranch<Scalar>,
                                                 adapterName: String) throws(LoRAError) where Base.Scalar == Scalar {
        guard let n = normAtMerge else {
            preconditionFailed("DoRA '\(adapterName)': unmerge without the norm kept at merge", file: #fileID, line: #line)
        }
        let c = magnitude.zipMap(n) { $0 / $1 }
        let w = base.denseWeight
        let (d, r, s) = (base.outFeatures, branch.rank, branch.scale)
        // W/c − s·B·A = W + [diag(1/c − 1) | −s·B] · [W ; A]
        let left = Matrix<Scalar>(rows: d, columns: d + r) { i, j in
            j < d ? (i == j ? 1 / c.storage[i] - 1 : 0) : -s * branch.b[i, j - d]
        }
        let right = Matrix<Scalar>(rows: d + r, columns: base.inFeatures) { i, j in i < d ? w[i, j] : branch.a[i - d, j] }
        try base.addProduct(left, right, scale: 1)
        normAtMerge = nil
    }

    /// The dense layer diag(m/n)·(W0 + s·B·A) (PEFT's `merge_and_unload`), `dense` holding W0.
    public func merge(into dense: inout Linear<Scalar>, branch: LoRABranch<Scalar>) {
        Matrix.gemm(branch.b, branch.a, alpha: branch.scale, beta: 1, into: &dense.weight)  // W' = W0 + s·B·A
        let c = magnitude.zipMap(Self.rowNorms(dense.weight)) { $0 / $1 }
        dense.weight = Self.scalingRows(dense.weight, by: c)
    }

    /// diag(c)·w: row i of `w` (out, in) multiplied by c_i, c: (1, out).
    static func scalingRows(_ w: Matrix<Scalar>, by c: Matrix<Scalar>) -> Matrix<Scalar> {
        Matrix(rows: w.rows, columns: w.columns) { i, j in c.storage[i] * w[i, j] }
    }
}
