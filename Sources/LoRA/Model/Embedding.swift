/// A lookup table: row `i` of ``weight`` is the vector for index `i` (PyTorch's `nn.Embedding`).
///
/// ```
/// y[n] = E[index[n]]          E: (count, dim), y: (N, dim)
/// ∂L/∂E[i] = Σ_{n : index[n] = i} ∂L/∂y[n]
/// ```
/// The model uses one for tokens (`embed_tokens`) and one for positions (`embed_positions`).
public struct Embedding<Scalar: BLASScalar>: Sendable, Equatable {
    /// The table, (count, dim).
    public var weight: Matrix<Scalar>
    /// Whether the optimizer updates the table.
    public var isTrainable: Bool

    /// A table from N(0, std²) (GPT-2 uses std 0.02; we use a larger default for a tiny model).
    public init(count: Int, dimension: Int, std: Double, using generator: inout SeededGenerator) {
        weight = .normal(count, dimension, std: Scalar(std), using: &generator)
        isTrainable = true
    }

    /// A table from given rows.
    public init(weight: Matrix<Scalar>, isTrainable: Bool = true) {
        self.weight = weight
        self.isTrainable = isTrainable
    }

    /// Gathers one row per index.
    /// - Precondition: every index is in 0..<count.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ indices: [Int]) -> Matrix<Scalar> {
        let d = weight.columns
        var out = [Scalar](repeating: 0, count: indices.count * d)
        weight.storage.withUnsafeBufferPointer { w in
            out.withUnsafeMutableBufferPointer { o in
                for (n, index) in indices.enumerated() {
                    precondition(index >= 0 && index < weight.rows, "Embedding: index \(index) outside table of \(weight.rows) rows")
                    for j in 0..<d { o[n * d + j] = w[index * d + j] }
                }
            }
        }
        return Matrix(rows: indices.count, columns: d, storage: out)
    }

    /// ∂L/∂E: scatter-adds each output-gradient row into the row of its index. An embedding
    /// has no input gradient (its input is token ids), so this returns the table's gradient only.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Matrix<Scalar>, indices: [Int]) -> Matrix<Scalar> {
        precondition(
            dy.rows == indices.count && dy.columns == weight.columns,
            "Embedding.backward: gradient \(dy.shapeDescription) does not match \(indices.count) indices of width \(weight.columns)")
        let d = weight.columns
        var grad = [Scalar](repeating: 0, count: weight.count)
        dy.storage.withUnsafeBufferPointer { g in
            grad.withUnsafeMutableBufferPointer { o in
                for (n, index) in indices.enumerated() {
                    for j in 0..<d { o[index * d + j] += g[n * d + j] }
                }
            }
        }
        return Matrix(rows: weight.rows, columns: d, storage: grad)
    }
}

extension Embedding: Module {
    /// The table, `weight`.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        body("weight", &weight, &isTrainable)
    }
}
