// Solution 30 · chapter 16 (ch16-a-tiny-llama): bits per byte from a loss
import LoRA

/// Bits per byte of a text scored as `tokens` tokens (end-of-text included) at mean loss
/// `meanLoss` nats per token, the text being `bytes` bytes long.
public func bitsPerByte(meanLoss: Double, tokens: Int, bytes: Int) -> Double {
    // Undo the mean first: the loss is nats per token, so the whole text costs
    // meanLoss · tokens nats. The end-of-text token is among `tokens` (it was scored) but adds
    // nothing to `bytes`, so its cost is spread over the document's bytes.
    let totalNats = meanLoss * Double(tokens)
    // Per byte, then from nats to bits: log₂ p = ln p / ln 2. Both counts converted to Double
    // before dividing (tokens / bytes in Int would truncate to 0 or 1).
    return totalNats / Double(bytes) / Double.log(2)
}
