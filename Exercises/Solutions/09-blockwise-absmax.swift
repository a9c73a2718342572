// Solution 09 · chapter 06 (ch06-nf4): blockwise absmax quantization

/// NF4 codes (one per value) and one absmax per block.
public func quantizeBlockwise(_ values: [Float], blocksize: Int) -> (codes: [UInt8], absmax: [Float]) {
    var codes: [UInt8] = [], absmax: [Float] = []
    codes.reserveCapacity(values.count)
    for start in stride(from: 0, to: values.count, by: blocksize) {
        let block = values[start..<min(start + blocksize, values.count)]  // the last may be short
        // One outlier now only costs precision inside its own block of 64, not the tensor.
        let m = block.reduce(Float(0)) { max($0, abs($1)) }
        absmax.append(m)
        // bitsandbytes multiplies by the reciprocal; x / m can differ in the last bit and flip
        // a code that sits on a threshold. For an all-zero block 1/0 = ∞ and 0·∞ = NaN, which
        // nf4Code sends to code 0; it dequantizes to −1 · 0 = −0.0, a zero as required.
        let inverse = 1 / m
        for x in block { codes.append(nf4Code(x * inverse)) }
    }
    return (codes: codes, absmax: absmax)
}

/// nf4Levels[code] · absmax[i / blocksize] for every code.
public func dequantizeBlockwise(codes: [UInt8], absmax: [Float], blocksize: Int) -> [Float] {
    // One table lookup and one float32 multiply per value: cheap enough to do on the fly
    // inside every forward pass, which is what QLoRA does with its frozen base.
    codes.indices.map { i in nf4Levels[Int(codes[i])] * absmax[i / blocksize] }
}
