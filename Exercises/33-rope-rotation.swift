// Exercise 33 · chapter 18 (ch18-inside-the-llama-block): turn a query to its position (RoPE)
//
// A LLaMA has no position table: every query and key of a head is turned by angles that grow
// with its position p (Su et al. 2021, RoFormer). transformers' LlamaRotaryEmbedding and
// apply_rotary_pos_emb compute, for one head of even width d and base θ (`rope_theta`):
//
//   ωᵢ = θ^(−2i/d)                     i = 0 … d/2 − 1           (inv_freq)
//   angles = [p·ω₀, …, p·ω_{d/2−1}] written twice: cos, sin have length d  (cat(freqs, freqs))
//   rotate_half([x₁ | x₂]) = [−x₂ | x₁]   x₁ the first d/2 values, x₂ the last d/2
//   rope(x, p) = x ⊙ cos + rotate_half(x) ⊙ sin
//
// So column i turns together with column i + d/2 (the two halves of the head), not with its
// neighbour i + 1 as in the RoFormer paper. Position 0 leaves x unchanged, and every position
// keeps x's length. `Double.exp`, `Double.log`, `Double.cos`, `Double.sin` (from LoRA) or
// Foundation's `pow`, `cos`, `sin` all work. The check compares with the library's
// `RotaryEmbedding`, the code chapters 16–18 run.
//
// What to do: return x turned to position `position`.
// Check: swift run exercises 33         Stuck? swift run exercises 33 --hint
import LoRA

/// One head's vector `x` (even width d) turned to position `position` (≥ 0) with base `theta`,
/// as transformers' rotary embedding does it (rotate_half convention).
public func rotaryEmbedding(_ x: [Double], position: Int, theta: Double) -> [Double] {
    // TODO: inv_freq, the angles, cos and sin written twice, rotate_half, and the sum. This
    // placeholder returns x unchanged, which is right only at position 0.
    return x
}
