// Solution 33 · chapter 18 (ch18-inside-the-llama-block): turn a query to its position (RoPE)
import LoRA

/// One head's vector `x` (even width d) turned to position `position` (≥ 0) with base `theta`,
/// as transformers' rotary embedding does it (rotate_half convention).
public func rotaryEmbedding(_ x: [Double], position: Int, theta: Double) -> [Double] {
    let d = x.count, half = d / 2
    var out = x
    for i in 0..<half {
        // ωᵢ = θ^(−2i/d): 1 radian per position for i = 0, ever slower towards the last plane.
        // Written as exp(−(2i/d)·ln θ), which is what a power with a real exponent is.
        let omega = Double.exp(-Double(2 * i) / Double(d) * Double.log(theta))
        let angle = Double(position) * omega
        let (c, s) = (Double.cos(angle), Double.sin(angle))
        // cos and sin are the same for column i and column i + d/2 (the angles written twice),
        // and rotate_half puts −x[i + d/2] under column i and x[i] under column i + d/2:
        //   out[i]        = x[i]·cos + (−x[i + d/2])·sin
        //   out[i + d/2]  = x[i + d/2]·cos + x[i]·sin
        // which is the 2-D rotation of the pair (x[i], x[i + d/2]) by the angle.
        out[i] = x[i] * c - x[i + half] * s
        out[i + half] = x[i + half] * c + x[i] * s
    }
    return out
}
