/// Loss and accuracy of a model on a fixed set of examples.
public struct EvaluationResult: Sendable, Equatable {
    /// Mean cross-entropy over the answer tokens.
    public var loss: Double
    /// Fraction of answer tokens predicted right (arg-max, teacher-forced).
    public var tokenAccuracy: Double
    /// Fraction of sequences whose every answer token is right. Teacher-forced and greedy
    /// decoding agree on such a sequence, so this is also greedy generation's exact match.
    public var exactMatch: Double
}

extension TransformerModel {
    /// Loss, token accuracy and exact match on `batch` (no dropout, no gradients).
    public func evaluate(_ batch: TokenBatch) -> EvaluationResult {
        let logits = logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        let (loss, _, predictions) = CrossEntropy.lossAndGradient(logits: logits, targets: batch.targets)
        var right = 0, scored = 0, exact = 0
        let t = batch.sequenceLength
        for s in 0..<batch.batchSize {
            var all = true
            for i in (s * t)..<((s + 1) * t) where batch.targets[i] != CrossEntropy.ignoreIndex {
                scored += 1
                if predictions[i] == batch.targets[i] { right += 1 } else { all = false }
            }
            if all { exact += 1 }
        }
        return EvaluationResult(
            loss: loss, tokenAccuracy: scored == 0 ? 0 : Double(right) / Double(scored),
            exactMatch: batch.batchSize == 0 ? 0 : Double(exact) / Double(batch.batchSize))
    }
}
