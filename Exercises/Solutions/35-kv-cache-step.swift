// Solution 35 · chapter 18 (ch18-inside-the-llama-block): one decoding step with a KV cache
import LoRA

/// Appends `key` and `value` (width KV·d_h) to the cache `keys`, `values` (one row per earlier
/// position) and returns the attention output (width H·d_h) of `query` (width H·d_h, the new
/// position's) over every cached row, with `heads` query heads and `keyValueHeads` key/value heads.
public func decodingStep(keys: inout [[Double]], values: inout [[Double]], key: [Double], value: [Double], query: [Double],
                         heads: Int, keyValueHeads: Int) -> [Double] {
    // Append first: the new token attends to itself too (the causal mask allows t ≤ p).
    keys.append(key)
    values.append(value)
    let dh = query.count / heads
    let group = heads / keyValueHeads   // query heads per key/value head
    let scale = 1 / Double(dh).squareRoot()
    var output: [Double] = []
    for h in 0..<heads {
        // Consecutive query heads share a key/value head: heads 0 … group−1 use head 0, and so
        // on (h / group, not h % KV, which would interleave them).
        let j = h / group
        let q = query[(h * dh)..<((h + 1) * dh)]
        // Scores over every cached position, scaled by 1/√d_h so their spread does not grow
        // with the head width.
        let scores = keys.map { row in zip(q, row[(j * dh)..<((j + 1) * dh)]).reduce(0) { $0 + $1.0 * $1.1 } * scale }
        // Softmax with the largest score subtracted: the same probabilities, no overflow.
        let largest = scores.max()!
        let weights = scores.map { Double.exp($0 - largest) }
        let total = weights.reduce(0, +)
        // The output of head h: the values of head j, weighted by the probabilities.
        var o = [Double](repeating: 0, count: dh)
        for (t, w) in weights.enumerated() {
            for c in 0..<dh { o[c] += w / total * values[t][j * dh + c] }
        }
        output += o
    }
    return output
}
