import Foundation
import LoRA
import Testing
import TinyLlama

/// The committed tiny LLaMA and chapter 17's Star Trek adapter give, in this package, what the
/// real transformers + PEFT + tokenizers gave (`Fixtures/peft/expected.json`, written by
/// `make_fixture.py`): the same prompt ids, logits within 1e-5 (relative to the logit's size,
/// at least 1), and the same greedy tokens.
@Suite struct ExportTests {
    struct Prompt: Decodable {
        let text: String
        let ids: [Int]
        let base_logits: [[Double]]
        let base_greedy: [Int]
        let adapted_logits: [[Double]]
        let adapted_greedy: [Int]
    }
    struct Summary: Decodable { let prompts: [Prompt] }

    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("peft")

    static func summary() throws -> Summary {
        try JSONDecoder().decode(Summary.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }

    func compare(_ model: TransformerModel<Float>, _ ids: [Int], logits expected: [[Double]], greedy: [Int], _ label: String) throws {
        let logits = model.logits(tokens: ids, sequenceLength: ids.count)
        #expect(logits.rows == expected.count && logits.columns == expected[0].count)
        var worst = 0.0
        for i in 0..<logits.rows {
            for j in 0..<logits.columns {
                worst = max(worst, abs(Double(logits[i, j]) - expected[i][j]) / max(1, abs(expected[i][j])))
            }
        }
        #expect(worst <= 1e-5, "\(label): largest relative logit difference \(worst)")
        var generator = SeededGenerator(seed: 0)
        let out = try model.generate(prompt: ids, maxNewTokens: 24, eos: [TinyLlama.endOfTextID], generator: &generator)
        #expect(out.tokens == greedy, "\(label): greedy tokens")
    }

    @Test func theBaseAndTheAdapterGiveWhatTransformersAndPEFTGive() throws {
        let (base, tokenizer) = try TinyLlama.load()
        let adapted = try base.loadingAdapter(from: Self.fixtures.appendingPathComponent("startrek-adapter"))
        let prompts = try Self.summary().prompts
        #expect(prompts.count == 3)
        for prompt in prompts {
            #expect([TinyLlama.endOfTextID] + tokenizer.encode(prompt.text, addingSpecialTokens: false) == prompt.ids, "\(prompt.text)")
            try compare(base, prompt.ids, logits: prompt.base_logits, greedy: prompt.base_greedy, "base: \(prompt.text)")
            try compare(adapted, prompt.ids, logits: prompt.adapted_logits, greedy: prompt.adapted_greedy, "adapted: \(prompt.text)")
        }
    }
}
