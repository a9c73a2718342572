/// Synthetic sequence-to-sequence tasks over one shared vocabulary, generated from a seed.
///
/// A sequence is `[tag, x₁ … x_L, SEP, y₁ … y_L]`: a task tag, L letters from an alphabet of
/// n letters, a separator, and the answer y = transform(x). The model reads tokens 0…2L and
/// predicts the next one; only the L answer positions are scored (the SEP position predicts
/// y₁, …), so a prompt is never learned, only the answer.
///
/// ```
/// vocabulary:  letters 0..<n   SEP = n   tags n+1 … n+|tasks|
/// ```
public struct SequenceTask: Sendable, Equatable {
    /// How the answer is computed from the letters.
    public enum Transform: Sendable, Equatable {
        /// y = x.
        case copy
        /// y = x read backwards.
        case reverse
        /// y = x sorted ascending.
        case sort
        /// yᵢ = (xᵢ + k) mod n.
        case shift(Int)
        /// yᵢ = table[xᵢ]: a fixed lookup table over the whole alphabet (a permutation
        /// drawn from a seed). Its change from `copy` is a full-rank map on the letters.
        case substitute([Int])
        /// y = x rotated left by k places.
        case rotate(Int)
    }

    /// A short name for tables ("copy", "reverse", …).
    public var name: String
    /// The transform.
    public var transform: Transform
    /// The tag token that announces this task (must lie in the tag range of the vocabulary).
    public var tag: Int
    /// n, the alphabet size.
    public var alphabetSize: Int
    /// L, the number of letters per example.
    public var length: Int

    /// A task; the tag slot `tagIndex` is 0-based among tags.
    public init(name: String, transform: Transform, tagIndex: Int, alphabetSize: Int, length: Int) {
        if case .substitute(let table) = transform {
            precondition(table.count == alphabetSize && Set(table) == Set(0..<alphabetSize),
                         "SequenceTask '\(name)': substitution table must be a permutation of 0..<\(alphabetSize)")
        }
        self.name = name
        self.transform = transform
        self.tag = alphabetSize + 1 + tagIndex
        self.alphabetSize = alphabetSize
        self.length = length
    }

    /// The separator token n.
    public var separator: Int { alphabetSize }
    /// Model sequence length: 2L + 1 (the last answer letter is only a target).
    public var sequenceLength: Int { 2 * length + 1 }

    /// The answer letters for the prompt letters `x`.
    public func answer(_ x: [Int]) -> [Int] {
        let n = alphabetSize
        switch transform {
        case .copy: return x
        case .reverse: return x.reversed()
        case .sort: return x.sorted()
        case .shift(let k): return x.map { (($0 + k) % n + n) % n }
        case .substitute(let table): return x.map { table[$0] }
        case .rotate(let k):
            let s = ((k % x.count) + x.count) % x.count
            return Array(x[s...] + x[..<s])
        }
    }

    /// One example: the full token sequence (2L + 2 tokens).
    public func example(using generator: inout SeededGenerator) -> [Int] {
        let x = (0..<length).map { _ in generator.nextInt(below: alphabetSize) }
        return [tag] + x + [separator] + answer(x)
    }

    /// A batch of `size` examples, each from a task drawn uniformly from `tasks`.
    /// - Precondition: the tasks share alphabet and length.
    public static func batch(from tasks: [SequenceTask], size: Int, using generator: inout SeededGenerator) -> TokenBatch {
        precondition(!tasks.isEmpty, "SequenceTask.batch: no tasks")
        let t = tasks[0].sequenceLength
        precondition(tasks.allSatisfy { $0.sequenceLength == t && $0.alphabetSize == tasks[0].alphabetSize },
                     "SequenceTask.batch: tasks differ in length or alphabet")
        var tokens: [Int] = [], targets: [Int] = []
        tokens.reserveCapacity(size * t)
        targets.reserveCapacity(size * t)
        let answerStart = tasks[0].length + 1  // index of SEP: it predicts y₁
        for _ in 0..<size {
            let task = tasks.count == 1 ? tasks[0] : tasks[generator.nextInt(below: tasks.count)]
            let sequence = task.example(using: &generator)
            tokens += sequence.dropLast()
            for i in 0..<t { targets.append(i >= answerStart ? sequence[i + 1] : CrossEntropy.ignoreIndex) }
        }
        return TokenBatch(tokens: tokens, targets: targets, batchSize: size, sequenceLength: t)
    }

