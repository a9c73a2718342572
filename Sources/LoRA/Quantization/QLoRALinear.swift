/// A LoRA layer over a frozen 4-bit base weight: QLoRA (Dettmers et al. 2023, §3).
///
/// ```
/// y = x·dequant(W4)ᵀ + b + s · (drop(x)·Aᵀ)·Bᵀ
///
/// x: (n, in)   W4: (out, in) NF4 codes + absmax   A: (r, in)   B: (out, r)   s = α/r (or α/√r)
/// ```
/// Not a second LoRA: ``LoRALinear`` over a ``QuantizedLinear`` base, as PEFT's `Linear4bit` is
/// its LoRA mixin over bitsandbytes' 4-bit layer. The base weight is never held as a float
/// matrix: forward and backward dequantize it in tiles (see ``QuantizedLinear``). All compute
/// is float32 (bitsandbytes computes in the layer's compute dtype, often bfloat16).
public typealias QLoRALinear = LoRALinear<QuantizedLinear>

extension LoRALinear where Base == QuantizedLinear {
    /// Quantizes `base.weight` and wraps it with an adapter initialised exactly as a LoRA layer
    /// over the float base would be (same draws from `generator`; with PiSSA the residual is
    /// what gets quantized, as PEFT does).
    ///
    /// - Parameters:
    ///   - base: the float layer whose weight is quantized (its bias stays float).
    ///   - hyperparameters: the adapter's r, α, dropout, scaling and initialisation.
    ///   - blocksize: 4-bit blocksize (QLoRA uses 64).
    ///   - codebook: the 4-bit code values (NF4 by default, as QLoRA).
    ///   - doubleQuantization: quantize the absmax constants too (QLoRA's default).
    ///   - adapterName: the adapter's name (PEFT's `"default"`).
    ///   - generator: the source of the factors' random draws.
    /// - Throws: ``LoRAError`` for a bad configuration, ``QuantizationError`` for non-finite weights.
    public init(
        base: Linear<Float>, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        blocksize: Int = 64, codebook: FourBitCodebook = .nf4, doubleQuantization: Bool = true,
        adapterName: String = "default", using generator: inout SeededGenerator
    ) throws {
        let lora = try LoRALinear<Linear<Float>>(base: base, hyperparameters: hyperparameters, adapterName: adapterName, using: &generator)
        self = try lora.mapBase {
            try QuantizedLinear(quantizing: $0, blocksize: blocksize, codebook: codebook, doubleQuantization: doubleQuantization)
        }
        // A variant starts from the quantized base, as PEFT's DoRA magnitude does on a 4-bit model.
        variant = hyperparameters.variant?.recipe.start(base: base, branch: branch)
    }

    /// Wraps an already quantized weight with given factors.
    /// - Throws: ``LoRAError`` when the shapes or values disagree.
    public init(
        weight: QuantizedTensor, bias: Matrix<Float>?, a: Matrix<Float>, b: Matrix<Float>,
        hyperparameters: LoRAHyperparameters, adapterName: String = "default"
    ) throws(LoRAError) {
        try self.init(base: QuantizedLinear(weight: weight, bias: bias), a: a, b: b, hyperparameters: hyperparameters, adapterName: adapterName)
    }

    /// The frozen 4-bit base weight, (out, in).
    public var weight: QuantizedTensor { base.weight }
    /// The frozen bias, (1, out), or `nil`.
    public var bias: Matrix<Float>? { base.bias }
    /// Trainable parameters: r·(in + out).
    public var trainableParameterCount: Int { rank * (inFeatures + outFeatures) }
    /// Rows of W dequantized at a time (the base's ``QuantizedLinear/tileRows``).
    public var tileRows: Int {
        get { base.tileRows }
        set {
            var b = base
            b.tileRows = newValue
            setBase(b, merged: isMerged)
        }
    }
}
