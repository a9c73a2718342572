/// A batch of equal-length token sequences laid end to end, with next-token targets.
///
/// Row n = b·T + t of the model's activations is token t of sequence b. `targets[n]` is the
/// token the model should predict at that position, or ``CrossEntropy/ignoreIndex`` when the
/// position is not scored (prompt tokens: only answer tokens count in our tasks).
public struct TokenBatch: Sendable, Equatable {
    /// batch·T token ids.
    public var tokens: [Int]
    /// batch·T targets (next token or ``CrossEntropy/ignoreIndex``).
    public var targets: [Int]
    /// Number of sequences.
    public var batchSize: Int
    /// Length T of every sequence.
    public var sequenceLength: Int

    /// A batch; the precondition names the sizes when they disagree.
    public init(tokens: [Int], targets: [Int], batchSize: Int, sequenceLength: Int) {
        precondition(tokens.count == batchSize * sequenceLength && targets.count == tokens.count,
                     "TokenBatch: \(tokens.count) tokens and \(targets.count) targets for \(batchSize) sequences of length \(sequenceLength)")
        self.tokens = tokens
        self.targets = targets
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
    }

    /// Number of scored positions.
    public var scoredCount: Int { targets.filter { $0 != CrossEntropy.ignoreIndex }.count }
}