    /// A batch of this task alone.
    public func batch(size: Int, using generator: inout SeededGenerator) -> TokenBatch {
        SequenceTask.batch(from: [self], size: size, using: &generator)
    }
}

/// The task family the chapters use: one vocabulary, a pre-training mixture and fine-tuning tasks.
///
/// | task | tag | answer | role |
/// |---|---|---|---|
/// | copy | 0 | x | pre-training |
/// | sort | 1 | sorted x | pre-training |
/// | shift1 | 2 | xᵢ + 1 mod n | pre-training |
/// | reverse | 3 | x backwards | fine-tuning (new attention pattern) |
/// | rotate3 | 4 | x rotated left by 3 | fine-tuning (new attention pattern) |
/// | shift5 | 5 | xᵢ + 5 mod n | fine-tuning (new letter map) |
/// | substitute | 6 | a random permutation of the letters | fine-tuning that needs a high-rank change |
public struct TaskSuite: Sendable {
    /// n.
    public let alphabetSize: Int
    /// L.
    public let length: Int
    /// Letters copied (pre-training).
    public let copy: SequenceTask
    /// Letters sorted (pre-training).
    public let sort: SequenceTask
    /// Letters shifted by one (pre-training).
    public let shift1: SequenceTask
    /// Letters reversed (fine-tuning).
    public let reverse: SequenceTask
    /// Letters rotated left by 3 (fine-tuning).
    public let rotate3: SequenceTask
    /// Letters shifted by five (fine-tuning).
    public let shift5: SequenceTask
    /// Letters mapped through a random permutation drawn from `seed` (high-rank fine-tuning).
    public let substitute: SequenceTask

    /// The suite for n letters, L per example; the substitution table comes from `seed`.
    public init(alphabetSize n: Int = 32, length: Int = 8, seed: UInt64 = 7) {
        var g = SeededGenerator(seed: seed)
        var table = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { table.swapAt(i, g.nextInt(below: i + 1)) }
        alphabetSize = n
        self.length = length
        copy = SequenceTask(name: "copy", transform: .copy, tagIndex: 0, alphabetSize: n, length: length)
        sort = SequenceTask(name: "sort", transform: .sort, tagIndex: 1, alphabetSize: n, length: length)
        shift1 = SequenceTask(name: "shift1", transform: .shift(1), tagIndex: 2, alphabetSize: n, length: length)
        reverse = SequenceTask(name: "reverse", transform: .reverse, tagIndex: 3, alphabetSize: n, length: length)
        rotate3 = SequenceTask(name: "rotate3", transform: .rotate(3), tagIndex: 4, alphabetSize: n, length: length)
        shift5 = SequenceTask(name: "shift5", transform: .shift(5), tagIndex: 5, alphabetSize: n, length: length)
        substitute = SequenceTask(name: "substitute", transform: .substitute(table), tagIndex: 6, alphabetSize: n, length: length)
    }

    /// The pre-training mixture.
    public var pretraining: [SequenceTask] { [copy, sort, shift1] }
    /// The fine-tuning tasks.
    public var fineTuning: [SequenceTask] { [reverse, rotate3, shift5, substitute] }
    /// Vocabulary size: n letters + SEP + 7 tags.
    public var vocabularySize: Int { alphabetSize + 1 + 7 }

    /// A model configuration that fits the suite (context = 2L + 1).
    public func modelConfiguration(modelDimension: Int = 64, headCount: Int = 4, layerCount: Int = 2) -> TransformerConfiguration {
        TransformerConfiguration(vocabularySize: vocabularySize, contextLength: 2 * length + 1,
                                 modelDimension: modelDimension, headCount: headCount, layerCount: layerCount)
    }
}
