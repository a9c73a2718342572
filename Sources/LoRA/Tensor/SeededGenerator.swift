/// A seeded pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// Every random number in the package comes from here, never from the system generator, so
/// the same seed gives the same bits on every run and platform. Uniform doubles use the top 53
/// bits; normal samples use the Box–Muller transform (one pair per two uniforms, the second
/// value kept for the next call) with the package's own `log`, `sin` and `cos`, so that the
/// samples, not only the bits, are the same on every platform.
///
/// References: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018);
/// Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (SplitMix64, 2014).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

    /// A generator whose whole future is fixed by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in [low, high).
    public mutating func nextUniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A normal sample N(mean, std²) by Box–Muller.
    public mutating func nextNormal(mean: Double = 0, std: Double = 1) -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return mean + std * z
        }
        let u1 = 1.0 - nextUnit()  // (0, 1]: log is finite
        let u2 = nextUnit()
        let radius = (-2.0 * Double.log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = radius * Double.sin(angle)
        return mean + std * radius * Double.cos(angle)
    }

    /// A uniform integer in 0..<bound (Lemire's nearly-divisionless method via the standard library).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "SeededGenerator.nextInt(below:) needs a positive bound, got \(bound)")
        return Int.random(in: 0..<bound, using: &self)
    }

    /// A Bernoulli draw that is `true` with probability `p`.
    public mutating func nextBool(probability p: Double) -> Bool { nextUnit() < p }
}
