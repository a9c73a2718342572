/// A batch of equal-length token sequences laid end to end, with next-token targets.
///
/// Row n = b·T + t of the model's activations is token t of sequence b. `targets[n]` is the
/// token the model should predict at that position, or ``CrossEntropy/ignoreIndex`` when the
/// position is not scored (prompt tokens: only answer tokens count in our tasks).
public struct TokenBatch: Sendable, Equatable {
    /// batch·T token ids.
    public var tokens: [Int]
    /// batch·T targets (next token or ``CrossEntropy/ignoreIndex``).
    public var targets: [Int]
    /// Number of sequences.
    public var batchSize: Int
    /// Length T of every sequence.
    public var sequenceLength: Int

    /// A batch; the precondition names the sizes when they disagree.
    public init(tokens: [Int], targets: [Int], batchSize: Int, sequenceLength: Int) {
        precondition(tokens.count == batchSize * sequenceLength && targets.count == tokens.count,
                     "TokenBatch: \(tokens.count) tokens and \(targets.count) targets for \(batchSize) sequences of length \(sequenceLength)")
        self.tokens = tokens
        self.targets = targets
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
    }

    /// Number of scored positions.
    public var scoredCount: Int { targets.filter { $0 != CrossEntropy.ignoreIndex }.count }
}

/// Gradients of the loss with respect to the trainable tensors, by full parameter name
/// (e.g. `layers.0.self_attn.q_proj.lora_A.weight`).
public struct ParameterGradients<Scalar: BLASScalar>: Sendable {
    /// The gradient of each trainable tensor.
    public var tensors: [String: Matrix<Scalar>]

    /// An empty set.
    public init(tensors: [String: Matrix<Scalar>] = [:]) { self.tensors = tensors }

    /// The global norm √(Σ over every tensor of Σ g²), accumulated in Double, tensors in name order
    /// (a Dictionary's own order changes from run to run, and so would the rounding).
    public var globalNorm: Double {
        tensors.keys.sorted().reduce(0.0) { $0 + Self.sumOfSquares(tensors[$1]!) }.squareRoot()
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func sumOfSquares(_ m: Matrix<Scalar>) -> Double {
        m.storage.withUnsafeBufferPointer { p in
            // Four running sums (i mod 4), so the loop vectorizes; a fixed order, so it is deterministic.
            var lanes = SIMD4<Double>(repeating: 0)
            let whole = p.count / 4 * 4
            var i = 0
            while i < whole {
                let v = SIMD4<Double>(p[i].doubleValue, p[i + 1].doubleValue, p[i + 2].doubleValue, p[i + 3].doubleValue)
                lanes += v * v
                i += 4
            }
            var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
            for j in whole..<p.count { total += p[j].doubleValue * p[j].doubleValue }
            return total
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scaled(_ m: Matrix<Scalar>, by factor: Scalar) -> Matrix<Scalar> {
        var out = m
        out.storage.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= factor } }
        return out
    }

    /// Multiplies every gradient by `factor`.
    public mutating func scale(by factor: Scalar) {
        for key in tensors.keys { tensors[key] = Self.scaled(tensors[key]!, by: factor) }
    }

    /// Total number of gradient elements.
    public var elementCount: Int { tensors.values.reduce(0) { $0 + $1.count } }
}
