// Solution 34 · chapter 18 (ch18-inside-the-llama-block): one step of training a BPE tokenizer
import LoRA

/// One BPE training step on `words` (token ids; `counts[w]` is how often word w occurs): the
/// most frequent adjacent pair (ties: smaller left id, then smaller right id), its count, and
/// the words with every occurrence of it joined into `newToken`; nil when no word has a pair.
public func bpeMergeStep(words: [[Int]], counts: [Int], newToken: Int) -> (left: Int, right: Int, count: Int, words: [[Int]])? {
    // Count: every adjacent position of every word, weighted by the word's count. Overlapping
    // pairs count separately ([a, a, a] has two (a, a)); the trainer counts them so too.
    var pairCounts: [[Int]: Int] = [:]
    for (word, count) in zip(words, counts) where word.count > 1 {
        for i in 0..<(word.count - 1) { pairCounts[[word[i], word[i + 1]], default: 0] += count }
    }
    // Pick: the highest count; a dictionary has no order, so a tie must be broken explicitly,
    // towards the smaller (left, right), or two runs could learn different vocabularies.
    var best: (pair: [Int], count: Int)?
    for (pair, count) in pairCounts {
        guard let current = best else { best = (pair, count); continue }
        if count > current.count || (count == current.count && pair.lexicographicallyPrecedes(current.pair)) {
            best = (pair, count)
        }
    }
    guard let (pair, count) = best else { return nil }
    let (left, right) = (pair[0], pair[1])
    // Merge: scan each word left to right; a joined pair is consumed whole, so in [a, a, a]
    // only the first two are joined.
    let merged = words.map { word -> [Int] in
        var out: [Int] = []
        var i = 0
        while i < word.count {
            if i + 1 < word.count && word[i] == left && word[i + 1] == right {
                out.append(newToken)
                i += 2
            } else {
                out.append(word[i])
                i += 1
            }
        }
        return out
    }
    return (left, right, count, merged)
}
