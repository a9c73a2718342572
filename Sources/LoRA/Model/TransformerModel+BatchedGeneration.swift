/// Generation for several prompts at once, each row under its own served adapter: one forward
/// pass per decoding step for the whole batch (S-LoRA and vLLM's multi-LoRA decoding; PEFT's
/// `model.generate(..., adapter_names=[…])`).
///
/// ```
/// prefill   row i: its prompt (L_i tokens) through adapter i, into cache i      one pass per row
/// step      the B' unfinished rows' last tokens (B', d) through every layer      one pass per step
///           row i attends over cache i at its own position L_i + t (rows of any prompt length)
/// stop      per row: an eos token, maxNewTokens, or a full context; finished rows leave the batch
/// ```
/// Every layer computes a row of the batch with the same sums, in the same order, as for that
/// row alone (the deterministic products fix each element's order whatever the number of rows),
/// so row i's tokens are exactly those of `generate(prompt:)` on the model with adapter i alone,
/// drawing from `generators[i]`.
extension TransformerModel {
    /// Continues every prompt in `prompts`; row i is routed through the served adapter
    /// `adapters[i]` (`nil`: the base alone; pass no `adapters` for a model that serves none) and
    /// samples with `generators[i]`.
    /// - Parameters:
    ///   - prompts: one token sequence per row, each at least one token and within the context.
    ///   - adapters: one served adapter name (or `nil`) per row; `nil` for the model as it is.
    ///   - maxNewTokens: the most tokens to generate per row (≥ 0).
    ///   - sampling: greedy or sampled, the same for every row.
    ///   - eos: end-of-sequence ids.
    ///   - generators: one per row (greedy draws nothing).
    /// - Throws: ``GenerationError`` (a bad prompt, setting, or a count of generators other than
    ///   one per prompt), ``ServingError`` (an adapter not served, a count of adapter names
    ///   other than one per prompt).
    public func generate(
        prompts: [[Int]], adapters: [String?]? = nil, maxNewTokens: Int, sampling: Sampling = .greedy, eos: [Int] = [],
        generators: inout [SeededGenerator]
    ) throws -> [Generation] {
        try sampling.validate()
        guard maxNewTokens >= 0 else { throw GenerationError.negativeTokenCount(maxNewTokens) }
        guard generators.count == prompts.count else {
            throw GenerationError.batchMismatch(prompts: prompts.count, given: generators.count, of: "generators")
        }
        if let adapters, adapters.count != prompts.count {
            throw ServingError.routing(sequences: prompts.count, names: adapters.count)
        }
        for prompt in prompts {
            guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
            try checkTokens(prompt)
            guard prompt.count <= configuration.contextLength else {
                throw GenerationError.contextExceeded(tokens: prompt.count, contextLength: configuration.contextLength)
            }
        }
        let routed: (_ rows: [Int], _ length: Int) throws -> TransformerModel = { rows, length in
            guard let adapters else { return self }
            return try routing(rows.map { adapters[$0] }, sequenceLength: length)
        }
        var results = prompts.map { _ in Generation(tokens: [], stopReason: .maxNewTokens) }
        guard maxNewTokens > 0, !prompts.isEmpty else { return results }
        var caches = prompts.map { _ in makeKVCache() }
        // Prefill, one row at a time (prompts may differ in length): each row's last logits.
        var last: [[Scalar]] = []
        for (i, prompt) in prompts.enumerated() {
            let logits = try routed([i], prompt.count).logits(appending: prompt, to: &caches[i])
            last.append(logits.row(logits.rows - 1))
        }
        var active = Array(prompts.indices)
        while true {
            var next: [Int] = [], still: [Int] = []
            for (slot, i) in active.enumerated() {
                let token = sampling.choose(from: last[slot], using: &generators[i])
                results[i].tokens.append(token)
                if eos.contains(token) {
                    results[i].stopReason = .endOfSequence
                } else if results[i].tokens.count == maxNewTokens {
                    results[i].stopReason = .maxNewTokens
                } else if caches[i].count + 1 > configuration.contextLength {
                    results[i].stopReason = .contextFull
                } else {
                    still.append(i)
                    next.append(token)
                }
            }
            guard !still.isEmpty else { return results }
            active = still
            let logits = try routed(active, 1).logits(appendingOneTokenEach: next, to: &caches, rows: active)
            last = (0..<logits.rows).map { logits.row($0) }
        }
    }

    /// Logits (B', vocab) of one new token for each cache in `rows` (`tokens[i]` continues
    /// `caches[rows[i]]` at its own position), appending each token's keys and values to its cache.
    func logits(appendingOneTokenEach tokens: [Int], to caches: inout [KVCache<Scalar>], rows: [Int]) -> Matrix<Scalar> {
        let positions = rows.map { caches[$0].count }
        var h = embedTokens.forward(tokens)
        if let embedPositions { h.accumulate(embedPositions.forward(positions)) }
        for l in layers.indices {
            // Moved out and back, so that appending never copies a cache that is still shared.
            var layerCaches: [KVCache<Scalar>.Layer] = []
            for r in rows {
                layerCaches.append(caches[r].layers[l])
                caches[r].layers[l] = KVCache<Scalar>.Layer()
            }
            h = layers[l].forward(h, appendingOneRowEachTo: &layerCaches, positions: positions)
            for (slot, r) in rows.enumerated() { caches[r].layers[l] = layerCaches[slot] }
        }
        for r in rows { caches[r].count += 1 }
        return head(norm.forward(h))
    }
}

extension TransformerBlock {
    /// Inference forward of B rows (B, d), row i the next token of its own sequence at
    /// `positions[i]`: the projections run on all rows at once; row i's key and value join
    /// `caches[i]` and its query attends over that cache alone.
    func forward(_ h: Matrix<Scalar>, appendingOneRowEachTo caches: inout [KVCache<Scalar>.Layer], positions: [Int]) -> Matrix<Scalar> {
        let a = inputLayernorm.forward(h)
        let q = rotated(qProj.forward(a), positions: positions)
        let k = rotated(kProj.forward(a), positions: positions)
        let v = vProj.forward(a)
        let (d, dkv) = (q.columns, k.columns)
        var attention = Matrix<Scalar>.zeroed(h.rows, d)
        for i in 0..<h.rows {
            caches[i].keys += k.row(i)
            caches[i].values += v.row(i)
            let length = positions[i] + 1
            let row = ScaledDotProductAttention.forward(
                query: Matrix(rows: 1, columns: d, storage: q.row(i)),
                cachedKeys: Matrix(rows: length, columns: dkv, storage: caches[i].keys),
                cachedValues: Matrix(rows: length, columns: dkv, storage: caches[i].values),
                heads: headCount, keyValueHeads: keyValueHeadCount)
            attention.storage.replaceSubrange((i * d)..<((i + 1) * d), with: row.storage)
        }
        var h1 = h
        h1.accumulate(oProj.forward(attention))
        var out = h1
        out.accumulate(feedForward(postAttentionLayernorm.forward(h1)))
        return out
    }
}
