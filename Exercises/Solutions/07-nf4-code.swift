// Solution 07 · chapter 05 (ch05-nf4): the NF4 code of a value

/// The 16 NF4 levels, code = index (bitsandbytes `get_4bit_type("nf4")`, float32 values).
public let nf4Levels: [Float] = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]

/// The 15 decision thresholds: the Float mean of each pair of neighbours.
private let nf4Midpoints: [Float] = (0..<15).map { (nf4Levels[$0] + nf4Levels[$0 + 1]) / 2 }

/// The NF4 code of a normalised value x.
public func nf4Code(_ x: Float) -> UInt8 {
    // The nearest level is the one whose interval contains x; interval i is bounded by
    // midpoints i−1 and i. Counting the midpoints strictly below x gives that index, and `<`
    // (not `<=`) sends a value exactly on a midpoint to the LOWER code, as bitsandbytes'
    // comparison tree (`x > midpoint` ⇒ upper) does. Values outside [−1, 1] clamp to 0 or 15,
    // and NaN compares false with everything, so it gets 0 — bitsandbytes gives 0 too.
    var code: UInt8 = 0
    for m in nf4Midpoints where m < x { code += 1 }
    return code
}
