// DoRA's forward and backward passes and the element-wise loops they run (kept in this file
// beside the formulas that call them: debug builds inline nothing across files).

extension DoRAVariant {
    // MARK: Forward and backward

    public func addUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base: Base,
                                          branch: LoRABranch<Scalar>) where Base.Scalar == Scalar {
        // y = base(x) on entry; y += (c − 1) ⊙ (y − b) + c ⊙ s·(x·Aᵀ)·Bᵀ, no dropout.
        var p = y
        if let bias = Self.frozenBias(of: base) { Self.subtractRow(bias, from: &p) }
        var q = Matrix<Scalar>.zeros(x.rows, y.columns)
        branch.addUpdate(input: x, to: &q)
        Self.combine(p: p, q: q, c: magnitude.zipMap(weightNorm(base: base, branch: branch)) { $0 / $1 }, into: &y)
    }

    public func addTrainingUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base: Base,
                                                  branch: LoRABranch<Scalar>, using generator: inout SeededGenerator)
        -> (branch: BranchCache<Scalar>, own: (any LayerCache<Scalar>)?) where Base.Scalar == Scalar {
        trainingUpdate(input: x, to: &y, base: base, branch: branch, weightNorm: weightNorm(base: base, branch: branch), using: &generator)
    }

    /// The training update with n given (see ``LoRALinear/forward(_:weightNorm:training:)``).
    ///
    /// ```
    /// p = x̃·W0ᵀ                  (n, out)   base(x) − b when there is no dropout (no extra GEMM)
    /// q = s·(x̃·Aᵀ)·Bᵀ            (n, out)
    /// y = base(x) + (c − 1) ⊙ p + c ⊙ q
    /// ```
    func trainingUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base: Base, branch: LoRABranch<Scalar>,
                                        weightNorm n: Matrix<Scalar>, using generator: inout SeededGenerator)
        -> (branch: BranchCache<Scalar>, own: (any LayerCache<Scalar>)?) where Base.Scalar == Scalar {
        precondition(n.rows == 1 && n.columns == y.columns, "DoRA: weight norm \(n.shapeDescription), expected (1, \(y.columns))")
        let bias = Self.frozenBias(of: base)
        // q = s·(x̃·Aᵀ)·Bᵀ accumulated on zeros; the branch cache keeps x̃, its mask and x̃·Aᵀ.
        var q = Matrix<Scalar>.zeros(x.rows, y.columns)
        let branchCache = branch.addTrainingUpdate(input: x, to: &q, using: &generator)
        var p: Matrix<Scalar>
        var droppedBaseCache: Base.Cache?
        if branchCache.mask != nil {
            // PEFT: base_result = F.linear(dropout(x), W0), no bias.
            let (dropped, cache) = base.forward(branchCache.droppedInput, training: &generator)
            p = dropped
            droppedBaseCache = cache
            if let bias { Self.subtractRow(bias, from: &p) }
        } else {
            // PEFT: base_result = result − bias.
            p = y
            if let bias { Self.subtractRow(bias, from: &p) }
        }
        let c = magnitude.zipMap(n) { $0 / $1 }
        Self.combine(p: p, q: q, c: c, into: &y)
        let directional = Matrix(rows: p.rows, columns: p.columns, storage: DoRAKernels.sum(p.storage, q.storage))
        return (branchCache, DoRACache<Base>(droppedBase: droppedBaseCache, directional: directional, norm: n, factor: c))
    }

    /// ∂L/∂x, ∂L/∂A, ∂L/∂B and ∂L/∂m given ∂L/∂y, with n a constant (as PEFT's detach makes it).
    ///
    /// ```
    /// ∂L/∂m_j = Σ_i ∂L/∂y_ij · (p + q)_ij / n_j
    /// g = ∂L/∂y ⊙ c             the branch's output gradient (columns scaled by c)
    /// ∂L/∂B = s·gᵀ·u,   ∂L/∂A = (s·g·B)ᵀ·x̃,      u = x̃·Aᵀ
    /// ∂L/∂x = g·W0 + s·(g·B)·A                                       (no dropout)
    /// ∂L/∂x = ∂L/∂y·W0 + mask ⊙ ((∂L/∂y ⊙ (c − 1))·W0 + s·(g·B)·A)   (dropout)
    /// ```
    /// - Complexity: as LoRA's backward, plus one (n, out, in) GEMM with dropout (PEFT's extra
    ///   base product), plus O(n·out) element-wise work.
    public func backward<Base: LoRABase>(_ dy: Matrix<Scalar>, cache: LoRACache<Base>, base: Base,
                                         branch: LoRABranch<Scalar>) -> LayerGradients<Scalar> where Base.Scalar == Scalar {
        guard let own = cache.variant as? DoRACache<Base> else {
            preconditionFailed("DoRA.backward: the cache was not made by a DoRA forward", file: #fileID, line: #line)
        }
        let outFeatures = dy.columns
        precondition(
            dy.rows == own.directional.rows && dy.columns == own.directional.columns,
            "DoRA.backward: output gradient \(dy.shapeDescription) does not match output \(own.directional.shapeDescription)")
        let c = own.factor
        let g = Self.scalingColumns(dy, by: c)
        let dm = Matrix(rows: 1, columns: outFeatures,
                        storage: DoRAKernels.magnitudeGradient(dy.storage, own.directional.storage, norm: own.norm.storage, columns: outFeatures))
        let baseGradient: Matrix<Scalar>
        if let dropped = own.droppedBase, let mask = cache.branch.mask {
            var dx = base.backward(dy, cache: cache.base).input
            var shifted = dy
            DoRAKernels.scaleColumns(&shifted.storage, columns: outFeatures, by: c.storage, shift: -1)  // dy ⊙ (c − 1)
            let through = base.backward(shifted, cache: dropped).input
            dx += Matrix(rows: through.rows, columns: through.columns, storage: DoRAKernels.product(through.storage, mask.storage))
            baseGradient = dx
        } else {
            baseGradient = base.backward(g, cache: cache.base).input
        }
        var grads = branch.backward(g, cache: cache.branch, baseInputGradient: baseGradient)
        grads.parameters.append(NamedTensor(DoRA.magnitudeName, dm))
        return grads
    }

    // MARK: Helpers

    /// The base's frozen bias (1, out), found by name through the one parameter traversal.
    static func frozenBias<Base: LoRABase>(of base: Base) -> Matrix<Scalar>? where Base.Scalar == Scalar {
        base.namedParameters.first { $0.name == "bias" }?.value
    }

    /// ‖row i‖₂ for every row of `w` (out, in) → (1, out), accumulated in Double in index order.
    static func rowNorms(_ w: Matrix<Scalar>) -> Matrix<Scalar> {
        Matrix(rows: 1, columns: w.rows, storage: DoRAKernels.rowNorms(w.storage, rows: w.rows, columns: w.columns))
    }

    /// Every row of `y` (n, out) multiplied element-wise by the row `c` (1, out).
    static func scalingColumns(_ y: Matrix<Scalar>, by c: Matrix<Scalar>) -> Matrix<Scalar> {
        var out = y
        DoRAKernels.scaleColumns(&out.storage, columns: y.columns, by: c.storage, shift: 0)
        return out
    }

    /// y −= b for every row.
    static func subtractRow(_ b: Matrix<Scalar>, from y: inout Matrix<Scalar>) {
        DoRAKernels.subtractRow(b.storage, from: &y.storage, columns: y.columns)
    }

    /// y += (c − 1) ⊙ p + c ⊙ q, PEFT's `result + (mag_norm_scale − 1)·base_result + mag_norm_scale·lora_result·scaling`.
    static func combine(p: Matrix<Scalar>, q: Matrix<Scalar>, c: Matrix<Scalar>, into y: inout Matrix<Scalar>) {
        DoRAKernels.combine(p.storage, q.storage, c.storage, into: &y.storage, columns: y.columns)
    }
}

