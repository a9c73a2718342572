import Foundation
import LoRA

// Checks for exercises 33–35 (chapter 18, inside the LLaMA block). Oracles: the library's
// RotaryEmbedding (transformers' rotate_half convention), its BPETrainer replayed merge by merge
// with BPEMerge.mergeOnce joining each pair, and its cached attention
// ScaledDotProductAttention.forward(query:cachedKeys:cachedValues:heads:keyValueHeads:).

// MARK: - 33 RoPE

func checkRopeRotation(_ impl: Implementations) -> CheckResult {
    let cases: [(width: Int, position: Int, theta: Double, why: String)] = [
        (8, 3, 10_000, "ωᵢ = θ^(−2i/d); column i turns with column i + d/2 by p·ωᵢ: out[i] = x[i]·cos − x[i+d/2]·sin, out[i+d/2] = x[i+d/2]·cos + x[i]·sin"),
        (4, 1, 10_000, "d = 4: ω = [1, 0.01]; at p = 1 the first plane (columns 0 and 2) turns by 1 radian, the second (1 and 3) by 0.01"),
        (32, 17, 10_000, "the tiny LLaMA's head width (32) at position 17: the halves of the head pair up (i with i + 16), not neighbouring columns"),
        (16, 250, 500_000, "Llama 3's base θ = 500000: the angles are p·θ^(−2i/d) with this θ"),
        (8, 0, 10_000, "position 0: every angle is 0, so x comes back unchanged"),
    ]
    var g = SeededGenerator(seed: 3301)
    for c in cases {
        let x = (0..<c.width).map { _ in g.nextNormal() }
        let want = RotaryEmbedding<Double>(headDimension: c.width, theta: c.theta)
            .rotate(Matrix(rows: 1, columns: c.width, storage: x), positions: [c.position]).row(0)
        let got = impl.rotaryEmbedding(x, c.position, c.theta)
        let call = "rotaryEmbedding(x, position: \(c.position), theta: \(show(c.theta))) with x = \(show(x, show)) (d = \(c.width))"
        guard got.count == want.count else {
            return .failed(CheckFailure(checking: call + ".count", expected: "\(want.count)", got: "\(got.count)",
                                        why: "the rotation keeps the head's width"))
        }
        // Tolerance 1e-9 + 1e-9·|x|: Foundation's pow, cos and sin against the package's differ by
        // a few ulp in the angle; a wrong pairing, sign or frequency is off by far more.
        for i in want.indices where !(abs(got[i] - want[i]) <= 1e-9 + 1e-9 * abs(want[i])) {
            return .failed(CheckFailure(checking: call + "[\(i)] (tolerance 1e-9 + 1e-9·|expected|)",
                                        expected: show(want[i]), got: show(got[i]), why: c.why))
        }
    }
    return .passed
}

// MARK: - 34 one BPE merge step

func checkBPEMergeStep(_ impl: Implementations) -> CheckResult {
    let texts: [(text: String, why: String)] = [
        ("low lower lowest newer wider new newest",
         "the pair with the highest count over all words (weighted by each word's count) is merged first"),
        ("ab cd ab cd",
         "(a, b), (Ġ, c) and (c, d) all occur twice; a tie goes to the smaller left id, then the smaller right id (Ġ, the space, has a larger id than the letters)"),
        ("aaaa aaa aa a",
         "overlapping pairs count separately ([a, a, a] holds (a, a) twice), and the merge scans left to right, so [a, a, a] becomes [aa, a]"),
    ]
    for (text, why) in texts {
        let trained = BPETrainer.train(text, preTokenizer: .gpt2, vocabularySize: 10_000)
        var tokenOf: [Int: String] = [:]
        for (token, id) in trained.vocabulary { tokenOf[id] = token }
        // Distinct words as byte-level token ids, with their counts (the trainer's input).
        var wordCounts: [[Int]: Int] = [:]
        for word in PreTokenizer.gpt2.words(text) {
            let ids = Array(word.utf8).map { trained.vocabulary[String(Character(ByteLevelAlphabet.characters[Int($0)]))]! }
            wordCounts[ids, default: 0] += 1
        }
        let order = wordCounts.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var words = order
        let counts = order.map { wordCounts[$0]! }
        /// The words as ids shown as their tokens.
        func spelled(_ w: [[Int]]) -> String { show(w, limit: 6) { word in "[" + word.map { tokenOf[$0] ?? "id \($0)" }.joined(separator: " ") + "]" } }
        for (step, merge) in trained.merges.enumerated() {
            let (left, right) = (trained.vocabulary[merge.left]!, trained.vocabulary[merge.right]!)
            let newToken = trained.vocabulary[merge.left + merge.right]!
            var count = 0
            for (word, n) in zip(words, counts) where word.count > 1 {
                for i in 0..<(word.count - 1) where word[i] == left && word[i + 1] == right { count += n }
            }
            // The library joins the pair: BPEMerge.mergeOnce with this pair as the only rank.
            let expected = words.map { word in
                BPEMerge.mergeOnce(word.map { tokenOf[$0]! }, ranks: [merge: 0]).map { trained.vocabulary[$0]! }
            }
            let call = "merge \(step + 1) of \"\(text)\": bpeMergeStep(words: \(spelled(words)), counts: \(show(counts, limit: 6) { "\($0)" }), newToken: \(newToken))"
            guard let got = impl.bpeMergeStep(words, counts, newToken) else {
                return .failed(CheckFailure(checking: call, expected: "the pair (\(merge.left), \(merge.right)) = ids (\(left), \(right)), seen \(count) times",
                                            got: "nil", why: why))
            }
            if got.left != left || got.right != right {
                let gotPair = "(\(tokenOf[got.left] ?? "?"), \(tokenOf[got.right] ?? "?")) = ids (\(got.left), \(got.right))"
                return .failed(CheckFailure(checking: call + ": the pair", expected: "(\(merge.left), \(merge.right)) = ids (\(left), \(right)), seen \(count) times",
                                            got: gotPair, why: why))
            }
            if got.count != count {
                return .failed(CheckFailure(checking: call + ": the pair's count", expected: "\(count)", got: "\(got.count)", why: why))
            }
            if got.words != expected {
                return .failed(CheckFailure(checking: call + ": the words after the merge", expected: spelled(expected), got: spelled(got.words),
                                            why: "every occurrence of the pair, in every word, is joined into newToken, scanning left to right"))
            }
            words = expected
        }
        if let got = impl.bpeMergeStep(words, counts, 9999) {
            return .failed(CheckFailure(
                checking: "after the last merge of \"\(text)\": bpeMergeStep(words: \(spelled(words)), …)", expected: "nil",
                got: "the pair (\(got.left), \(got.right))", why: "every word is one token now: no adjacent pair is left to merge"))
        }
    }
    return .passed
}

