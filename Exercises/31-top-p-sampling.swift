// Exercise 31 · chapter 16 (ch16-a-tiny-llama): one sampling step with temperature and top-p
//
// Chapter 16 samples its continuations with transformers' settings `do_sample=True,
// temperature=0.8, top_p=0.95`. Before a token is drawn, the model's logits z pass through
// transformers' warpers, in this order:
//
//   z ← z / T                                   TemperatureLogitsWarper (T > 0; T < 1 sharpens)
//   p = softmax(z)                              pᵢ = exp(zᵢ − max z) / Σⱼ exp(zⱼ − max z)
//   sort the tokens by descending p (equal p: the smaller token id first) and keep the
//   smallest prefix whose sum reaches top_p: a token is kept while the tokens before it
//   sum to < top_p, and the first token is always kept              TopPLogitsWarper
//   p ← p / Σ kept p on the kept tokens, 0 on the others          (the draw renormalises)
//
// top_p = 1 switches the last step off (transformers adds TopPLogitsWarper only when
// top_p < 1): every token keeps its probability, however small. Subtracting max z changes
// nothing mathematically, but exp(1000) is ∞ in Double. The check compares with the library's
// sampler, `Sampling.random(temperature:topP:).distribution(from:)`.
//
// What to do: return the probability of every token (in token-id order) after the warpers.
// Check: swift run exercises 31         Stuck? swift run exercises 31 --hint
import LoRA

/// The probability of each token (same order and count as `logits`) that one sampling step
/// draws from, after temperature `temperature` (> 0) and top-p `topP` (0 < topP ≤ 1).
public func samplingProbabilities(logits: [Double], temperature: Double, topP: Double) -> [Double] {
    // TODO: temperature, softmax, top-p, renormalise. This placeholder ignores the logits and
    // returns the uniform distribution.
    return Array(repeating: 1 / Double(logits.count), count: logits.count)
}
