/// Autoregressive generation with a key/value cache (transformers' `model.generate`).
///
/// ```
/// var cache = model.makeKVCache()
/// let prefill = try model.logits(appending: prompt, to: &cache)     (prompt, vocab): one pass, fills the cache
/// let step = try model.logits(appending: [next], to: &cache)        (1, vocab): one new row per layer
/// let out = try model.generate(prompt: prompt, maxNewTokens: 32, sampling: .greedy, eos: [2], generator: &g)
/// ```
/// A decoding step costs the projections of one token plus its attention over the L cached keys,
/// instead of the whole prefix again. Cached logits are the uncached ones: every score and output
/// is the same sum in the same order (`KVCacheTests` checks them against the full forward).
extension TransformerModel {
    /// An empty cache for this model.
    public func makeKVCache() -> KVCache<Scalar> { KVCache(configuration: configuration) }

    /// Logits (n, vocab) of `tokens` as the continuation of the sequence in `cache` (positions
    /// `cache.count` …), appending their keys and values; no dropout, adapters as they are.
    /// - Throws: ``GenerationError/tokenOutOfRange(token:index:vocabularySize:)``,
    ///   ``GenerationError/contextExceeded(tokens:contextLength:)`` when the sequence would pass
    ///   the context, ``GenerationError/cacheMismatch`` for a cache of another shape; the cache is
    ///   unchanged when this throws.
    public func logits(appending tokens: [Int], to cache: inout KVCache<Scalar>) throws(GenerationError) -> Matrix<Scalar> {
        try checkTokens(tokens)
        guard cache.layers.count == layers.count, cache.keyValueDimension == configuration.keyValueDimension else {
            throw .cacheMismatch
        }
        let (offset, total) = (cache.count, cache.count + tokens.count)
        guard total <= configuration.contextLength else { throw .contextExceeded(tokens: total, contextLength: configuration.contextLength) }
        guard !tokens.isEmpty else { return Matrix(rows: 0, columns: configuration.vocabularySize, storage: []) }
        var h = embedTokens.forward(tokens)
        if let embedPositions { h.accumulate(embedPositions.forward(Array(offset..<total))) }
        for l in layers.indices { h = layers[l].forward(h, appendingTo: &cache.layers[l], at: offset) }
        cache.count = total
        return head(norm.forward(h))
    }

    /// Generates up to `maxNewTokens` tokens after `prompt`, one at a time.
    ///
    /// Stops after an `eos` token (which is returned), after `maxNewTokens`, or when the context
    /// is full. With `useCache: false` every step runs the whole sequence again (for comparison;
    /// the tokens are the same).
    /// - Parameters:
    ///   - prompt: token ids, at least one, at most the context length.
    ///   - maxNewTokens: the most tokens to generate (≥ 0).
    ///   - sampling: greedy or sampled (``Sampling``).
    ///   - eos: end-of-sequence ids (Llama 3 has several).
    ///   - useCache: `true` decodes with a ``KVCache``; `false` reruns the whole sequence each
    ///     step (for comparison: the same tokens).
    ///   - generator: the draws of sampled decoding (greedy draws nothing).
    /// - Throws: ``GenerationError``: an empty or too long prompt, a token out of range, a negative
    ///   `maxNewTokens`, bad sampling settings.
    public func generate(
        prompt: [Int], maxNewTokens: Int, sampling: Sampling = .greedy, eos: [Int] = [],
        useCache: Bool = true, generator: inout SeededGenerator
    ) throws(GenerationError) -> Generation {
        try sampling.validate()
        guard maxNewTokens >= 0 else { throw .negativeTokenCount(maxNewTokens) }
        guard !prompt.isEmpty else { throw .emptyPrompt }
        try checkTokens(prompt)
        guard prompt.count <= configuration.contextLength else {
            throw .contextExceeded(tokens: prompt.count, contextLength: configuration.contextLength)
        }
        var out: [Int] = []
        guard maxNewTokens > 0 else { return Generation(tokens: out, stopReason: .maxNewTokens) }
        var cache = makeKVCache()
        var sequence = prompt
        var logits = useCache ? try self.logits(appending: prompt, to: &cache) : self.logits(tokens: prompt, sequenceLength: prompt.count)
        while true {
            let next = sampling.choose(from: logits.row(logits.rows - 1), using: &generator)
            out.append(next)
            sequence.append(next)
            if eos.contains(next) { return Generation(tokens: out, stopReason: .endOfSequence) }
            if out.count == maxNewTokens { return Generation(tokens: out, stopReason: .maxNewTokens) }
            if sequence.count > configuration.contextLength { return Generation(tokens: out, stopReason: .contextFull) }
            logits = useCache ? try self.logits(appending: [next], to: &cache) : self.logits(tokens: sequence, sequenceLength: sequence.count)
        }
    }

    /// Throws for the first token id outside 0 ..< vocabulary.
    func checkTokens(_ tokens: [Int]) throws(GenerationError) {
        let v = configuration.vocabularySize
        if let index = tokens.firstIndex(where: { $0 < 0 || $0 >= v }) {
            throw .tokenOutOfRange(token: tokens[index], index: index, vocabularySize: v)
        }
    }
}

/// What ``TransformerModel/generate(prompt:maxNewTokens:sampling:eos:useCache:generator:)`` returns.
public struct Generation: Sendable, Equatable {
    /// Why generation stopped.
    public enum StopReason: Sendable, Equatable {
        /// An end-of-sequence token was generated (it is the last of ``tokens``).
        case endOfSequence
        /// `maxNewTokens` tokens were generated.
        case maxNewTokens
        /// The sequence filled the context.
        case contextFull
    }

    /// The new tokens (the prompt not included).
    public var tokens: [Int]
    /// Why it stopped.
    public var stopReason: StopReason

    /// A result: the new tokens and why generation stopped.
    public init(tokens: [Int], stopReason: StopReason) {
        self.tokens = tokens
        self.stopReason = stopReason
    }
}

/// What a caller can get wrong when generating.
public enum GenerationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The prompt has no tokens.
    case emptyPrompt
    /// A token id outside 0 ..< vocabulary, at `index` of the tokens given.
    case tokenOutOfRange(token: Int, index: Int, vocabularySize: Int)
    /// The sequence would be longer than the model's context.
    case contextExceeded(tokens: Int, contextLength: Int)
    /// A sampling setting out of its range (temperature ≤ 0, top-k < 1, top-p outside (0, 1]).
    case invalidSampling(field: String, value: Double)
    /// `maxNewTokens` < 0.
    case negativeTokenCount(Int)
    /// The cache was made for a model of another shape.
    case cacheMismatch
    /// A batch of `prompts` prompts was given `given` of something needed once per prompt.
    case batchMismatch(prompts: Int, given: Int, of: String)

    public var description: String {
        switch self {
        case .emptyPrompt: "generation needs a prompt of at least one token"
        case .tokenOutOfRange(let token, let index, let v): "token id \(token) at index \(index) is outside the vocabulary 0..<\(v)"
        case .contextExceeded(let n, let context): "\(n) tokens do not fit the model's context of \(context)"
        case .invalidSampling(let field, let value): "sampling setting \(field) = \(value) is out of range"
        case .negativeTokenCount(let n): "maxNewTokens must not be negative, got \(n)"
        case .cacheMismatch: "the key/value cache was made for a model of another shape"
        case .batchMismatch(let prompts, let given, let what): "\(prompts) prompts need one \(what.dropLast()) each, got \(given) \(what)"
        }
    }
}