/// DoRA's element-wise loops, specialized for Float and Double (the layer is called through
/// `any LinearLayer`, where unspecialized generic arithmetic would dominate a step).
enum DoRAKernels {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func rowNorms<Scalar: BLASScalar>(_ w: [Scalar], rows: Int, columns: Int) -> [Scalar] {
        w.withUnsafeBufferPointer { p in
            (0..<rows).map { i in
                var total = 0.0
                for j in 0..<columns {
                    let v = Double(p[i * columns + j])
                    total += v * v
                }
                return Scalar(total.squareRoot())
            }
        }
    }

    /// y[i, j] *= c[j] + shift.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scaleColumns<Scalar: BLASScalar>(_ y: inout [Scalar], columns d: Int, by c: [Scalar], shift: Scalar) {
        y.withUnsafeMutableBufferPointer { o in
            c.withUnsafeBufferPointer { cp in
                for i in 0..<(o.count / max(1, d)) { for j in 0..<d { o[i * d + j] *= cp[j] + shift } }
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func subtractRow<Scalar: BLASScalar>(_ b: [Scalar], from y: inout [Scalar], columns d: Int) {
        y.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { bp in
                for i in 0..<(o.count / max(1, d)) { for j in 0..<d { o[i * d + j] -= bp[j] } }
            }
        }
    }

    /// y += (c − 1)·p + c·q element-wise (c per column).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func combine<Scalar: BLASScalar>(_ p: [Scalar], _ q: [Scalar], _ c: [Scalar], into y: inout [Scalar], columns d: Int) {
        y.withUnsafeMutableBufferPointer { o in
            p.withUnsafeBufferPointer { pp in
                q.withUnsafeBufferPointer { qp in
                    c.withUnsafeBufferPointer { cp in
                        for i in 0..<(o.count / max(1, d)) {
                            for j in 0..<d {
                                let k = i * d + j
                                o[k] += (cp[j] - 1) * pp[k] + cp[j] * qp[k]
                            }
                        }
                    }
                }
            }
        }
    }

