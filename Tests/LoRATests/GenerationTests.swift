import LoRA
import Testing

/// The key/value cache and `generate`: cached logits against the full forward pass, greedy and
/// sampled decoding, transformers' top-k / top-p rules, and the typed refusals.
@Suite struct GenerationTests {
    static let llama = TransformerConfiguration.llama(vocabularySize: 24, contextLength: 16, modelDimension: 32, headCount: 4, keyValueHeadCount: 2,
                                                      layerCount: 2, mlpDimension: 48, ropeTheta: 10_000)
    static let legacy = TransformerConfiguration(vocabularySize: 24, contextLength: 16, modelDimension: 32, headCount: 4, layerCount: 2)

    func model(_ c: TransformerConfiguration, seed: UInt64 = 5) throws -> TransformerModel<Float> {
        var c = c
        c.embeddingStd = 1  // logits of order 1, so the sampled tests see several tokens
        return try TransformerModel<Float>(configuration: c, seed: seed)
    }

    let sequence = [3, 17, 4, 0, 9, 9, 23, 11, 1, 2, 5, 8, 13, 21]

    /// Prefill 5 tokens, then 3, then one at a time: every row equals the same row of the full
    /// forward pass on the whole sequence within 1e-5·max(1, |logit|) in Float (measured: equal
    /// bits, since every sum runs in the same order).
    @Test(arguments: [llama, legacy]) func cachedLogitsEqualFullForward(configuration: TransformerConfiguration) throws {
        let m = try model(configuration)
        let full = m.logits(tokens: sequence, sequenceLength: sequence.count)
        var cache = m.makeKVCache()
        var rows: [[Float]] = []
        var start = 0
        for chunk in [5, 3] + Array(repeating: 1, count: sequence.count - 8) {
            let step = try m.logits(appending: Array(sequence[start..<(start + chunk)]), to: &cache)
            #expect(step.rows == chunk)
            rows += (0..<chunk).map { step.row($0) }
            start += chunk
        }
        #expect(cache.count == sequence.count)
        #expect(cache.elementCount == 2 * 2 * sequence.count * configuration.keyValueDimension)
        var worst: Float = 0
        for (i, row) in rows.enumerated() {
            for (a, b) in zip(row, full.row(i)) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
        }
        #expect(worst <= 1e-5, "worst relative difference \(worst)")
    }

    @Test(arguments: [llama, legacy]) func greedyIsDeterministicAndTheCacheChangesNothing(configuration: TransformerConfiguration) throws {
        let m = try model(configuration)
        var g1 = SeededGenerator(seed: 1), g2 = SeededGenerator(seed: 99)
        let a = try m.generate(prompt: [3, 17, 4], maxNewTokens: 10, generator: &g1)
        let b = try m.generate(prompt: [3, 17, 4], maxNewTokens: 10, generator: &g2)
        var g3 = SeededGenerator(seed: 1)
        let uncached = try m.generate(prompt: [3, 17, 4], maxNewTokens: 10, useCache: false, generator: &g3)
        #expect(a == b && a == uncached && a.tokens.count == 10 && a.stopReason == .maxNewTokens)
        // Oracle: arg-max of the full forward pass, one token at a time.
        var seq = [3, 17, 4]
        for _ in 0..<10 {
            let row = m.logits(tokens: seq, sequenceLength: seq.count).row(seq.count - 1)
            seq.append(row.indices.max { row[$0] < row[$1] }!)
        }
        #expect(Array(seq.dropFirst(3)) == a.tokens)
    }

    @Test func topKOfOneIsGreedyAndSamplingIsReproduciblePerSeed() throws {
        let m = try model(Self.llama)
        var g = SeededGenerator(seed: 0)
        let greedy = try m.generate(prompt: [1, 2], maxNewTokens: 12, generator: &g)
        var g1 = SeededGenerator(seed: 7)
        #expect(try m.generate(prompt: [1, 2], maxNewTokens: 12, sampling: .random(temperature: 0.8, topK: 1), generator: &g1) == greedy)
        func sampled(_ seed: UInt64) throws -> [Int] {
            var g = SeededGenerator(seed: seed)
            return try m.generate(prompt: [1, 2], maxNewTokens: 12, sampling: .random(temperature: 1.5, topK: 10, topP: 0.95), generator: &g).tokens
        }
        #expect(try sampled(11) == sampled(11))
        let runs = try (11..<16).map { try sampled($0) }
        #expect(Set(runs).count > 1)  // different seeds, different text
    }

    /// Oracle: transformers' TopPLogitsWarper rule written its own way (sort ascending, remove
    /// while the cumulative probability ≤ 1 − p, keep at least one), on random rows.
    @Test func topPKeepsWhatTransformersKeeps() {
        var g = SeededGenerator(seed: 3)
        for trial in 0..<200 {
            let logits = (0..<12).map { _ in Float(g.nextNormal(std: 2)) }
            let p = [0.1, 0.5, 0.8, 0.9, 0.99][trial % 5]
            let kept = Set(Sampling.random(topP: p).distribution(from: logits).map(\.token))
            let probs = softmax(logits.map(Double.init))
            let ascending = probs.indices.sorted { probs[$0] < probs[$1] }
            var cumulative = 0.0, removed = Set<Int>()
            for (rank, i) in ascending.enumerated() where rank < ascending.count - 1 {
                cumulative += probs[i]
                if cumulative <= 1 - p { removed.insert(i) }
            }
            #expect(kept == Set(probs.indices).subtracting(removed), "p = \(p), logits \(logits)")
        }
    }

