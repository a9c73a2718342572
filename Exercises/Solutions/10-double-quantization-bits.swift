// Solution 10 · chapter 07 (ch07-double-quantization): bits per parameter with double quantization

/// Storage bits per parameter of 4-bit blockwise quantization (second-level blocks of 256).
public func bitsPerParameter(blocksize: Int, doubleQuantization: Bool) -> Double {
    let b = Double(blocksize)
    // Each parameter: its 4-bit code, plus its share of its block's constant.
    // Without DQ the constant is a float32: 32/b bits each (0.5 at b = 64).
    // With DQ it is an 8-bit code (8/b), and every 256 such codes share a float32 scale:
    // 32/(256·b). At b = 64: 0.125 + 0.001953125, so 4.126953125 bits.
    return doubleQuantization ? 4 + 8 / b + 32 / (b * 256) : 4 + 32 / b
}

/// Bytes saved by double quantization on a model with `parameters` quantized weights.
public func doubleQuantizationSavings(parameters: Int, blocksize: Int) -> Double {
    // 0.373046875 bits · 65e9 / 8 = 3.03e9 bytes: the paper's "approximately 3 GB for a 65B
    // model". The seed article's 0.5 GB is about six times too small.
    let saved = bitsPerParameter(blocksize: blocksize, doubleQuantization: false)
        - bitsPerParameter(blocksize: blocksize, doubleQuantization: true)
    return saved * Double(parameters) / 8
}
