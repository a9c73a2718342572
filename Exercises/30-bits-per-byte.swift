// Exercise 30 · chapter 16 (ch16-a-tiny-llama): bits per byte from a loss
//
// A language model's loss is its mean cross-entropy in nats per token: (Σ −ln p) / tokens.
// Two models with different tokenizers cannot be compared that way (a token of one may be a
// whole word, of the other a single byte), so chapter 16 reports bits per byte: the total
// cost of the text in bits (log₂, not ln), divided by the bytes of text the tokens stand for.
//
//   total nats   = meanLoss · tokens
//   bitsPerByte  = total nats / bytes / ln 2
//
// `tokens` counts every scored token, the end-of-text token included; `bytes` counts the text
// only, because end-of-text stands for no bytes (its cost is charged to the document's bytes).
// A byte-level model (one token per byte) at loss ln 2 spends exactly one bit per byte.
// `Double.log` (this package's, from LoRA) or Foundation's `log` both give ln.
//
// What to do: convert a mean loss in nats per token to bits per byte.
// Check: swift run exercises 30         Stuck? swift run exercises 30 --hint
import LoRA

/// Bits per byte of a text scored as `tokens` tokens (end-of-text included) at mean loss
/// `meanLoss` nats per token, the text being `bytes` bytes long.
public func bitsPerByte(meanLoss: Double, tokens: Int, bytes: Int) -> Double {
    // TODO: from nats per token to bits per byte. This placeholder returns the loss unchanged.
    return meanLoss
}
