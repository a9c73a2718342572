/// Learns a byte-level BPE vocabulary from text: start from the 256 bytes, then repeatedly join
/// the most frequent adjacent pair into a new token, as Hugging Face `tokenizers`' `BpeTrainer`
/// does (the same vocabulary and merges for the same text and settings: see `BPETrainerTests`).
///
/// ```
/// words   = pre-tokenizer(text), each as its bytes' table characters, counted
/// ids     = special tokens, then the 256 table characters by code point
/// repeat  until the vocabulary has `vocabularySize` tokens:
///           (a, b) = the adjacent pair with the highest count (ties: the smallest ids (a, b))
///           stop if its count < max(1, minimumFrequency)
///           add token a+b, record the merge (a, b), join every (a, b) left to right
/// ```
/// (Sennrich, Haddow and Birch 2016, §3.2, Algorithm 1; GPT-2's byte-level variant.)
public enum BPETrainer {
    /// What training learned.
    public struct Result: Sendable, Equatable {
        /// Token → id: the special tokens, the 256 bytes, then one token per merge.
        public var vocabulary: [String: Int]
        /// The merges, rank 0 first.
        public var merges: [BPEMerge.Pair]
    }

    /// Trains on `text`.
    /// - Parameters:
    ///   - text: the training text (one sequence, as `train_from_iterator([text])`).
    ///   - preTokenizer: how the text is cut into words (merges never cross a word's edge).
    ///   - vocabularySize: the most tokens to end with, special tokens and bytes included.
    ///   - minimumFrequency: a pair seen fewer times is not merged (training stops there).
    ///   - specialTokens: given the first ids, in order.
    /// - Complexity: O(m · n) for m merges and n symbols in the distinct words: meant for a few
    ///   hundred merges on a few hundred KB, not for a production vocabulary.
    public static func train(
        _ text: String, preTokenizer: PreTokenizer, vocabularySize: Int, minimumFrequency: Int = 0, specialTokens: [String] = []
    ) -> Result {
        var wordCounts: [[UInt8]: Int] = [:]
        preTokenizer.forEachWord(Array(text.unicodeScalars)) { word in
            var bytes: [UInt8] = []
            for scalar in word { UTF8.encode(scalar) { bytes.append($0) } }
            wordCounts[bytes, default: 0] += 1
        }
        var tokens: [String] = []
        var ids: [String: Int] = [:]
        func add(_ token: String) -> Int {
            if let id = ids[token] { return id }
            tokens.append(token)
            ids[token] = tokens.count - 1
            return tokens.count - 1
        }
        for token in specialTokens { _ = add(token) }
        for character in ByteLevelAlphabet.characters.sorted(by: { $0.value < $1.value }) { _ = add(String(Character(character))) }
        // Distinct words in a fixed order (by bytes), each as ids, with its count.
        let sortedWords = wordCounts.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var words: [[Int]] = sortedWords.map { bytes in bytes.map { ids[String(Character(ByteLevelAlphabet.characters[Int($0)]))]! } }
        let counts = sortedWords.map { wordCounts[$0]! }

        var merges: [BPEMerge.Pair] = []
        while tokens.count < vocabularySize {
            guard let (left, right, count) = mostFrequentPair(words, counts), count >= max(1, minimumFrequency) else { break }
            let merged = add(tokens[left] + tokens[right])
            merges.append(BPEMerge.Pair(tokens[left], tokens[right]))
            for w in words.indices where words[w].count > 1 {
                words[w] = join(words[w], left, right, into: merged)
            }
        }
        return Result(vocabulary: ids, merges: merges)
    }

    /// The pair with the highest count, ties broken towards the smallest (left, right) ids.
    private static func mostFrequentPair(_ words: [[Int]], _ counts: [Int]) -> (Int, Int, Int)? {
        var pairCounts: [BPEModelPairKey: Int] = [:]
        for (word, count) in zip(words, counts) where word.count > 1 {
            for i in 0..<(word.count - 1) { pairCounts[BPEModelPairKey(left: word[i], right: word[i + 1]), default: 0] += count }
        }
        var best: (BPEModelPairKey, Int)?
        for (pair, count) in pairCounts {
            guard let current = best else { best = (pair, count); continue }
            if count > current.1 || (count == current.1 && (pair.left, pair.right) < (current.0.left, current.0.right)) {
                best = (pair, count)
            }
        }
        return best.map { ($0.0.left, $0.0.right, $0.1) }
    }

    /// `word` with every (left, right) joined into `merged`, left to right.
    private static func join(_ word: [Int], _ left: Int, _ right: Int, into merged: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(word.count)
        var i = 0
        while i < word.count {
            if i + 1 < word.count, word[i] == left, word[i + 1] == right {
                out.append(merged)
                i += 2
            } else {
                out.append(word[i])
                i += 1
            }
        }
        return out
    }
}

/// Two adjacent token ids.
struct BPEModelPairKey: Hashable {
    var left: Int
    var right: Int
}
