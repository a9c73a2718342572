// Exercise 11 · chapter 08 (ch08-qlora): a memory estimate for QLoRA
//
// The model used here (weights and optimizer state only; activations are left out):
//
//   full fine-tuning, 16-bit:  12 bytes per parameter
//       2 (bf16 weight) + 2 (bf16 gradient) + 8 (AdamW's two float32 moments)
//   QLoRA:  P · 4.126953125 / 8  +  16 bytes per LoRA parameter
//       the frozen base in NF4 with double quantization (exercise 10, blocksize 64), and the
//       adapter in float32, as PEFT keeps it: 4 (weight) + 4 (gradient) + 8 (AdamW's two
//       float32 moments), the count chapter 08 uses
//
// For LLaMA-65B the first gives 780 GB (the QLoRA paper: "more than 780 GB"), the second fits
// the paper's single 48 GB GPU.
//
// What to do: implement both formulas, in bytes.
// Check: swift run exercises 11         Stuck? swift run exercises 11 --hint

/// Bytes to fine-tune every parameter in 16 bits with AdamW.
public func fullFineTuningBytes(parameters: Int) -> Double {
    // TODO: bytes per parameter times parameters.
    return 0
}

/// Bytes for QLoRA: the 4-bit base plus a float32 adapter with float32 AdamW states.
public func qloraBytes(baseParameters: Int, loraParameters: Int) -> Double {
    // TODO: the base at 4.126953125 bits per parameter plus the adapter's 16 bytes per parameter.
    return 0
}
