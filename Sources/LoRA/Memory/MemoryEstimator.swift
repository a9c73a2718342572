/// Where the memory of a fine-tuning run goes, in bytes (1 GB = 10⁹ bytes).
///
/// Activations, the KV cache, framework workspace and fragmentation are not included: they
/// depend on batch size and sequence length, not on the method alone.
public struct MemoryBreakdown: Sendable, Equatable {
    /// The base model's weights (16-bit, or 4-bit codes plus 16-bit non-quantized tensors).
    public var weights: Double
    /// Gradients of the trainable parameters.
    public var gradients: Double
    /// Optimizer state (AdamW: two moments per trainable parameter).
    public var optimizerState: Double
    /// The LoRA factors A and B.
    public var adapterWeights: Double
    /// Absmax constants of the 4-bit weights (with or without double quantization).
    public var quantizationConstants: Double

    /// Everything above.
    public var total: Double { weights + gradients + optimizerState + adapterWeights + quantizationConstants }
    /// `total` in GB (10⁹ bytes).
    public var totalGigabytes: Double { total / 1e9 }
}

/// Memory estimates for full fine-tuning, LoRA and QLoRA of a ``ModelSpec``.
///
/// Assumptions (each a parameter with the default given):
/// - AdamW keeps two moments per trainable parameter, in float32 by default (8 bytes/param);
///   `.int8` models bitsandbytes' 8-bit optimizers.
/// - Full fine-tuning stores weights and gradients in 16-bit (mixed precision without a float32
///   master copy; add one with `masterWeights: true`, which adds 4 bytes/param).
/// - LoRA keeps the base in 16-bit; adapters and their gradients in float32 (PEFT's default:
///   `autocast_adapter_dtype=True` keeps adapter weights in float32 even on a 16-bit base) and
///   AdamW moments in float32.
/// - QLoRA stores every linear layer of every block as 4-bit codes with absmax constants at
///   `blocksize` (64), double-quantized by default (8 bits per block + 32 bits per 256 blocks);
///   embeddings, LM head and norms stay 16-bit (bitsandbytes does not quantize them).
/// - The QLoRA paper's setting is r = 64 on all linear layers; the estimate's defaults follow it.
///
/// With these defaults LLaMA-65B needs 130.6 GB for its 16-bit weights alone (the seed's "~130
/// GB" LoRA row: right as the weights' share, before adapters and activations) and about 44 GB
/// for QLoRA before activations (the seed's "~48 GB", the paper's "< 48 GB": a 48 GB GPU, with
/// activations handled by gradient checkpointing and paged optimizers).
public enum MemoryEstimator {
    /// Full fine-tuning: every parameter trains.
    public static func fullFineTuning(
        _ model: ModelSpec, weights: NumericPrecision = .float16, gradients: NumericPrecision = .float16,
        optimizerState: NumericPrecision = .float32, masterWeights: Bool = false
    ) -> MemoryBreakdown {
        let p = Double(model.parameterCount)
        return MemoryBreakdown(
            weights: p * weights.bytes + (masterWeights ? 4 * p : 0), gradients: p * gradients.bytes,
            optimizerState: 2 * p * optimizerState.bytes, adapterWeights: 0, quantizationConstants: 0)
    }

    /// LoRA: a frozen base plus trainable adapters on `targets`.
    public static func lora(
        _ model: ModelSpec, rank: Int = 64, targets: [String] = ModelSpec.allLinear,
        baseWeights: NumericPrecision = .float16, adapter: NumericPrecision = .float32,
        optimizerState: NumericPrecision = .float32
    ) -> MemoryBreakdown {
        let a = Double(model.adapterParameterCount(rank: rank, targets: targets))
        return MemoryBreakdown(
            weights: Double(model.parameterCount) * baseWeights.bytes, gradients: a * adapter.bytes,
            optimizerState: 2 * a * optimizerState.bytes, adapterWeights: a * adapter.bytes, quantizationConstants: 0)
    }

    /// QLoRA: linear layers in 4-bit (NF4) with blockwise constants, the rest in 16-bit, plus LoRA.
    public static func qlora(
        _ model: ModelSpec, rank: Int = 64, targets: [String] = ModelSpec.allLinear,
        blocksize: Int = 64, doubleQuantization: Bool = true, adapter: NumericPrecision = .float32,
        optimizerState: NumericPrecision = .float32
    ) -> MemoryBreakdown {
        let linear = Double(model.linearParameterCount)
        let other = Double(model.parameterCount - model.linearParameterCount)
        let constantBits = QuantizationStorage.formulaBitsPerParameter(blocksize: blocksize, doubleQuantization: doubleQuantization) - 4
        let a = Double(model.adapterParameterCount(rank: rank, targets: targets))
        return MemoryBreakdown(
            weights: linear * 0.5 + other * NumericPrecision.float16.bytes, gradients: a * adapter.bytes,
            optimizerState: 2 * a * optimizerState.bytes, adapterWeights: a * adapter.bytes,
            quantizationConstants: linear * constantBits / 8)
    }

    /// Bytes saved by double quantization on a model's quantized weights:
    /// (32/b − 8/b − 32/(256·b)) bits per parameter (0.373 at b = 64: ≈ 3.0 GB on LLaMA-65B).
    public static func doubleQuantizationSavings(_ model: ModelSpec, blocksize: Int = 64) -> Double {
        let plain = QuantizationStorage.formulaBitsPerParameter(blocksize: blocksize, doubleQuantization: false)
        let dq = QuantizationStorage.formulaBitsPerParameter(blocksize: blocksize, doubleQuantization: true)
        return Double(model.linearParameterCount) * (plain - dq) / 8
    }
}
