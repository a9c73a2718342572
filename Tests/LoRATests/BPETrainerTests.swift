import Foundation
import LoRA
import Testing

/// The package's trainer learns, from the fixture corpus, exactly the vocabulary and merges
/// `tokenizers`' `BpeTrainer` learned (vocab_size 500, min_frequency 2, the byte alphabet).
@Suite struct BPETrainerTests {
    static func corpus() throws -> String {
        try String(contentsOf: TokenizerFixtures.root.appendingPathComponent("corpus.txt"), encoding: .utf8)
    }

    static func merges(_ model: [String: Any]) -> [BPEMerge.Pair] {
        (model["merges"] as! [Any]).map { merge in
            if let text = merge as? String {
                let parts = text.split(separator: " ").map(String.init)
                return BPEMerge.Pair(parts[0], parts[1])
            }
            let parts = merge as! [String]
            return BPEMerge.Pair(parts[0], parts[1])
        }
    }

    @Test(arguments: [
        ("gpt2", PreTokenizer.gpt2, ["<|endoftext|>"]),
        ("llama3", PreTokenizer.llama3, ["<|begin_of_text|>", "<|end_of_text|>"]),
    ])
    func learnsWhatTokenizersLearned(_ name: String, _ preTokenizer: PreTokenizer, _ specials: [String]) throws {
        let model = try TokenizerFixtures.dictionary(name)["model"] as! [String: Any]
        let trained = BPETrainer.train(try Self.corpus(), preTokenizer: preTokenizer, vocabularySize: 500, minimumFrequency: 2, specialTokens: specials)
        let expectedMerges = Self.merges(model)
        #expect(trained.merges.count == expectedMerges.count)
        if let first = zip(trained.merges, expectedMerges).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): merge \(first) is \(trained.merges[first]), tokenizers learned \(expectedMerges[first])")
        }
        #expect(trained.vocabulary == model["vocab"] as! [String: Int])
    }

    @Test func stopsAtTheVocabularySizeAndIsATokenizer() throws {
        let trained = BPETrainer.train("low lower lowest low low", preTokenizer: .gpt2, vocabularySize: 259)
        #expect(trained.vocabulary.count == 259 && trained.merges.count == 3)
        #expect(trained.merges[0] == BPEMerge.Pair("l", "o"), "the most frequent pair first")
        let tokenizer = try BPETokenizer(vocabulary: trained.vocabulary, merges: trained.merges, preTokenizer: .gpt2)
        #expect(tokenizer.decode(tokenizer.encode("lowest slow")) == "lowest slow")
    }
}
