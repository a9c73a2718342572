import Foundation
import LoRA
import Testing

/// The teaching merge step, and the tokenizer's heap-ordered merges checked against it.
@Suite struct BPEMergeTests {
    typealias Pair = BPEMerge.Pair

    @Test func oneStepJoinsTheLowestRankedPairEverywhere() {
        let ranks: [Pair: Int] = [Pair("l", "o"): 0, Pair("lo", "w"): 1, Pair("e", "r"): 2]
        #expect(BPEMerge.mergeOnce(["l", "o", "w", "e", "r"], ranks: ranks) == ["lo", "w", "e", "r"])
        #expect(BPEMerge.mergeOnce(["l", "o", "l", "o"], ranks: ranks) == ["lo", "lo"])
        #expect(BPEMerge.mergeOnce(["lo", "w", "e", "r"], ranks: ranks) == ["low", "e", "r"])
        #expect(BPEMerge.mergeAll(["l", "o", "w", "e", "r"], ranks: ranks) == ["low", "er"])
        #expect(BPEMerge.mergeOnce(["x", "y"], ranks: ranks) == ["x", "y"], "no ranked pair: unchanged")
        #expect(BPEMerge.mergeOnce([], ranks: ranks) == [])
    }

    @Test func overlappingOccurrencesJoinFromTheLeft() {
        let ranks: [Pair: Int] = [Pair("a", "a"): 0]
        #expect(BPEMerge.mergeOnce(["a", "a", "a"], ranks: ranks) == ["aa", "a"])
        #expect(BPEMerge.mergeAll(["a", "a", "a", "a", "a"], ranks: ranks) == ["aa", "aa", "a"])
    }

    @Test func theLowerRankWinsWhereverItIs() {
        let ranks: [Pair: Int] = [Pair("b", "c"): 0, Pair("a", "b"): 1]
        #expect(BPEMerge.mergeOnce(["a", "b", "c"], ranks: ranks) == ["a", "bc"])
    }

    /// Every word of the corpus, through the tokenizer (priority queue over ids) and through
    /// `mergeAll` (one step at a time over strings): the same tokens.
    @Test(arguments: ["gpt2", "llama3"])
    func heapMergesEqualStepByStepMerges(_ name: String) throws {
        let tokenizer = try BPETokenizer(json: TokenizerFixtures.json(name))
        let model = try TokenizerFixtures.dictionary(name)["model"] as! [String: Any]
        var ranks: [Pair: Int] = [:]
        for (rank, merge) in (model["merges"] as! [Any]).enumerated() {
            if let text = merge as? String {
                let parts = text.split(separator: " ").map(String.init)
                ranks[Pair(parts[0], parts[1])] = rank
            } else {
                let parts = merge as! [String]
                ranks[Pair(parts[0], parts[1])] = rank
            }
        }
        var checked = 0
        let added = tokenizer.addedTokens.map(\.content)
        for word in tokenizer.preTokenizer.words(TokenizerFixtures.texts.joined(separator: "\n"))
        where !added.contains(where: word.contains) {
            let symbols = ByteLevelAlphabet.encode(Array(word.utf8)).unicodeScalars.map { String($0) }
            let expected = BPEMerge.mergeAll(symbols, ranks: ranks).map { tokenizer.id(of: $0)! }
            // ignore_merges (llama3) takes a word that is a token whole; mergeAll must agree there too.
            #expect(tokenizer.encode(word, addingSpecialTokens: false) == expected, "\(name): \(word.debugDescription)")
            checked += 1
        }
        #expect(checked > 500)
    }
}
