// Exercise 02 · chapter 02 (ch02-parameter-counts): LoRA's parameter count and compression
//
// A full update of a (d, k) weight has d·k numbers. A rank-r adapter has A (r, k) and B (d, r).
// For LLaMA-7B's 4096 × 4096 attention weights and r = 8 that is 65,536 instead of 16,777,216.
//
// What to do: return r·(d + k), and the ratio r·(d + k) / (d·k) (≈ 2r/d when d = k).
// Check: swift run exercises 2          Stuck? swift run exercises 2 --hint

/// Trainable parameters of a rank-r adapter on a (out, in) weight.
public func loraParameterCount(rank: Int, outFeatures: Int, inFeatures: Int) -> Int {
    // TODO: count A's and B's entries.
    return 0
}

/// LoRA's parameters divided by the full weight's.
public func compressionRatio(rank: Int, outFeatures: Int, inFeatures: Int) -> Double {
    // TODO: divide in Double.
    return 0
}
