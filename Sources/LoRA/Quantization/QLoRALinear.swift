/// A LoRA layer over a frozen 4-bit base weight: QLoRA (Dettmers et al. 2023, §3).
///
/// ```
/// y = x·dequant(W4)ᵀ + b + s · (drop(x)·Aᵀ)·Bᵀ
///
/// x: (n, in)   W4: (out, in) NF4 codes + absmax   A: (r, in)   B: (out, r)   s = α/r (or α/√r)
/// ```
/// A ``QuantizedLinear`` base plus a ``LoRABranch``, as ``LoRALinear`` is a ``Linear`` base plus
/// the same branch. The base weight is never held as a float matrix: forward and backward
/// dequantize it in tiles of ``tileRows`` rows (see ``QuantizedLinear``). All compute is
/// float32 (bitsandbytes computes in the layer's compute dtype, often bfloat16; float32 keeps
/// our comparison with ``LoRALinear`` exact up to summation order). A and B, their
/// initialisation, dropout and scaling are ``LoRALinear``'s; only the base differs.
public struct QLoRALinear: Sendable {
    /// The frozen 4-bit base layer.
    public internal(set) var base: QuantizedLinear
    /// The frozen 4-bit base weight, (out, in).
    public internal(set) var weight: QuantizedTensor {
        get { base.weight }
        set { base.weight = newValue }
    }
    /// The frozen bias, (1, out), or `nil`.
    public var bias: Matrix<Float>? { base.bias }
    /// A, B, scaling and dropout: the same trainable branch as ``LoRALinear``'s.
    public var branch: LoRABranch<Float>
    /// The down-projection A, (r, in).
    public var a: Matrix<Float> {
        get { branch.a }
        set { branch.a = newValue }
    }
    /// The up-projection B, (out, r).
    public var b: Matrix<Float> {
        get { branch.b }
        set { branch.b = newValue }
    }
    /// The adapter's hyper-parameters (shared with ``LoRALinear``).
    public var hyperparameters: LoRAHyperparameters { branch.hyperparameters }
    /// The adapter's name, used in messages.
    public let adapterName: String
    /// Rows of W dequantized at a time (the base's ``QuantizedLinear/tileRows``).
    public var tileRows: Int {
        get { base.tileRows }
        set { base.tileRows = newValue }
    }

    /// The rank r.
    public var rank: Int { hyperparameters.rank }
    /// The scaling s as `Float`.
    public var scale: Float { branch.scale }
    /// Input features.
    public var inFeatures: Int { base.inFeatures }
    /// Output features.
    public var outFeatures: Int { base.outFeatures }

    /// Quantizes `base.weight` and wraps it with an adapter initialised exactly as
    /// ``LoRALinear`` would (same draws from `generator`; with PiSSA the residual is quantized).
    ///
    /// - Parameters:
    ///   - blocksize: 4-bit blocksize (QLoRA uses 64).
    ///   - doubleQuantization: quantize the absmax constants too (QLoRA's default).
    /// - Throws: ``LoRAError`` for a bad configuration, ``QuantizationError`` for non-finite weights.
    public init(
        base: Linear<Float>, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, codebook: FourBitCodebook = .nf4, doubleQuantization: Bool = true,
        adapterName: String = "default", using generator: inout SeededGenerator
    ) throws {
        let lora = try LoRALinear(base: base, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
        let quantized = try QuantizedLinear(quantizing: lora.base, blocksize: blocksize, codebook: codebook, doubleQuantization: doubleQuantization)
        try self.init(base: quantized, a: lora.a, b: lora.b, hyperparameters: hyperparameters, adapterName: adapterName)
    }

    /// Wraps an already quantized weight with given factors.
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` when the shapes or values disagree.
    public init(
        weight: QuantizedTensor, bias: Matrix<Float>?, a: Matrix<Float>, b: Matrix<Float>,
        hyperparameters: LoRAHyperparameters, adapterName: String = "default"
    ) throws {
        try self.init(base: QuantizedLinear(weight: weight, bias: bias), a: a, b: b, hyperparameters: hyperparameters, adapterName: adapterName)
    }

    /// Wraps a 4-bit base layer with given factors A (r, in) and B (out, r).
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` when the shapes or values disagree.
    public init(
        base: QuantizedLinear, a: Matrix<Float>, b: Matrix<Float>,
        hyperparameters: LoRAHyperparameters, adapterName: String = "default"
    ) throws {
        try hyperparameters.validate(inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        try LoRABranch.validate(a: a, b: b, rank: hyperparameters.rank, inFeatures: base.inFeatures, outFeatures: base.outFeatures)
        self.base = base
        self.branch = LoRABranch(a: a, b: b, hyperparameters: hyperparameters)
        self.adapterName = adapterName
    }

    // MARK: Forward and backward

    /// Inference forward (no dropout).
    public func forward(_ x: Matrix<Float>) -> Matrix<Float> {
        var y = base.forward(x)
        branch.addUpdate(input: x, to: &y)
        return y
    }

    /// Training forward: draws the dropout mask from `generator` (as ``LoRALinear`` does) and
    /// returns what backward needs.
    public func forward(_ x: Matrix<Float>, training generator: inout SeededGenerator) -> (output: Matrix<Float>, cache: LoRACache<Float>) {
        var y = base.forward(x)
        let cache = branch.addTrainingUpdate(input: x, to: &y, using: &generator)
        return (y, cache)
    }

    /// Gradients for x, A and B (the 4-bit weight is frozen and gets none); see ``LoRABranch``.
    ///
    /// ```
    /// ∂L/∂x = ∂L/∂y · dequant(W4) + mask ⊙ (∂L/∂u · A)    (the base term tile by tile)
    /// ```
    public func backward(_ dy: Matrix<Float>, cache: LoRACache<Float>) -> LoRAGradients<Float> {
        precondition(
            dy.rows == cache.input.rows && dy.columns == outFeatures,
            "QLoRALinear.backward: output gradient \(dy.shapeDescription) does not match input \(cache.input.shapeDescription) and weight \(weight.shapeDescription)")
        return branch.backward(dy, cache: cache, baseInputGradient: base.inputGradient(dy))
    }

    /// ΔW = s·B·A, (out, in).
    public var deltaWeight: Matrix<Float> { branch.deltaWeight }

    /// Trainable parameters: r·(in + out).
    public var trainableParameterCount: Int { rank * (inFeatures + outFeatures) }
}