    func softmax(_ z: [Double]) -> [Double] {
        let m = z.max()!
        let e = z.map { Double.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    @Test func topKAndTemperatureAndTheDrawFrequencies() {
        let logits: [Float] = [1, 3, 2, 0, 3]
        // Top-2 keeps the two largest and the tie at the threshold (transformers: scores < k-th are removed).
        #expect(Sampling.random(topK: 2).distribution(from: logits).map(\.token) == [1, 4])
        #expect(Sampling.random(topK: 3).distribution(from: logits).map(\.token) == [1, 2, 4])
        // Temperature divides the logits: T = 2 halves the log-odds.
        let d = Sampling.random(temperature: 2).distribution(from: logits)
        #expect(abs(Double.log(d[1].probability / d[0].probability) - 1) < 1e-12)
        // Draws follow the distribution: 4000 draws of top-p 0.9 on probabilities ∝ (4, 2, 1, 1).
        let row: [Double] = [4, 2, 1, 1].map { Double.log($0) }
        let sampling = Sampling.random(topP: 0.7)  // keeps 0 and 1 (0.5 < 0.7, then 0.75 ≥ 0.7)
        #expect(sampling.distribution(from: row).map(\.token) == [0, 1])
        var g = SeededGenerator(seed: 5)
        var counts = [0, 0, 0, 0]
        for _ in 0..<4000 { counts[sampling.choose(from: row, using: &g)] += 1 }
        #expect(counts[2] == 0 && counts[3] == 0)
        #expect(abs(Double(counts[0]) / 4000 - 2.0 / 3) < 0.03)
    }

    @Test func stopsAtEOSAndAtTheContext() throws {
        let m = try model(Self.llama)
        var g = SeededGenerator(seed: 0)
        let free = try m.generate(prompt: [1, 2], maxNewTokens: 6, generator: &g)
        let eos = free.tokens[3]
        let stopped = try m.generate(prompt: [1, 2], maxNewTokens: 6, eos: [eos], generator: &g)
        #expect(stopped.stopReason == .endOfSequence && stopped.tokens.last == eos)
        #expect(stopped.tokens == Array(free.tokens.prefix(through: free.tokens.firstIndex(of: eos)!)))
        let full = try m.generate(prompt: Array(repeating: 3, count: 14), maxNewTokens: 10, generator: &g)
        #expect(full.stopReason == .contextFull && full.tokens.count == 3)  // 14 + 2 fill 16; the 3rd is produced from them
        #expect(try m.generate(prompt: [1], maxNewTokens: 0, generator: &g) == Generation(tokens: [], stopReason: .maxNewTokens))
    }

    @Test func refusalsAreTypedErrors() throws {
        let m = try model(Self.llama)
        var g = SeededGenerator(seed: 0)
        #expect(throws: GenerationError.tokenOutOfRange(token: 24, index: 1, vocabularySize: 24)) {
            try m.generate(prompt: [1, 24], maxNewTokens: 2, generator: &g)
        }
        #expect(throws: GenerationError.tokenOutOfRange(token: -1, index: 0, vocabularySize: 24)) {
            var cache = m.makeKVCache()
            _ = try m.logits(appending: [-1], to: &cache)
        }
        #expect(throws: GenerationError.contextExceeded(tokens: 17, contextLength: 16)) {
            try m.generate(prompt: Array(repeating: 1, count: 17), maxNewTokens: 2, generator: &g)
        }
        #expect(throws: GenerationError.emptyPrompt) { try m.generate(prompt: [], maxNewTokens: 2, generator: &g) }
        #expect(throws: GenerationError.negativeTokenCount(-1)) { try m.generate(prompt: [1], maxNewTokens: -1, generator: &g) }
        #expect(throws: GenerationError.invalidSampling(field: "temperature", value: 0)) {
            try m.generate(prompt: [1], maxNewTokens: 2, sampling: .random(temperature: 0), generator: &g)
        }
        #expect(throws: GenerationError.invalidSampling(field: "topP", value: 1.5)) {
            try m.generate(prompt: [1], maxNewTokens: 2, sampling: .random(topP: 1.5), generator: &g)
        }
        #expect(throws: GenerationError.invalidSampling(field: "topK", value: 0)) {
            try m.generate(prompt: [1], maxNewTokens: 2, sampling: .random(topK: 0), generator: &g)
        }
        // A cache that would pass the context is refused and left as it was.
        var cache = m.makeKVCache()
        _ = try m.logits(appending: Array(repeating: 2, count: 10), to: &cache)
        #expect(throws: GenerationError.contextExceeded(tokens: 17, contextLength: 16)) { _ = try m.logits(appending: Array(repeating: 2, count: 7), to: &cache) }
        #expect(cache.count == 10)
        let other = try model(Self.legacy)
        var otherCache = other.makeKVCache()
        #expect(throws: GenerationError.cacheMismatch) { _ = try m.logits(appending: [1], to: &otherCache) }
    }
}
