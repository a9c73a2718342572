/// A dense layer y = x·Wᵀ + b, with W stored (out, in) as in PyTorch and PEFT.
///
/// ```
/// y = x·Wᵀ + b        x: (n, in), W: (out, in), b: (1, out), y: (n, out)
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
}

extension Linear: LinearLayer {
    /// y = x·Wᵀ + b.
    /// - Complexity: one GEMM, 2·n·in·out flops.
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        precondition(x.columns == inFeatures, "Linear.forward: input \(x.shapeDescription) does not match weight \(weight.shapeDescription)")
        guard let bias else {
            return x.matmul(weight, transposeB: true)  // x: (n, in) · Wᵀ: (in, out) → (n, out)
        }
        // The bias row repeated (whole-row copies, no per-element closure), then the product added.
        var storage: [Scalar] = []
        storage.reserveCapacity(x.rows * outFeatures)
        for _ in 0..<x.rows { storage.append(contentsOf: bias.storage) }
        var y = Matrix<Scalar>(rows: x.rows, columns: outFeatures, storage: storage)
        Matrix.gemm(x, weight, transposeB: true, beta: 1, into: &y)  // accumulated onto the bias
        return y
    }

    /// The output, and x for the backward pass.
    public func forward(_ x: Matrix<Scalar>, training _: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: InputCache<Scalar>) {
        (forward(x), InputCache(input: x))
    }

    /// Gradients of a scalar loss through y = x·Wᵀ + b, given ∂L/∂y.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · W        (n, out)·(out, in) → (n, in)
    /// ∂L/∂W = (∂L/∂y)ᵀ · x     (out, n)·(n, in) → (out, in)   (trainable only)
    /// ∂L/∂b = Σ_rows ∂L/∂y                                     (trainable only)
    /// ```
    public func backward(_ dy: Matrix<Scalar>, cache: InputCache<Scalar>) -> LayerGradients<Scalar> {
        let x = cache.input
        precondition(
            dy.rows == x.rows && dy.columns == outFeatures,
            "Linear.backward: output gradient \(dy.shapeDescription) does not match input \(x.shapeDescription) and weight \(weight.shapeDescription)")
        let dx = dy.matmul(weight)
        guard isTrainable else { return LayerGradients(input: dx) }
        var grads = [NamedTensor("weight", dy.matmul(x, transposeSelf: true))]
        if bias != nil { grads.append(NamedTensor("bias", dy.columnSums)) }
        return LayerGradients(input: dx, parameters: grads)
    }

    /// `weight`, then `bias` if present; both follow ``isTrainable``.
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        body("weight", &weight, &isTrainable)
        if bias != nil { body("bias", &bias!, &isTrainable) }
    }

    public func converted<Other: BLASScalar>(to _: Other.Type) -> any LinearLayer<Other> {
        dense(as: Other.self)
    }
}

extension Linear: LoRABase {
    public func frozen() -> Linear {
        var copy = self
        copy.isTrainable = false
        return copy
    }

    public var denseWeight: Matrix<Scalar> { weight }

    public func dense<Other: BLASScalar>(as _: Other.Type) -> Linear<Other> {
        Linear<Other>(weight: weight.converted(), bias: bias?.converted(), isTrainable: isTrainable)
    }

    /// W ← W + s·B·A in place, one GEMM (exact up to rounding).
    public mutating func addProduct(_ b: Matrix<Scalar>, _ a: Matrix<Scalar>, scale s: Scalar) throws(LoRAError) {
        Matrix.gemm(b, a, alpha: s, beta: 1, into: &weight)
    }
}
