// Exercise 07 · chapter 06 (ch06-nf4): bitsandbytes' NF4 thresholds and the code of a value
//
// NF4 has 16 levels (below), built from quantiles of a standard normal and scaled to [−1, 1]:
// 7 negative, an exact 0, 8 positive. A value x (already divided by its block's absmax) gets
// the code of its nearest level, decided by 15 thresholds between neighbouring levels: the code
// is the number of thresholds strictly below x, so a value exactly ON a threshold goes to the
// LOWER code, and NaN gets code 0.
//
// bitsandbytes does not compute the thresholds: its CUDA kernel (`dQuantizeNF4`) compares with
// 15 decimal literals, the Double means of neighbouring levels written out with an `f` suffix,
// which the compiler reads as float32. Chapter 06 shows that for 11 of them this equals the
// float32 mean (cₖ + cₖ₊₁)/2, but for k = 0, 8, 12 and 14 it is one ulp away. The check feeds
// your nf4Code values exactly on those four thresholds, so Float midpoints give wrong codes.
//
// What to do: reproduce bitsandbytes' 15 thresholds bit for bit, then return the code 0…15 of x.
// Check: swift run exercises 7          Stuck? swift run exercises 7 --hint

/// The 16 NF4 levels, code = index (bitsandbytes `get_4bit_type("nf4")`, float32 values).
public let nf4Levels: [Float] = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]

/// bitsandbytes' 15 thresholds t₀ < … < t₁₄: the CUDA literals, as float32.
public func nf4Thresholds() -> [Float] {
    // TODO: for each pair of neighbouring levels, the literal bitsandbytes compiled (see above).
    return []
}

/// The NF4 code of a normalised value x: how many thresholds lie strictly below x.
public func nf4Code(_ x: Float) -> UInt8 {
    // TODO: count the thresholds strictly below x.
    return 0
}