// MARK: - 35 one decoding step with a KV cache

func checkKVCacheStep(_ impl: Implementations) -> CheckResult {
    let cases: [(heads: Int, keyValueHeads: Int, headWidth: Int, cached: Int, queryScale: Double, why: String)] = [
        (2, 2, 4, 3, 1, "one head per key/value head: scores q·kₜ/√d_h over the 3 cached rows and the new one, softmax, weighted sum of the values"),
        (4, 2, 4, 5, 1, "grouped-query attention: query heads 0, 1 share key/value head 0, heads 2, 3 share head 1 (j = h / (H/KV))"),
        (4, 1, 2, 0, 1, "an empty cache: the new token attends only to itself, so every head's output is the new value"),
        (2, 1, 3, 4, 1000, "scores in the thousands: subtract the largest before exp, or exp overflows to inf and the softmax to nan"),
    ]
    var g = SeededGenerator(seed: 3501)
    for c in cases {
        let (d, dkv) = (c.heads * c.headWidth, c.keyValueHeads * c.headWidth)
        func row(_ n: Int, _ scale: Double = 1) -> [Double] { (0..<n).map { _ in scale * g.nextNormal() } }
        let keys = (0..<c.cached).map { _ in row(dkv) }, values = (0..<c.cached).map { _ in row(dkv) }
        let (key, value, query) = (row(dkv), row(dkv), row(d, c.queryScale))
        var gotKeys = keys, gotValues = values
        let got = impl.decodingStep(&gotKeys, &gotValues, key, value, query, c.heads, c.keyValueHeads)
        let call = "decodingStep(\(c.cached) cached rows, heads: \(c.heads), keyValueHeads: \(c.keyValueHeads), d_h = \(c.headWidth))"
        guard gotKeys == keys + [key], gotValues == values + [value] else {
            return .failed(CheckFailure(checking: call + ": the cache afterwards",
                                        expected: "\(c.cached + 1) key rows and value rows, the new ones last",
                                        got: "\(gotKeys.count) key rows, \(gotValues.count) value rows" + (gotKeys.last == key ? "" : " (the last key row is not the new key)"),
                                        why: "append the new key and value before attending: the new token attends to itself too"))
        }
        let length = c.cached + 1
        let want = ScaledDotProductAttention.forward(
            query: Matrix(rows: 1, columns: d, storage: query), cachedKeys: Matrix(rows: length, columns: dkv, storage: (keys + [key]).flatMap { $0 }),
            cachedValues: Matrix(rows: length, columns: dkv, storage: (values + [value]).flatMap { $0 }),
            heads: c.heads, keyValueHeads: c.keyValueHeads).row(0)
        guard got.count == want.count else {
            return .failed(CheckFailure(checking: call + ".count", expected: "\(want.count) (H·d_h)", got: "\(got.count)", why: c.why))
        }
        // Tolerance 1e-12 + 1e-10·|expected|: the library sums in another order.
        for i in want.indices where !(abs(got[i] - want[i]) <= 1e-12 + 1e-10 * abs(want[i])) {
            return .failed(CheckFailure(checking: call + "[\(i)] (query head \(i / c.headWidth); tolerance 1e-12 + 1e-10·|expected|)",
                                        expected: show(want[i]), got: show(got[i]), why: c.why))
        }
    }
    return .passed
}
