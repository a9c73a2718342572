/// How the next token is chosen from a row of logits: transformers' `generate` with
/// `do_sample=False` (greedy) or `do_sample=True` with its warpers, applied in its order:
/// ```
/// z ← logits / temperature                       TemperatureLogitsWarper
/// keep z_i ≥ (k-th largest z)                     TopKLogitsWarper (ties at the threshold kept)
/// p = softmax over the kept
/// keep, in descending p, the smallest prefix with Σ p ≥ top_p (at least one)   TopPLogitsWarper
/// sample i with probability p_i / Σ_kept p        multinomial, from the seeded generator
/// ```
/// transformers' top-p removes ascending-sorted tokens while their cumulative probability is
/// ≤ 1 − top_p, which keeps exactly the tokens whose descending predecessors sum to < top_p.
/// Probabilities are computed in Double with the package's `Double.exp(_:)`, and one uniform
/// draw (``SeededGenerator/nextUnit()``) picks each sampled token, so a seed gives the same tokens
/// on every machine.
public enum Sampling: Sendable, Equatable {
    /// The arg-max (the first one on ties), drawing nothing from the generator.
    case greedy
    /// Sampling with temperature T > 0, optional top-k (k ≥ 1) and top-p (0 < p ≤ 1).
    case random(temperature: Double = 1, topK: Int? = nil, topP: Double? = nil)

    /// Checks the settings.
    /// - Throws: ``GenerationError/invalidSampling(field:value:)`` naming the bad one.
    public func validate() throws(GenerationError) {
        guard case .random(let temperature, let topK, let topP) = self else { return }
        guard temperature > 0, temperature.isFinite else { throw .invalidSampling(field: "temperature", value: temperature) }
        if let topK, topK < 1 { throw .invalidSampling(field: "topK", value: Double(topK)) }
        if let topP, !(topP > 0 && topP <= 1) { throw .invalidSampling(field: "topP", value: topP) }
    }

    /// The token chosen from one row of logits (vocab); `.random` draws one number from `generator`.
    /// - Precondition: the settings are valid (``validate()``) and `logits` is not empty.
    public func choose<Scalar: BLASScalar>(from logits: [Scalar], using generator: inout SeededGenerator) -> Int {
        precondition(!logits.isEmpty, "Sampling: no logits")
        guard case .random = self else {
            var best = 0
            for i in logits.indices where logits[i] > logits[best] { best = i }
            return best
        }
        let kept = distribution(from: logits)
        // One uniform draw u ∈ [0, 1) against the cumulative kept mass (token-id order).
        let u = generator.nextUnit()
        var cumulative = 0.0
        for entry in kept {
            cumulative += entry.probability
            if u < cumulative { return entry.token }
        }
        return kept.last!.token
    }

    /// The tokens `.random` may draw, in token-id order, with their renormalised probabilities
    /// (after temperature, top-k and top-p); `.greedy`: the arg-max with probability 1.
    /// - Precondition: the settings are valid (``validate()``) and `logits` is not empty.
    public func distribution<Scalar: BLASScalar>(from logits: [Scalar]) -> [(token: Int, probability: Double)] {
        precondition(!logits.isEmpty, "Sampling: no logits")
        guard case .random(let temperature, let topK, let topP) = self else {
            var g = SeededGenerator(seed: 0)
            return [(choose(from: logits, using: &g), 1)]
        }
        let z = logits.map { $0.doubleValue / temperature }
        var kept = Array(z.indices)
        if let topK, topK < z.count {
            let threshold = z.sorted(by: >)[topK - 1]
            kept = kept.filter { z[$0] >= threshold }
        }
        // Softmax over the kept tokens (max subtracted; it cancels).
        let m = kept.map { z[$0] }.max()!
        var p = kept.map { Double.exp(z[$0] - m) }
        if let topP, topP < 1 {
            let total = p.reduce(0, +)
            let normalised = p.map { $0 / total }
            // Descending probability, ties by token id: keep while the predecessors sum to < top_p.
            let order = kept.indices.sorted { normalised[$0] != normalised[$1] ? normalised[$0] > normalised[$1] : kept[$0] < kept[$1] }
            var cumulative = 0.0, prefix: [Int] = []
            for i in order {
                if !prefix.isEmpty && cumulative >= topP { break }
                prefix.append(i)
                cumulative += normalised[i]
            }
            prefix.sort()
            kept = prefix.map { kept[$0] }
            p = prefix.map { p[$0] }
        }
        let total = p.reduce(0, +)
        return zip(kept, p).map { ($0, $1 / total) }
    }
}
