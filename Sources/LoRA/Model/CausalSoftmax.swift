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
        forwardEachRow(&scores)  // the loop over rows: Kernels/Model+ElementLoops.swift
    }

    /// One row: s (T scores) → p, where query position i sees the first i + 1 scores.
    @inline(__always)
    static func softmax<Scalar: BLASScalar>(row s: UnsafeMutableBufferPointer<Scalar>, position i: Int) {
        var m = s[0]
        for j in 0...i where s[j] > m { m = s[j] }
        var total: Scalar = 0
        for j in 0...i {
            s[j] = Scalar.exp(s[j] - m)
            total += s[j]
        }
        let inverse = 1 / total
        for j in 0...i { s[j] *= inverse }
        for j in (i + 1)..<s.count { s[j] = 0 }
    }

    /// Turns ∂L/∂p into ∂L/∂s in place, given the probabilities p from ``forward(_:)``.
    public static func backward<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        precondition(
            probabilities.rows == gradient.rows && probabilities.columns == gradient.columns,
            "CausalSoftmax.backward: probabilities \(probabilities.shapeDescription) and gradient \(gradient.shapeDescription) differ")
        backwardEachRow(probabilities: probabilities, gradient: &gradient)  // Kernels/Model+ElementLoops.swift
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
