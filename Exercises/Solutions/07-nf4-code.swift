// Solution 07 · chapter 06 (ch06-nf4): bitsandbytes' NF4 thresholds and the code of a value

/// The 16 NF4 levels, code = index (bitsandbytes `get_4bit_type("nf4")`, float32 values).
public let nf4Levels: [Float] = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]

/// bitsandbytes' 15 thresholds t₀ < … < t₁₄: the CUDA literals, as float32.
public func nf4Thresholds() -> [Float] {
    (0..<15).map { k in
        // The sum of two floats is exact in Double, so this is the exact mean of the two levels.
        let exactMean = (Double(nf4Levels[k]) + Double(nf4Levels[k + 1])) / 2
        // bitsandbytes' source holds this mean as a decimal literal: the shortest decimal that
        // reads back as the same Double (Python's repr; Swift's description prints the same).
        let literal = String(describing: exactMean)
        // nvcc reads "<literal>f" straight into float32: one rounding, from the decimal. For
        // k = 0, 8, 12, 14 the exact mean is a tie between two floats; Float(exactMean) and
        // (c_k + c_k+1)/2 in Float break the tie to even, while the decimal, which is a hair
        // off the tie, rounds to the other neighbour. Those are the four one-ulp differences.
        return Float(literal) ?? Float(exactMean)
    }
}

/// The NF4 code of a normalised value x: how many thresholds lie strictly below x.
public func nf4Code(_ x: Float) -> UInt8 {
    // The nearest level is the one whose interval contains x; interval i is bounded by
    // thresholds i−1 and i. Counting the thresholds strictly below x gives that index, and `<`
    // (not `<=`) sends a value exactly on a threshold to the LOWER code, as bitsandbytes'
    // comparison tree (`x > threshold` ⇒ upper) does. Values outside [−1, 1] clamp to 0 or 15,
    // and NaN compares false with everything, so it gets 0 — bitsandbytes gives 0 too.
    var code: UInt8 = 0
    for t in thresholds where t < x { code += 1 }
    return code
}

/// The thresholds, computed once: a global is initialised on first use (a kernel has them as
/// constants, and exercise 09 calls nf4Code once per value).
private let thresholds = nf4Thresholds()
