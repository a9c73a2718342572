// Solution 11 · chapter 08 (ch08-qlora): a memory estimate for QLoRA

/// Bytes to fine-tune every parameter in 16 bits with AdamW.
public func fullFineTuningBytes(parameters: Int) -> Double {
    // bf16 weight (2) + bf16 gradient (2) + AdamW's first and second moments in float32 (4 + 4).
    // 65e9 · 12 = 780 GB, the QLoRA paper's figure for LLaMA-65B; real runs add activations and
    // often a float32 master copy (4 more bytes).
    12 * Double(parameters)
}

/// Bytes for QLoRA: the 4-bit base plus a float32 adapter with float32 AdamW states.
public func qloraBytes(baseParameters: Int, loraParameters: Int) -> Double {
    // The frozen base needs no gradient and no optimizer state, only its NF4 codes and DQ
    // constants (exercise 10): 4.126953125 bits each, about 33.5 GB for 65B parameters.
    let base = Double(baseParameters) * bitsPerParameter(blocksize: 64, doubleQuantization: true) / 8
    // The adapter trains like a full model, and PEFT keeps it in float32: 4 (weight) + 4
    // (gradient) + 8 (two float32 moments) = 16 bytes per parameter, as chapter 08 counts. It is
    // small: r = 64 on all linear layers of LLaMA-65B is 0.8e9 parameters, 12.8 GB. Total ≈ 46 GB.
    let adapter = 16 * Double(loraParameters)
    return base + adapter
}
