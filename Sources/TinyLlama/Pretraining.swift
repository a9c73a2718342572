import Corpus
import Foundation
import LoRA

/// How the tiny LLaMA is pre-trained: every setting of `make pretrain`, in one value.
public struct PretrainingPlan: Sendable, Equatable {
    /// Optimizer steps.
    public var steps: Int
    /// Windows per step (each `contextLength` tokens).
    public var batchSize: Int
    /// Peak learning rate, reached after ``warmupSteps`` linear steps, then cosine to
    /// ``minimumFactor`` × peak at the last step.
    public var peakLearningRate: Double
    /// Linear warm-up steps.
    public var warmupSteps: Int
    /// The cosine's floor as a fraction of the peak.
    public var minimumFactor: Double
    /// AdamW's decoupled weight decay.
    public var weightDecay: Double
    /// AdamW's β₂.
    public var beta2: Double
    /// The global gradient norm is clipped to this.
    public var maxGradientNorm: Double
    /// Seed of the initial weights.
    public var modelSeed: UInt64
    /// Seed of the data order (the windows each step draws).
    public var dataSeed: UInt64
    /// Validation bits per byte is logged every this many steps (on ``monitorWindows`` windows).
    public var evaluationInterval: Int
    /// Windows of the source validation stream the log's curve is measured on.
    public var monitorWindows: Int

    /// The plan `make pretrain` runs.
    public static let standard = PretrainingPlan(
        steps: 2500, batchSize: 16, peakLearningRate: 2e-3, warmupSteps: 200, minimumFactor: 0.1, weightDecay: 0.1,
        beta2: 0.95, maxGradientNorm: 1, modelSeed: 20_261_207, dataSeed: 1, evaluationInterval: 250, monitorWindows: 64)

    /// The step after which the weights' digest is logged, and which `PretrainingTests` reruns.
    public static let checkedStep = 20

    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: peakLearningRate, warmupSteps: warmupSteps, totalSteps: steps, decay: .cosine(minimumFactor: minimumFactor))
    }

    /// The optimizer, fresh.
    public func makeOptimizer() -> AdamW<Float> {
        AdamW<Float>(beta1: 0.9, beta2: beta2, epsilon: 1e-8, weightDecay: weightDecay)
    }

    /// The trainer's settings.
    public var trainingConfiguration: TrainingConfiguration {
        TrainingConfiguration(steps: steps, batchSize: batchSize, schedule: schedule, maxGradientNorm: maxGradientNorm, seed: dataSeed)
    }
}

/// One pre-training run: the tokenizer, the token streams, the model and its optimizer.
public struct Pretraining {
    /// The settings.
    public let plan: PretrainingPlan
    /// The tokenizer trained on the source training split.
    public let tokenizer: BPETokenizer
    /// The source training split as one token stream.
    public let trainStream: [Int]
    /// The windows of the source validation split the log's curve is measured on.
    public let monitor: [TokenBatch]
    /// The model, initialised from ``PretrainingPlan/modelSeed`` and trained by ``run(afterStep:)``.
    public var model: TransformerModel<Float>

    /// Trains the tokenizer, tokenizes the corpus and initialises the model.
    public init(plan: PretrainingPlan = .standard) throws {
        self.plan = plan
        tokenizer = try TinyLlama.trainTokenizer()
        trainStream = TinyLlama.tokenStream(try Corpus.documents(.source, .train), tokenizer: tokenizer)
        let validation = TinyLlama.tokenStream(try Corpus.documents(.source, .validation), tokenizer: tokenizer)
        monitor = Array(TinyLlama.windows(of: validation, length: TinyLlama.configuration.contextLength, batchSize: plan.batchSize)
            .prefix(max(1, plan.monitorWindows / plan.batchSize)))
        model = try TransformerModel<Float>(configuration: TinyLlama.configuration, seed: plan.modelSeed)
    }

    /// Mean cross-entropy (nats per token) on the monitor windows.
    public func monitorLoss(_ model: TransformerModel<Float>) -> Double {
        TinyLlama.score(model, windows: monitor).natsPerToken
    }

    /// Runs the plan's steps, calling `afterStep` after each with the progress and the model.
    public mutating func run(afterStep: (TrainingProgress, TransformerModel<Float>) -> TrainingDisposition) {
        var optimizer = plan.makeOptimizer()
        let stream = trainStream, size = plan.batchSize, length = TinyLlama.configuration.contextLength
        Trainer.train(&model, optimizer: &optimizer, configuration: plan.trainingConfiguration,
                      nextBatch: { TinyLlama.batch(from: stream, size: size, length: length, using: &$0) },
                      afterStep: afterStep)
    }
}

