/// Rotary position embeddings (Su et al. 2021, "RoFormer"), as transformers' `LlamaRotaryEmbedding`
/// and `apply_rotary_pos_emb` compute them (the `rotate_half` convention).
///
/// Each head's d_h columns are two halves x = [x₁ | x₂] (first half, second half: not interleaved
/// pairs). Column i < d_h/2 of the first half turns with column i of the second by the angle
/// p·ωᵢ of the row's position p:
/// ```
/// ωᵢ = 1 / θ^(2i/d_h)                      i = 0 … d_h/2 − 1   (transformers' inv_freq)
/// y₁ = x₁·cos(p·ω) − x₂·sin(p·ω)          (q·cos + rotate_half(q)·sin, rotate_half(x) = [−x₂ | x₁])
/// y₂ = x₂·cos(p·ω) + x₁·sin(p·ω)
///
/// ∂L/∂x₁ =  ∂L/∂y₁·cos + ∂L/∂y₂·sin        (the rotation is orthogonal: backward turns by −p·ω)
/// ∂L/∂x₂ = −∂L/∂y₁·sin + ∂L/∂y₂·cos
/// ```
/// cos and sin are computed in the element type as transformers does in float32 (ω rounded to the
/// element type, p·ω rounded, then cos and sin of that angle rounded), with the package's own
/// `Double.cos(_:)` and `Double.sin(_:)`, so the same bits on every machine. They are
/// recomputed for the positions of each call (T·d_h/2 pairs, small beside the projections), so a
/// model with a long context keeps no table.
public struct RotaryEmbedding<Scalar: BLASScalar>: Sendable, Equatable {
    /// Width d_h of one head (even).
    public let headDimension: Int
    /// The base θ (`rope_theta`).
    public let theta: Double
    /// ωᵢ, i < d_h/2, in the element type.
    public let inverseFrequencies: [Scalar]

    /// The rotation of heads of width `headDimension` with base `theta`.
    /// - Precondition: `headDimension` is even and positive, θ > 0 (``TransformerConfiguration/validate()`` checks both).
    public init(headDimension: Int, theta: Double) {
        precondition(headDimension > 0 && headDimension % 2 == 0 && theta > 0,
                     "RotaryEmbedding: head dimension \(headDimension) must be even and θ \(theta) positive")
        self.headDimension = headDimension
        self.theta = theta
        let logTheta = Double.log(theta)
        // ωᵢ = 1/θ^(2i/d_h) = exp(−(2i/d_h)·ln θ), rounded to the element type.
        inverseFrequencies = (0..<headDimension / 2).map { i in
            Scalar(1 / Double.exp(Double(2 * i) / Double(headDimension) * logTheta))
        }
    }

    /// cos(p·ωᵢ) and sin(p·ωᵢ) for p in `positions`: row p − lowerBound, column i, each
    /// (positions, d_h/2) row-major. The angle is the element type's product ω·p (exact in Double,
    /// rounded once, as transformers' float32 `inv_freq @ position_ids`).
    public func table(positions: Range<Int>) -> (cosines: [Scalar], sines: [Scalar]) {
        let half = headDimension / 2
        var c = [Scalar](repeating: 0, count: positions.count * half), s = c
        for (row, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Scalar(inverseFrequencies[i].doubleValue * Double(p)).doubleValue
                c[row * half + i] = Scalar(Double.cos(angle))
                s[row * half + i] = Scalar(Double.sin(angle))
            }
        }
        return (c, s)
    }

    /// Rotates every head of every row: `x` is (N, heads·d_h), row n at position `positions[n]`
    /// (≥ 0). `inverse` turns by −p·ω (the backward pass: ∂L/∂x from ∂L/∂y).
    /// - Precondition: the width is a whole number of heads, one position per row.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rotate(_ x: Matrix<Scalar>, positions: [Int], inverse: Bool = false) -> Matrix<Scalar> {
        let (n, width) = (x.rows, x.columns)
        precondition(width % headDimension == 0 && positions.count == n,
                     "RotaryEmbedding: input \(x.shapeDescription) is not whole heads of width \(headDimension) for \(positions.count) positions")
        guard let first = positions.min(), let last = positions.max() else { return x }
        precondition(first >= 0, "RotaryEmbedding: negative position \(first)")
        let (cosines, sines) = table(positions: first..<(last + 1))
        let half = headDimension / 2
        var out = [Scalar](repeating: 0, count: n * width)
        x.storage.withUnsafeBufferPointer { xp in
            cosines.withUnsafeBufferPointer { cp in
                sines.withUnsafeBufferPointer { sp in
                    out.withUnsafeMutableBufferPointer { yp in
                        for r in 0..<n {
                            let row = (positions[r] - first) * half
                            for head in stride(from: r * width, to: (r + 1) * width, by: headDimension) {
                                for i in 0..<half {
                                    let c = cp[row + i], s = inverse ? -sp[row + i] : sp[row + i]
                                    let x1 = xp[head + i], x2 = xp[head + half + i]
                                    yp[head + i] = x1 * c + (-x2) * s      // x·cos + rotate_half(x)·sin, first half
                                    yp[head + half + i] = x2 * c + x1 * s  // second half
                                }
                            }
                        }
                    }
                }
            }
        }
        return Matrix(rows: n, columns: width, storage: out)
    }
}
