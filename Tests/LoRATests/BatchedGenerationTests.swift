import LoRA
import Testing

/// Several prompts generated at once, each row under its own served adapter: every row's tokens
/// are the tokens of generating that prompt alone with that adapter (the deterministic products
/// compute a row with the same sums whatever the batch), and the refusals are typed.
@Suite struct BatchedGenerationTests {
    /// A LLaMA base (GQA, RoPE) and two adapted copies with non-zero B on different targets.
    static func models() throws -> (base: TransformerModel<Float>, a: TransformerModel<Float>, b: TransformerModel<Float>) {
        var c = TransformerConfiguration.llama(vocabularySize: 24, contextLength: 16, modelDimension: 32, headCount: 4, keyValueHeadCount: 2,
                                               layerCount: 2, mlpDimension: 48, ropeTheta: 10_000)
        c.embeddingStd = 1  // logits of order 1, so sampling sees several tokens
        let base = try TransformerModel<Float>(configuration: c, seed: 5)
        func adapted(_ targets: TargetModules, rank: Int, seed: UInt64) throws -> TransformerModel<Float> {
            var m = base
            try m.injectLoRA(targets: targets, hyperparameters: .init(rank: rank, alpha: Double(2 * rank)), seed: seed)
            var g = SeededGenerator(seed: seed + 100)
            m.updateTrainableParameters { name, value in
                if name.hasSuffix("lora_B.weight") { value = .normal(value.rows, value.columns, std: 0.5, using: &g) }
            }
            return m
        }
        return (base, try adapted(.names(["q_proj", "v_proj"]), rank: 4, seed: 2), try adapted(.allLinear, rank: 2, seed: 3))
    }

    /// Prompts of different lengths routed [a, b, base, a, b], greedy and sampled, with an eos
    /// that stops some rows early: each row equals `generate(prompt:)` on its own model.
    @Test(arguments: [Sampling.greedy, .random(temperature: 1.2, topP: 0.9)])
    func eachRowIsItsAdapterAlone(sampling: Sampling) throws {
        try ProductEngine.$current.withValue(.deterministic) {
            let (base, a, b) = try Self.models()
            var server = base
            try server.addServedAdapter("a", from: a)
            try server.addServedAdapter("b", from: b)
            let prompts = [[3, 17, 4], [9], [1, 2, 5, 8, 13, 21], [7, 7], [0, 11, 22, 5]]
            let routes: [String?] = ["a", "b", nil, "a", "b"]
            let alone: [String?: TransformerModel<Float>] = ["a": a, "b": b, nil: base]
            let seeds: [UInt64] = [1, 2, 3, 4, 5]
            let eos = [6]
            var generators = seeds.map { SeededGenerator(seed: $0) }
            let batched = try server.generate(prompts: prompts, adapters: routes, maxNewTokens: 9, sampling: sampling, eos: eos,
                                              generators: &generators)
            #expect(batched.count == prompts.count)
            let reasons = batched.map(\.stopReason)
            #expect(reasons.contains(.endOfSequence) && reasons.contains(.maxNewTokens), "rows leave the batch at different steps: \(reasons)")
            for i in prompts.indices {
                var g = SeededGenerator(seed: seeds[i])
                let single = try alone[routes[i]]!.generate(prompt: prompts[i], maxNewTokens: 9, sampling: sampling, eos: eos, generator: &g)
                #expect(batched[i] == single, "row \(i) (\(routes[i] ?? "base"))")
                #expect(generators[i].next() == g.next(), "row \(i) drew as many numbers as alone")
            }
            // The adapters change the text (otherwise the routing would not be tested).
            var g = SeededGenerator(seed: 1)
            #expect(try base.generate(prompt: prompts[0], maxNewTokens: 9, sampling: sampling, eos: eos, generator: &g) != batched[0])
        }
    }

    /// Rows that fill the context stop there, and a model without served adapters takes no routing.
    @Test func contextAndPlainModel() throws {
        let (base, _, _) = try Self.models()
        var generators = [SeededGenerator(seed: 1), SeededGenerator(seed: 2)]
        let out = try base.generate(prompts: [Array(repeating: 3, count: 14), [4]], maxNewTokens: 10, generators: &generators)
        #expect(out[0].tokens.count == 3 && out[0].stopReason == .contextFull)
        #expect(out[1].tokens.count == 10 && out[1].stopReason == .maxNewTokens)
        var none: [SeededGenerator] = []
        #expect(try base.generate(prompts: [], maxNewTokens: 4, generators: &none).isEmpty)
    }

    @Test func refusals() throws {
        let (base, a, _) = try Self.models()
        var server = base
        try server.addServedAdapter("a", from: a)
        var two = [SeededGenerator(seed: 1), SeededGenerator(seed: 2)]
        var one = [SeededGenerator(seed: 1)]
        #expect(throws: GenerationError.batchMismatch(prompts: 2, given: 1, of: "generators")) {
            try server.generate(prompts: [[1], [2]], maxNewTokens: 3, generators: &one)
        }
        #expect(throws: ServingError.routing(sequences: 2, names: 1)) {
            try server.generate(prompts: [[1], [2]], adapters: ["a"], maxNewTokens: 3, generators: &two)
        }
        #expect(throws: ServingError.unknownAdapter("c")) {
            try server.generate(prompts: [[1], [2]], adapters: ["a", "c"], maxNewTokens: 3, generators: &two)
        }
        #expect(throws: GenerationError.emptyPrompt) { try server.generate(prompts: [[1], []], maxNewTokens: 3, generators: &two) }
        #expect(throws: GenerationError.tokenOutOfRange(token: 24, index: 1, vocabularySize: 24)) {
            try server.generate(prompts: [[1], [2, 24]], maxNewTokens: 3, generators: &two)
        }
        #expect(throws: GenerationError.negativeTokenCount(-1)) { try server.generate(prompts: [[1], [2]], maxNewTokens: -1, generators: &two) }
        #expect(GenerationError.batchMismatch(prompts: 2, given: 1, of: "generators").description == "2 prompts need one generator each, got 1 generators")
    }
}
