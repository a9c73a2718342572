// Exercise 10 · chapter 07 (ch07-double-quantization): bits per parameter with double quantization
//
// Each block of 64 four-bit codes carries a float32 absmax: 32/64 = 0.5 extra bits per
// parameter, 4.5 in all. Double quantization (QLoRA paper §3) stores those absmax values as
// 8-bit codes instead, plus one float32 scale per 256 blocks:
//
//   4 + 32/64 = 4.5        4 + 8/64 + 32/(64·256) = 4.126953125
//
// (The tiny mean offset and partial blocks are ignored here.) The paper says that saves about
// 0.373 bits per parameter, "approximately 3 GB for a 65B model"; the seed article says 0.5 GB.
//
// What to do: bits per parameter for any block size, and the bytes DQ saves on a model.
// Check: swift run exercises 10         Stuck? swift run exercises 10 --hint

/// Storage bits per parameter of 4-bit blockwise quantization (second-level blocks of 256).
public func bitsPerParameter(blocksize: Int, doubleQuantization: Bool) -> Double {
    // TODO: 4 bits of code plus the per-block constants' share.
    return 0
}

/// Bytes saved by double quantization on a model with `parameters` quantized weights.
public func doubleQuantizationSavings(parameters: Int, blocksize: Int) -> Double {
    // TODO: (bits without DQ − bits with DQ) · parameters / 8.
    return 0
}
