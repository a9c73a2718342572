/// Root-mean-square layer normalisation with a learned gain (Zhang & Sennrich 2019; LLaMA's norm).
///
/// For each row x of width d:
/// ```
/// ρ = 1 / √(mean(x²) + ε)        x̂ = ρ·x        y = x̂ ⊙ g
///
/// ∂L/∂g = Σ_rows ∂L/∂y ⊙ x̂
/// ∂L/∂x = ρ · (ĝ − x̂ · mean(ĝ ⊙ x̂))      where ĝ = ∂L/∂y ⊙ g
/// ```
public struct RMSNorm<Scalar: BLASScalar>: Sendable, Equatable {
    /// The gain g, (1, d), initialised to ones.
    public var weight: Matrix<Scalar>
    /// ε inside the root.
    public var epsilon: Double
    /// Whether the optimizer updates g.
    public var isTrainable: Bool

    /// A norm over rows of width `dimension` with g = 1.
    public init(dimension: Int, epsilon: Double = 1e-5) {
        weight = Matrix(rows: 1, columns: dimension, repeating: 1)
        self.epsilon = epsilon
        isTrainable = true
    }

    /// y = x̂ ⊙ g, and ρ per row.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func normalize(_ x: Matrix<Scalar>) -> (output: Matrix<Scalar>, inverseRMS: [Scalar]) {
        let (n, d) = (x.rows, x.columns)
        precondition(d == weight.columns, "RMSNorm: input \(x.shapeDescription) does not match gain \(weight.shapeDescription)")
        var y = [Scalar](repeating: 0, count: n * d)
        var rho = [Scalar](repeating: 0, count: n)
        let eps = Scalar(epsilon)
        x.storage.withUnsafeBufferPointer { xp in
            weight.storage.withUnsafeBufferPointer { g in
                y.withUnsafeMutableBufferPointer { yp in
                    for i in 0..<n {
                        var ss: Scalar = 0
                        for j in 0..<d { ss += xp[i * d + j] * xp[i * d + j] }
                        let r = 1 / (ss / Scalar(d) + eps).squareRoot()
                        rho[i] = r
                        for j in 0..<d { yp[i * d + j] = xp[i * d + j] * r * g[j] }
                    }
                }
            }
        }
        return (Matrix(rows: n, columns: d, storage: y), rho)
    }

    /// ∂L/∂x and (when trainable) ∂L/∂g, from the input and the ρ of the forward pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func gradients(
        input x: Matrix<Scalar>, inverseRMS rho: [Scalar], outputGradient dy: Matrix<Scalar>
    ) -> (input: Matrix<Scalar>, weight: Matrix<Scalar>?) {
        let (n, d) = (x.rows, x.columns)
        precondition(dy.rows == n && dy.columns == d, "RMSNorm.backward: gradient \(dy.shapeDescription) does not match input \(x.shapeDescription)")
        var dx = [Scalar](repeating: 0, count: n * d)
        var dg = [Scalar](repeating: 0, count: d)
        x.storage.withUnsafeBufferPointer { xp in
            dy.storage.withUnsafeBufferPointer { gy in
                weight.storage.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { dxp in
                        for i in 0..<n {
                            let r = rho[i]
                            var dot: Scalar = 0
                            for j in 0..<d {
                                let xhat = xp[i * d + j] * r
                                dot += gy[i * d + j] * g[j] * xhat
                                dg[j] += gy[i * d + j] * xhat
                            }
                            let meanDot = dot / Scalar(d)
                            for j in 0..<d {
                                let xhat = xp[i * d + j] * r
                                dxp[i * d + j] = r * (gy[i * d + j] * g[j] - xhat * meanDot)
                            }
                        }
                    }
                }
            }
        }
        return (Matrix(rows: n, columns: d, storage: dx), isTrainable ? Matrix(rows: 1, columns: d, storage: dg) : nil)
    }
}

extension RMSNorm: Layer, Module {
    /// y = x̂ ⊙ g.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> { normalize(x).output }

    /// y, and x and ρ for the backward pass.
    public func forward(_ x: Matrix<Scalar>, training _: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: RMSNormCache<Scalar>) {
        let (y, rho) = normalize(x)
        return (y, RMSNormCache(input: x, inverseRMS: rho))
    }

    /// ∂L/∂x, and ∂L/∂g as `weight` when trainable.
    public func backward(_ dy: Matrix<Scalar>, cache: RMSNormCache<Scalar>) -> LayerGradients<Scalar> {
        let g = gradients(input: cache.input, inverseRMS: cache.inverseRMS, outputGradient: dy)
        return LayerGradients(input: g.input, parameters: g.weight.map { [NamedTensor("weight", $0)] } ?? [])
    }

    /// The gain, `weight`.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        body("weight", &weight, &isTrainable)
    }
}

/// What ``RMSNorm``'s training forward keeps: x and ρ = 1/√(mean(x²) + ε) per row.
public struct RMSNormCache<Scalar: BLASScalar>: LayerCache {
    /// The input x, (n, d).
    public let input: Matrix<Scalar>
    /// ρ per row.
    public let inverseRMS: [Scalar]

    public var savedTensors: [NamedTensor<Scalar>] {
        [NamedTensor("input", input), NamedTensor("inverse_rms", Matrix(rows: inverseRMS.count, columns: 1, storage: inverseRMS))]
    }
}
