/// A dense layer y = x·Wᵀ + b, with W stored (out, in) as in PyTorch and PEFT.
///
/// ```
/// y = x·Wᵀ + b        x: (n, in), W: (out, in), b: (out), y: (n, out)
/// ```
/// A frozen layer (``isTrainable`` false) still passes gradients to its input but reports
/// no weight gradient: that is how LoRA's base layer behaves.
public struct Linear<Scalar: BLASScalar>: Equatable, Sendable {
    /// The weight, (out, in).
    public var weight: Matrix<Scalar>
    /// The bias, (1, out), or `nil`.
    public var bias: Matrix<Scalar>?
    /// Whether the optimizer updates this layer.
    public var isTrainable: Bool

    /// Input features (k).
    public var inFeatures: Int { weight.columns }
    /// Output features (d).
    public var outFeatures: Int { weight.rows }

    /// A layer from an existing weight (out, in) and optional bias (1, out).
    public init(weight: Matrix<Scalar>, bias: Matrix<Scalar>? = nil, isTrainable: Bool = true) {
        if let bias {
            precondition(
                bias.rows == 1 && bias.columns == weight.rows,
                "Linear: bias \(bias.shapeDescription) does not fit weight \(weight.shapeDescription); expected (1, \(weight.rows))")
        }
        self.weight = weight
        self.bias = bias
        self.isTrainable = isTrainable
    }

    /// PyTorch's `nn.Linear` initialisation: W and b from U(−1/√in, 1/√in).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, using generator: inout SeededGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: features must be positive, got in \(inFeatures), out \(outFeatures)")
        let bound = Scalar(1 / Double(inFeatures).squareRoot())
        let w = Matrix<Scalar>.uniform(outFeatures, inFeatures, low: -bound, high: bound, using: &generator)
        let b = bias ? Matrix<Scalar>.uniform(1, outFeatures, low: -bound, high: bound, using: &generator) : nil
        self.init(weight: w, bias: b)
    }

    /// y = x·Wᵀ + b.
    /// - Complexity: one GEMM, 2·n·in·out flops.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(x.columns == inFeatures, "Linear.forward: input \(x.shapeDescription) does not match weight \(weight.shapeDescription)")
        var y = Matrix<Scalar>.zeros(x.rows, outFeatures)
        if let bias {
            for i in 0..<x.rows {
                for j in 0..<outFeatures { y.storage[i * outFeatures + j] = bias.storage[j] }
            }
            // x: (n, in) · Wᵀ: (in, out) → (n, out), accumulated onto the bias.
            Matrix.gemm(x, weight, transposeB: true, beta: 1, into: &y)
        } else {
            Matrix.gemm(x, weight, transposeB: true, into: &y)
        }
        return y
    }

    /// Gradients of a scalar loss through y = x·Wᵀ + b, given ∂L/∂y.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · W        (n, out)·(out, in) → (n, in)
    /// ∂L/∂W = (∂L/∂y)ᵀ · x     (out, n)·(n, in) → (out, in)   (trainable only)
    /// ∂L/∂b = Σ_rows ∂L/∂y                                     (trainable only)
    /// ```
    public func backward(input x: Matrix<Scalar>, outputGradient dy: Matrix<Scalar>) -> LinearGradients<Scalar> {
        precondition(
            dy.rows == x.rows && dy.columns == outFeatures,
            "Linear.backward: output gradient \(dy.shapeDescription) does not match input \(x.shapeDescription) and weight \(weight.shapeDescription)")
        let dx = dy.matmul(weight)
        guard isTrainable else { return LinearGradients(input: dx, weight: nil, bias: nil) }
        let dW = dy.matmul(x, transposeSelf: true)
        return LinearGradients(input: dx, weight: dW, bias: bias == nil ? nil : dy.columnSums)
    }
}

/// What ``Linear/backward(input:outputGradient:)`` returns.
public struct LinearGradients<Scalar: BLASScalar>: Sendable {
    /// ∂L/∂x, (n, in).
    public var input: Matrix<Scalar>
    /// ∂L/∂W, (out, in); `nil` when the layer is frozen.
    public var weight: Matrix<Scalar>?
    /// ∂L/∂b, (1, out); `nil` when frozen or without bias.
    public var bias: Matrix<Scalar>?
}
