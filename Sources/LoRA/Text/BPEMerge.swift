/// Byte-pair encoding's one rule, on plain strings: find the adjacent pair of symbols whose
/// merge was learned first (the lowest rank) and join it, wherever it occurs, left to right.
///
/// ```
/// ranks: (l,o) 0, (lo,w) 1, (e,r) 2
/// ["l","o","w","e","r"] → ["lo","w","e","r"] → ["low","e","r"] → ["low","er"] → no ranked pair: done
/// ```
/// (Sennrich, Haddow and Birch 2016, *Neural Machine Translation of Rare Words with Subword
/// Units*, §3.2; GPT-2 applies it to the bytes of each word.) This is the teaching version, one
/// step at a time; ``BPETokenizer`` runs the same rule with a priority queue over token ids.
public enum BPEMerge {
    /// Two adjacent symbols, left then right.
    public struct Pair: Hashable, Sendable {
        /// The left symbol.
        public var left: String
        /// The right symbol.
        public var right: String
        /// The pair `left right`.
        public init(_ left: String, _ right: String) {
            self.left = left
            self.right = right
        }
    }

    /// One merge step: the adjacent pair with the lowest rank in `ranks` is joined at every
    /// occurrence, scanning left to right (in `a a a` the pair `a a` is joined once, at the left).
    /// - Parameters:
    ///   - symbols: the word so far, e.g. `["l", "o", "w"]`.
    ///   - ranks: each mergeable pair's rank (its line in `merges`, 0 first).
    /// - Returns: the word after the step; `symbols` unchanged when no adjacent pair has a rank.
    /// - Complexity: O(n) dictionary look-ups for n symbols.
    public static func mergeOnce(_ symbols: [String], ranks: [Pair: Int]) -> [String] {
        var best: (pair: Pair, rank: Int)?
        for (left, right) in zip(symbols, symbols.dropFirst()) {
            let pair = Pair(left, right)
            if let rank = ranks[pair], rank < best?.rank ?? .max { best = (pair, rank) }
        }
        guard let pair = best?.pair else { return symbols }
        var merged: [String] = []
        merged.reserveCapacity(symbols.count)
        var i = 0
        while i < symbols.count {
            if i + 1 < symbols.count, symbols[i] == pair.left, symbols[i + 1] == pair.right {
                merged.append(pair.left + pair.right)
                i += 2
            } else {
                merged.append(symbols[i])
                i += 1
            }
        }
        return merged
    }

    /// Merge steps until no adjacent pair has a rank.
    /// - Complexity: O(n²) for n symbols (at most n − 1 steps of O(n)); ``BPETokenizer`` is
    ///   O(n log n) with a heap and gives the same words for a trained vocabulary, where a merge
    ///   ranks after the merges that made its two halves.
    public static func mergeAll(_ symbols: [String], ranks: [Pair: Int]) -> [String] {
        var current = symbols
        while true {
            let next = mergeOnce(current, ranks: ranks)
            if next.count == current.count { return current }
            current = next
        }
    }
}