    /// p + q element-wise.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func sum<Scalar: BLASScalar>(_ p: [Scalar], _ q: [Scalar]) -> [Scalar] {
        var out = p
        out.withUnsafeMutableBufferPointer { o in
            q.withUnsafeBufferPointer { qp in for k in o.indices { o[k] += qp[k] } }
        }
        return out
    }

    /// ∂L/∂m_j = Σ_i dy_ij · z_ij / n_j, summed over i in Double in row order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func magnitudeGradient<Scalar: BLASScalar>(_ dy: [Scalar], _ z: [Scalar], norm: [Scalar], columns d: Int) -> [Scalar] {
        var totals = [Double](repeating: 0, count: d)
        dy.withUnsafeBufferPointer { g in
            z.withUnsafeBufferPointer { zp in
                for i in 0..<(g.count / max(1, d)) {
                    for j in 0..<d { totals[j] += Double(g[i * d + j]) * Double(zp[i * d + j]) }
                }
            }
        }
        return (0..<d).map { Scalar(totals[$0]) / norm[$0] }
    }

    /// x ⊙ mask element-wise.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func product<Scalar: BLASScalar>(_ x: [Scalar], _ mask: [Scalar]) -> [Scalar] {
        var out = x
        out.withUnsafeMutableBufferPointer { o in
            mask.withUnsafeBufferPointer { m in for k in o.indices { o[k] *= m[k] } }
        }
        return out
    }
}

/// What DoRA's training forward keeps besides the base's and the branch's caches.
struct DoRACache<Base: LoRABase>: LayerCache {
    /// The base's cache for x̃ = drop(x), when dropout is on (PEFT's extra base product).
    let droppedBase: Base.Cache?
    /// p + q = x̃·W0ᵀ + s·x̃·Aᵀ·Bᵀ, (n, out): what m multiplies (for ∂L/∂m).
    let directional: Matrix<Base.Scalar>
    /// n, (1, out), the constant of the backward pass.
    let norm: Matrix<Base.Scalar>
    /// c = m/n, (1, out).
    let factor: Matrix<Base.Scalar>

    var savedTensors: [NamedTensor<Base.Scalar>] {
        (droppedBase?.savedTensors.map { $0.prefixed("dora_dropped") } ?? [])
            + [NamedTensor("dora_directional", directional), NamedTensor("dora_norm", norm), NamedTensor("dora_factor", factor)]
    }
}
