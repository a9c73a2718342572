// Exercise 07 · chapter 05 (ch05-nf4): the NF4 code of a value
//
// NF4 has 16 levels (below), built from quantiles of a standard normal and scaled to [−1, 1]:
// 7 negative, an exact 0, 8 positive. A value x (already divided by its block's absmax) gets
// the code of its nearest level, decided exactly as bitsandbytes does: by the midpoints
// between neighbouring levels, computed in Float. A value exactly ON a midpoint goes to the
// LOWER code. NaN gets code 0.
//
// What to do: return the code 0…15 of x.
// Check: swift run exercises 7          Stuck? swift run exercises 7 --hint

/// The 16 NF4 levels, code = index (bitsandbytes `get_4bit_type("nf4")`, float32 values).
public let nf4Levels: [Float] = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]

/// The NF4 code of a normalised value x.
public func nf4Code(_ x: Float) -> UInt8 {
    // TODO: count the midpoints (nf4Levels[i] + nf4Levels[i + 1]) / 2 that lie strictly below x.
    return 0
}
