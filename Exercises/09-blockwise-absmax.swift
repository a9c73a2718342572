// Exercise 09 · chapter 06 (ch06-nf4): blockwise absmax quantization
//
// One scale for a whole tensor lets a single outlier crush every other value's precision.
// bitsandbytes cuts the flattened tensor into blocks of `blocksize` values (64 by default; the
// last block may be shorter) and gives each block its own absmax = max |x| (float32):
//
//   code[i]  = nf4Code(x[i] · (1 / absmax[b]))      b = i / blocksize
//   x̂[i]    = nf4Levels[code[i]] · absmax[b]
//
// Multiply by the reciprocal as bitsandbytes does (it can differ from x / absmax in the last
// bit). An all-zero block has absmax 0; it must dequantize to zeros, never NaN.
//
// The check compares your codes and absmax with the library's quantizer, which is bit-exact
// with bitsandbytes, including a block whose values sit exactly on bitsandbytes' thresholds.
//
// What to do: quantize (one code per value, unpacked) and dequantize. Uses your exercise 07.
// Check: swift run exercises 9          Stuck? swift run exercises 9 --hint

/// NF4 codes (one per value) and one absmax per block.
public func quantizeBlockwise(_ values: [Float], blocksize: Int) -> (codes: [UInt8], absmax: [Float]) {
    // TODO: loop over blocks; find absmax; code every value with nf4Code.
    return (codes: [], absmax: [])
}

/// nf4Levels[code] · absmax[i / blocksize] for every code.
public func dequantizeBlockwise(codes: [UInt8], absmax: [Float], blocksize: Int) -> [Float] {
    // TODO: one float32 multiply per value.
    return []
}
