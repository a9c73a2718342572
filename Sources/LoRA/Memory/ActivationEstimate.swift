/// The activations a LLaMA-style model keeps for the backward pass, in bytes.
///
/// Per token and per block, in the compute dtype (bfloat16, 2 bytes), with memory-efficient
/// attention (PyTorch's SDPA / FlashAttention keeps the output and a log-sum-exp, no T×T
/// matrix):
/// ```
/// 8·d   the two norms' inputs and outputs, q, k, v, the attention output
/// 4·m   gate_proj and up_proj outputs, SiLU(gate), and their product (down_proj's input)
/// 4·d·t  per LoRA target: PEFT casts the layer input to the adapter's float32 (t targets;
///        q, k and v each keep their own copy)
/// ```
/// Without gradient checkpointing every block keeps all of it. With checkpointing each block
/// keeps only its input (d values), and one block's full set exists again while its backward
/// is recomputed. On top, the logits and their gradient in float32: 2·vocab·4 bytes per token.
///
/// Reference: Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer
/// Models") count the same tensors for GPT blocks.
public enum ActivationEstimate {
    /// Bytes of activations for `tokens` = batch × sequence tokens.
    ///
    /// - Parameters:
    ///   - model: the model's shape.
    ///   - tokens: batch × sequence length.
    ///   - loraTargets: the adapted linear layers (each adds a float32 copy of its input).
    ///   - checkpointing: gradient checkpointing per block (Hugging Face's `gradient_checkpointing_enable`).
    ///   - computeBytes: bytes per value of the compute dtype (2 for bfloat16).
    public static func bytes(_ model: ModelSpec, tokens: Int, loraTargets: [String] = [], checkpointing: Bool, computeBytes: Double = 2) -> Double {
        let (d, m, n) = (Double(model.hiddenSize), Double(model.intermediateSize), Double(tokens))
        let loraInputs = model.linearShapes.filter { loraTargets.contains($0.name) }.reduce(0.0) { $0 + Double($1.inFeatures) * 4 }
        let perBlock = n * ((8 * d + 4 * m) * computeBytes + loraInputs)
        let logits = n * Double(model.vocabularySize) * 4 * 2
        if checkpointing {
            return Double(model.layers) * n * d * computeBytes + perBlock + logits
        }
        return Double(model.layers) * perBlock + logits
    }
}
