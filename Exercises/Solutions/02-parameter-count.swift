// Solution 02 · chapter 02 (ch02-parameter-counts): LoRA's parameter count and compression

/// Trainable parameters of a rank-r adapter on a (out, in) weight.
public func loraParameterCount(rank: Int, outFeatures: Int, inFeatures: Int) -> Int {
    // A is (r, in) and B is (out, r): r·in + out·r = r·(out + in). Linear in r, and in the
    // layer's width rather than its area.
    rank * (outFeatures + inFeatures)
}

/// LoRA's parameters divided by the full weight's.
public func compressionRatio(rank: Int, outFeatures: Int, inFeatures: Int) -> Double {
    // r·(d + k) / (d·k); for d = k this is 2r/d: r = 8 on a 4096-wide layer is 0.39 %.
    // Double, not Int: integer division would give 0.
    Double(loraParameterCount(rank: rank, outFeatures: outFeatures, inFeatures: inFeatures))
        / (Double(outFeatures) * Double(inFeatures))
}
