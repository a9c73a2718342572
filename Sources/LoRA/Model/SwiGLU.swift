/// The SwiGLU gate of LLaMA's MLP (Shazeer 2020): SiLU of the gate projection times the up projection.
///
/// ```
/// e = exp(−g)      σ(g) = 1/(1 + e)      silu(g) = g/(1 + e)        (PyTorch's silu, = g·σ(g))
/// z = silu(g) ⊙ u                        g = gate_proj(x), u = up_proj(x), both (n, m)
///
/// ∂L/∂u = ∂L/∂z ⊙ silu(g)
/// ∂L/∂g = ∂L/∂z ⊙ u ⊙ silu′(g),         silu′(g) = σ(g)·(1 + g·(1 − σ(g)))
/// ```
/// `exp` is the package's own (``ElementaryFunctions``), the same bits on every machine. The
/// block keeps g and u for the backward pass.
public enum SwiGLU {
    /// silu(g) for one element.
    public static func silu<Scalar: BLASScalar>(_ g: Scalar) -> Scalar {
        g / (1 + Scalar.exp(-g))
    }

    /// silu′(g) for one element.
    public static func siluDerivative<Scalar: BLASScalar>(_ g: Scalar) -> Scalar {
        let sigma = 1 / (1 + Scalar.exp(-g))
        return sigma * (1 + g * (1 - sigma))
    }

    /// z = silu(gate) ⊙ up, element by element; both (n, m).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forward<Scalar: BLASScalar>(gate g: Matrix<Scalar>, up u: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(g.rows == u.rows && g.columns == u.columns, "SwiGLU: gate \(g.shapeDescription) and up \(u.shapeDescription) differ")
        var e = negatedExponentials(g)
        g.storage.withUnsafeBufferPointer { gp in
            u.storage.withUnsafeBufferPointer { up in
                e.withUnsafeMutableBufferPointer { z in
                    for i in z.indices { z[i] = gp[i] / (1 + z[i]) * up[i] }
                }
            }
        }
        return Matrix(rows: g.rows, columns: g.columns, storage: e)
    }

    /// (∂L/∂gate, ∂L/∂up) from ∂L/∂z and the forward inputs; all (n, m).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: BLASScalar>(
        gate g: Matrix<Scalar>, up u: Matrix<Scalar>, outputGradient dz: Matrix<Scalar>
    ) -> (gate: Matrix<Scalar>, up: Matrix<Scalar>) {
        precondition(g.rows == u.rows && g.columns == u.columns && dz.rows == g.rows && dz.columns == g.columns,
                     "SwiGLU.backward: gate \(g.shapeDescription), up \(u.shapeDescription), gradient \(dz.shapeDescription) differ")
        var dGate = negatedExponentials(g)
        var dUp = [Scalar](repeating: 0, count: g.count)
        g.storage.withUnsafeBufferPointer { gp in
            u.storage.withUnsafeBufferPointer { up in
                dz.storage.withUnsafeBufferPointer { gz in
                    dGate.withUnsafeMutableBufferPointer { dg in
                        dUp.withUnsafeMutableBufferPointer { du in
                            for i in dg.indices {
                                let sigma = 1 / (1 + dg[i])
                                du[i] = gz[i] * (gp[i] / (1 + dg[i]))
                                dg[i] = gz[i] * up[i] * (sigma * (1 + gp[i] * (1 - sigma)))
                            }
                        }
                    }
                }
            }
        }
        return (Matrix(rows: g.rows, columns: g.columns, storage: dGate), Matrix(rows: g.rows, columns: g.columns, storage: dUp))
    }

    /// exp(−g) of every element (in the vectorised in-place loop).
    static func negatedExponentials<Scalar: BLASScalar>(_ g: Matrix<Scalar>) -> [Scalar] {
        var e = g.storage.map { -$0 }
        e.withUnsafeMutableBufferPointer { Scalar.exp(inPlace: $0) }
        return e
    }
}
