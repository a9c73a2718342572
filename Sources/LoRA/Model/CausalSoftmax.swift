/// Row-wise softmax under a causal mask, in place on square (T, T) blocks stacked as rows.
///
/// Row i of each block only sees columns j ≤ i (the future is masked to probability 0):
/// ```
/// pᵢⱼ = exp(sᵢⱼ − mᵢ) / Σ_{l ≤ i} exp(sᵢₗ − mᵢ)   for j ≤ i,   pᵢⱼ = 0 for j > i
/// ∂L/∂sᵢⱼ = pᵢⱼ · (∂L/∂pᵢⱼ − Σ_l pᵢₗ · ∂L/∂pᵢₗ)
/// ```
/// (mᵢ is the row maximum, subtracted for stability; it cancels.)
public enum CausalSoftmax {
    /// Replaces each score row by its masked softmax. `scores` is (blocks·T, T).
    public static func forward<Scalar: BLASScalar>(_ scores: inout Matrix<Scalar>) {
        let t = scores.columns
        precondition(t > 0 && scores.rows % t == 0, "CausalSoftmax: scores \(scores.shapeDescription) are not a stack of (T, T) blocks")
        forwardEachRow(&scores)  // the loop over rows: below
    }

    /// One row: s (T scores) → p, where query position i sees the first i + 1 scores.
    @inline(__always)
    static func softmax<Scalar: BLASScalar>(row s: UnsafeMutableBufferPointer<Scalar>, position i: Int) {
        var m = s[0]
        for j in 0...i where s[j] > m { m = s[j] }
        for j in 0...i { s[j] -= m }
        Scalar.exp(inPlace: UnsafeMutableBufferPointer(rebasing: s[0...i]))
        var total: Scalar = 0
        for j in 0...i { total += s[j] }
        let inverse = 1 / total
        for j in 0...i { s[j] *= inverse }
        for j in (i + 1)..<s.count { s[j] = 0 }
    }

    /// Turns ∂L/∂p into ∂L/∂s in place, given the probabilities p from ``forward(_:)``.
    public static func backward<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        precondition(
            probabilities.rows == gradient.rows && probabilities.columns == gradient.columns,
            "CausalSoftmax.backward: probabilities \(probabilities.shapeDescription) and gradient \(gradient.shapeDescription) differ")
        backwardEachRow(probabilities: probabilities, gradient: &gradient)  // the loop: below
    }

    /// One row: g = ∂L/∂p → ∂L/∂s = p ⊙ (g − ⟨p, g⟩), over the first i + 1 entries.
    @inline(__always)
    static func backward<Scalar: BLASScalar>(row p: UnsafeBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>, position i: Int) {
        var dot: Scalar = 0
        for j in 0...i { dot += p[j] * g[j] }
        for j in 0...i { g[j] = p[j] * (g[j] - dot) }
        for j in (i + 1)..<g.count { g[j] = 0 }
    }
}

// MARK: - The loops
// The formulas above, applied to every element (row), in a Float and a Double instance of each
// loop (``ConcreteScalar``, Kernels/): there the per-element maths is inlined and the loops
// vectorize, where generic code would call through the protocol for every + and ×. They sit in
// this file because the compiler inlines across files only in optimised whole-module builds.

extension CausalSoftmax {
    static func forwardEachRow<Scalar: BLASScalar>(_ scores: inout Matrix<Scalar>) {
        ConcreteScalar.update(&scores, float: forwardLoop, double: forwardLoop)
    }

    static func backwardEachRow<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        ConcreteScalar.update(&gradient, reading: probabilities, float: backwardLoop, double: backwardLoop)
    }

    @inline(__always)
    static func forwardLoop<S: BLASScalar>(_ scores: inout Matrix<S>) {
        let t = scores.columns
        scores.storage.withUnsafeMutableBufferPointer { p in
            for row in 0..<(p.count / t) {
                softmax(row: UnsafeMutableBufferPointer(rebasing: p[(row * t)..<((row + 1) * t)]), position: row % t)
            }
        }
    }

    @inline(__always)
    static func backwardLoop<S: BLASScalar>(_ probabilities: Matrix<S>, _ gradient: inout Matrix<S>) {
        let t = probabilities.columns
        probabilities.storage.withUnsafeBufferPointer { pp in
            gradient.storage.withUnsafeMutableBufferPointer { g in
                for row in 0..<(pp.count / t) {
                    let range = (row * t)..<((row + 1) * t)
                    backward(row: UnsafeBufferPointer(rebasing: pp[range]), gradient: UnsafeMutableBufferPointer(rebasing: g[range]),
                             position: row % t)
                }
            }
        }
    }
}
