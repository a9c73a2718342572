#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(_ scores: inout Matrix<Scalar>) {
        let t = scores.columns
        precondition(t > 0 && scores.rows % t == 0, "CausalSoftmax: scores \(scores.shapeDescription) are not a stack of (T, T) blocks")
        scores.storage.withUnsafeMutableBufferPointer { p in
            for row in 0..<scores.rows {
                let i = row % t  // position of the query inside its block
                let base = row * t
                var m = p[base]
                for j in 0...i where p[base + j] > m { m = p[base + j] }
                var total: Scalar = 0
                for j in 0...i {
                    let e = exponential(p[base + j] - m)
                    p[base + j] = e
                    total += e
                }
                let inverse = 1 / total
                for j in 0...i { p[base + j] *= inverse }
                for j in (i + 1)..<t { p[base + j] = 0 }
            }
        }
    }

    /// Turns ∂L/∂p into ∂L/∂s in place, given the probabilities p from ``forward(_:)``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        precondition(
            probabilities.rows == gradient.rows && probabilities.columns == gradient.columns,
            "CausalSoftmax.backward: probabilities \(probabilities.shapeDescription) and gradient \(gradient.shapeDescription) differ")
        let t = probabilities.columns
        probabilities.storage.withUnsafeBufferPointer { pp in
            gradient.storage.withUnsafeMutableBufferPointer { g in
                for row in 0..<probabilities.rows {
                    let i = row % t
                    let base = row * t
                    var dot: Scalar = 0
                    for j in 0...i { dot += pp[base + j] * g[base + j] }
                    for j in 0...i { g[base + j] = pp[base + j] * (g[base + j] - dot) }
                    for j in (i + 1)..<t { g[base + j] = 0 }
                }
            }
        }
    }
}

/// eˣ in the scalar's own precision (single-precision `expf` for Float).
@inline(__always)
private func exponential<Scalar: BLASScalar>(_ x: Scalar) -> Scalar {
    if Scalar.self == Float.self { return unsafeBitCast(expf(unsafeBitCast(x, to: Float.self)), to: Scalar.self) }
    return Scalar(exp(x.doubleValue))
}
