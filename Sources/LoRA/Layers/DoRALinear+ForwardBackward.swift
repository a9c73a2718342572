// DoRA's forward and backward passes, the weight norm n they share, and the element-wise loops
// they run (kept in this file beside the formulas that call them: debug builds inline nothing
// across files).

extension DoRALinear {
    /// n = ‖W0 + s·B·A‖₂ per output row, (1, out) (PEFT's `get_weight_norm`), summed in Double.
    /// - Complexity: one (out, r, in) GEMM onto a copy of W0, then out·in multiply-adds.
    public func weightNorm() -> Matrix<Scalar> {
        // While merged the base holds diag(c)·W' (row norms m); n is the one kept at merge.
        if isMerged, let normAtMerge { return normAtMerge }
        var w = base.denseWeight
        Matrix.gemm(branch.b, branch.a, alpha: scale, beta: 1, into: &w)  // W0 + s·B·A: (out, in)
        return Self.rowNorms(w)
    }

    // MARK: Forward and backward

    /// The training forward with n given instead of computed: the function whose gradient
    /// ``backward(_:cache:)`` returns (n enters only as this constant). The ordinary training
    /// forward calls it with ``weightNorm()``; gradient checks differentiate it with n held fixed.
    ///
    /// ```
    /// p = x̃·W0ᵀ                  (n, out)   base(x) − b when there is no dropout (no extra GEMM)
    /// q = s·(x̃·Aᵀ)·Bᵀ            (n, out)
    /// y = base(x) + (c − 1) ⊙ p + c ⊙ q
    /// ```
    public func forward(_ x: Matrix<Scalar>, weightNorm n: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: DoRACache<Base>) {
        precondition(!isMerged, "DoRALinear '\(adapterName)': cannot train while merged; unmerge first")
        precondition(n.rows == 1 && n.columns == outFeatures, "DoRALinear: weight norm \(n.shapeDescription), expected (1, \(outFeatures))")
        var (y, baseCache) = base.forward(x, training: &generator)
        let bias = frozenBias
        // q = s·(x̃·Aᵀ)·Bᵀ accumulated on zeros; the branch cache keeps x̃, its mask and x̃·Aᵀ.
        var q = Matrix<Scalar>.zeros(x.rows, outFeatures)
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
        return (y, DoRACache(base: baseCache, droppedBase: droppedBaseCache, branch: branchCache, directional: directional, norm: n, factor: c))
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
    public func backward(_ dy: Matrix<Scalar>, cache: DoRACache<Base>) -> LayerGradients<Scalar> {
        precondition(
            dy.rows == cache.directional.rows && dy.columns == outFeatures,
            "DoRALinear.backward: output gradient \(dy.shapeDescription) does not match output \(cache.directional.shapeDescription)")
        let c = cache.factor
        let g = Self.scalingColumns(dy, by: c)
        let dm = Matrix(rows: 1, columns: outFeatures,
                        storage: DoRAKernels.magnitudeGradient(dy.storage, cache.directional.storage, norm: cache.norm.storage, columns: outFeatures))
        let baseGradient: Matrix<Scalar>
        if let dropped = cache.droppedBase, let mask = cache.branch.mask {
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
        grads.parameters.append(NamedTensor(Self.magnitudeName, dm))
        return grads
    }

    // MARK: Helpers

    /// The base's frozen bias (1, out), found by name through the one parameter traversal.
    var frozenBias: Matrix<Scalar>? {
        var copy = base
        var found: Matrix<Scalar>?
        copy.visitParameters { name, value, _ in if name == "bias" { found = value } }
        return found
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

extension DoRALinear: LinearLayer {
    /// Inference forward (no dropout): y = c ⊙ (x·W0ᵀ + s·x·Aᵀ·Bᵀ) + b; the base alone while merged.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        guard !isMerged else { return base.forward(x) }
        var y = base.forward(x)
        var p = y
        if let bias = frozenBias { Self.subtractRow(bias, from: &p) }
        var q = Matrix<Scalar>.zeros(x.rows, outFeatures)
        branch.addUpdate(input: x, to: &q)
        Self.combine(p: p, q: q, c: magnitude.zipMap(weightNorm()) { $0 / $1 }, into: &y)
        return y
    }

    /// Training forward: n computed from the current A and B, then held constant.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: DoRACache<Base>) {
        forward(x, weightNorm: weightNorm(), training: &generator)
    }
}

/// What ``DoRALinear``'s training forward keeps.
public struct DoRACache<Base: LoRABase>: LayerCache {
    /// The base's cache for the undropped x.
    public let base: Base.Cache
    /// The base's cache for x̃ = drop(x), when dropout is on (PEFT's extra base product).
    public let droppedBase: Base.Cache?
    /// x̃, the mask and x̃·Aᵀ.
    public let branch: BranchCache<Base.Scalar>
    /// p + q = x̃·W0ᵀ + s·x̃·Aᵀ·Bᵀ, (n, out): what m multiplies (for ∂L/∂m).
    public let directional: Matrix<Base.Scalar>
    /// n, (1, out), the constant of the backward pass.
    public let norm: Matrix<Base.Scalar>
    /// c = m/n, (1, out).
    public let factor: Matrix<Base.Scalar>

    public var savedTensors: [NamedTensor<Base.Scalar>] {
        base.savedTensors + (droppedBase?.savedTensors.map { $0.prefixed("dora_dropped") } ?? [])
            + [NamedTensor("lora_dropped_input", branch.droppedInput), NamedTensor("lora_down", branch.down),
               NamedTensor("dora_directional", directional), NamedTensor("dora_norm", norm), NamedTensor("dora_factor", factor)]
            + (branch.mask.map { [NamedTensor("lora_dropout_mask", $0)] } ?? [])
    }
}
