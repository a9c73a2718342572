// Solution 31 · chapter 16 (ch16-a-tiny-llama): one sampling step with temperature and top-p
import LoRA

/// The probability of each token (same order and count as `logits`) that one sampling step
/// draws from, after temperature `temperature` (> 0) and top-p `topP` (0 < topP ≤ 1).
public func samplingProbabilities(logits: [Double], temperature: Double, topP: Double) -> [Double] {
    // Temperature first: it reshapes the distribution that top-p then cuts, so the order of
    // the two decides which tokens survive (T < 1 concentrates the mass, and fewer tokens reach
    // top_p; T > 1 spreads it).
    let z = logits.map { $0 / temperature }
    // Softmax, with the largest z subtracted so that exp never overflows (it cancels in the ratio).
    let largest = z.max() ?? 0
    let weights = z.map { Double.exp($0 - largest) }
    let total = weights.reduce(0, +)
    let p = weights.map { $0 / total }
    // top_p = 1: transformers does not add the top-p warper at all. Testing `cumulative >= 1`
    // instead would drop a far tail whose predecessors already round to 1.0 in Double.
    guard topP < 1 else { return p }
    // Descending probability; on a tie the smaller token id first, so the cut is deterministic.
    let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
    // Keep a token while the tokens before it sum to less than top_p. The test is on the
    // predecessors, before adding the token itself: the token that crosses top_p is kept, and
    // the first token always is, however small top_p.
    var kept: [Int] = []
    var cumulative = 0.0
    for i in order {
        if !kept.isEmpty && cumulative >= topP { break }
        kept.append(i)
        cumulative += p[i]
    }
    // Renormalise over the kept tokens; the removed ones get exactly 0.
    var result = Array(repeating: 0.0, count: p.count)
    for i in kept { result[i] = p[i] / cumulative }
    return result
}