/// Cross-entropy summed over scored tokens, and the bytes those tokens stand for.
public struct TextScore: Sendable, Equatable {
    /// Σ −ln p over the scored tokens.
    public var nats: Double
    /// Tokens scored.
    public var tokens: Int
    /// Bytes of text the scored tokens stand for. The end-of-text token stands for none: its
    /// bits are charged to the document's bytes, as the n-gram baselines charge their end symbol.
    public var bytes: Int

    /// Mean nats per token.
    public var natsPerToken: Double { tokens == 0 ? 0 : nats / Double(tokens) }
    /// Bits per byte: the unit that compares models with different tokenizers.
    public var bitsPerByte: Double { bytes == 0 ? 0 : nats / Double(bytes) / Double.log(2) }
}

extension TinyLlama {
    /// The stream cut into consecutive, non-overlapping windows of `length` predicted tokens,
    /// `batchSize` windows per batch (the last batch may hold fewer). Every token after the first
    /// is predicted exactly once; a window's first prediction sees only that window, so the
    /// score is slightly pessimistic next to a sliding window.
    public static func windows(of stream: [Int], length: Int, batchSize: Int) -> [TokenBatch] {
        var starts: [Int] = []
        var start = 0
        while start + length < stream.count {
            starts.append(start)
            start += length
        }
        return stride(from: 0, to: starts.count, by: batchSize).map { first in
            let chosen = starts[first..<min(first + batchSize, starts.count)]
            var tokens: [Int] = [], targets: [Int] = []
            for s in chosen {
                tokens += stream[s..<(s + length)]
                targets += stream[(s + 1)...(s + length)]
            }
            return TokenBatch(tokens: tokens, targets: targets, batchSize: chosen.count, sequenceLength: length)
        }
    }

    /// The model's score on `windows` (see ``windows(of:length:batchSize:)``); bytes are counted
    /// with `tokenizer` when given.
    public static func score(_ model: TransformerModel<Float>, windows: [TokenBatch], tokenizer: BPETokenizer? = nil) -> TextScore {
        var score = TextScore(nats: 0, tokens: 0, bytes: 0)
        for batch in windows {
            let result = model.evaluate(batch)
            score.nats += result.loss * Double(batch.scoredCount)
            score.tokens += batch.scoredCount
            if let tokenizer { score.bytes += batch.targets.reduce(0) { $0 + byteCount(of: $1, tokenizer) } }
        }
        return score
    }

    /// The model's score on `documents` as one stream (bits per byte comparable with
    /// `ByteNGram.bitsPerByte`).
    public static func score(_ model: TransformerModel<Float>, documents: [String], tokenizer: BPETokenizer, batchSize: Int = 16) -> TextScore {
        let stream = tokenStream(documents, tokenizer: tokenizer)
        return score(model, windows: windows(of: stream, length: model.configuration.contextLength, batchSize: batchSize), tokenizer: tokenizer)
    }

    /// Bytes token `id` stands for (none for the end-of-text token): a byte-level token is
    /// written with one character per byte, so a token that ends inside a UTF-8 sequence counts right.
    public static func byteCount(of id: Int, _ tokenizer: BPETokenizer) -> Int {
        id == endOfTextID ? 0 : (tokenizer.token(for: id)?.unicodeScalars.count ?? 0)
    }

    /// SHA-256 of the weights: for each parameter in the model's traversal order, its name, a
    /// zero byte, and its Float values' bit patterns (little-endian). Equal digests mean equal bits.
    public static func weightDigest(_ model: TransformerModel<Float>) -> String {
        var bytes: [UInt8] = []
        for parameter in model.namedParameters {
            bytes += Array(parameter.name.utf8)
            bytes.append(0)
            for value in parameter.value.storage {
                let bits = value.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                          UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            }
        }
        return SHA256.hex(bytes)
    }
}

extension TinyLlama {
    /// Bits the model spends on one document, scored as the n-gram baselines score it: from a
    /// start (the end-of-text token) through the document's tokens and a closing end-of-text
    /// token. A document longer than the context is scored in consecutive windows, each
    /// seeing only its own tokens.
    public static func documentScore(_ model: TransformerModel<Float>, document: String, tokenizer: BPETokenizer) -> TextScore {
        let ids = [endOfTextID] + tokenizer.encode(document, addingSpecialTokens: false) + [endOfTextID]
        let length = model.configuration.contextLength
        var score = TextScore(nats: 0, tokens: 0, bytes: 0)
        var start = 0
        while start + 1 < ids.count {
            let end = min(start + length, ids.count - 1)
            let batch = TokenBatch(tokens: Array(ids[start..<end]), targets: Array(ids[(start + 1)...end]), batchSize: 1, sequenceLength: end - start)
            let result = model.evaluate(batch)
            score.nats += result.loss * Double(batch.scoredCount)
            score.tokens += batch.scoredCount
            score.bytes += batch.targets.reduce(0) { $0 + byteCount(of: $1, tokenizer) }
            start = end
        }
        return score
    }
}
