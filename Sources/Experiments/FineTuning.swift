import LoRA
import Notebook

/// Fine-tuning experiments that meet the package's standard for comparisons: each method at
/// its own best learning rate from a grid that brackets the optimum, then ≥ 5 fresh seeds at
/// that rate, summarised as mean ± standard error (``Estimate``) for ``Verdict`` to decide.
///
/// ```
/// tuning    every rate of the method's grid × the tuning seeds → mean validation loss per rate
///           (a second held-out set, so the reported examples never pick the rate)
///           best rate at a grid end → extend the grid on that side (×ratio) and run again
/// report    the chosen rate × the report seeds (disjoint from the tuning seeds)
/// ```
/// Runs are independent and seeded (adapter initialisation 200 + seed, data and dropout
/// 300 + seed), so they run on every core and the results do not depend on the core count.

/// Where a run's training batches come from.
public enum BatchSource: Sendable {
    /// Fresh examples of these tasks every step.
    case stream([SequenceTask])
    /// A fixed training set, drawn with replacement (scarce data).
    case pool(TokenBatch)

    /// A batch of `size` sequences.
    func batch(size: Int, using g: inout SeededGenerator) -> TokenBatch {
        switch self {
        case .stream(let tasks): return SequenceTask.batch(from: tasks, size: size, using: &g)
        case .pool(let pool):
            let t = pool.sequenceLength
            var tokens: [Int] = [], targets: [Int] = []
            for _ in 0..<size {
                let i = g.nextInt(below: pool.batchSize)
                tokens += pool.tokens[(i * t)..<((i + 1) * t)]
                targets += pool.targets[(i * t)..<((i + 1) * t)]
            }
            return TokenBatch(tokens: tokens, targets: targets, batchSize: size, sequenceLength: t)
        }
    }
}

/// A way to fine-tune: how to prepare the model from the base, and the learning rates to try.
public struct FineTuningMethod: Sendable {
    /// The name on the page.
    public let name: String
    /// Learning rates to try first, ascending, evenly spaced on a log scale.
    public let grid: [Double]
    /// The trainable model from the base and an initialisation seed.
    public let prepare: @Sendable (TransformerModel<Float>, UInt64) throws -> TransformerModel<Float>

    /// A method.
    public init(name: String, grid: [Double], prepare: @escaping @Sendable (TransformerModel<Float>, UInt64) throws -> TransformerModel<Float>) {
        precondition(grid.count >= 3 && zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 }, "FineTuningMethod: needs ≥ 3 ascending rates")
        self.name = name
        self.grid = grid
        self.prepare = prepare
    }
}

/// What one run left.
public struct FineTuningRun: Sendable {
    /// Held-out loss and accuracies after training.
    public let evaluation: EvaluationResult
    /// The training loss of every step.
    public let losses: [Double]
    /// Loss and accuracies on ``FineTuningSetup/validation`` after training (nil without one).
    public let validationEvaluation: EvaluationResult?
    /// Held-out evaluations at the steps in ``FineTuningSetup/checkpoints`` (empty if none).
    public let checkpoints: [EvaluationResult]
    /// The trained model.
    public let model: TransformerModel<Float>
}

/// Everything a run needs besides the method, rate and seed.
public struct FineTuningSetup: Sendable {
    /// The pre-trained model every run starts from.
    public let base: TransformerModel<Float>
    /// Training batches.
    public let source: BatchSource
    /// Held-out examples: the reported results.
    public let heldOut: TokenBatch
    /// Other held-out examples that pick the learning rate in ``tune(_:setup:tuningSeeds:reportSeeds:maxExtensions:progress:)``
    /// (nil: the rate is picked on ``heldOut``).
    public let validation: TokenBatch?
    /// Optimizer steps per run.
    public let steps: Int
    /// Sequences per batch.
    public let batchSize: Int
    /// Steps after which the held-out set is also evaluated (for learning curves).
    public let checkpoints: [Int]

    /// A setup.
    public init(base: TransformerModel<Float>, source: BatchSource, heldOut: TokenBatch, validation: TokenBatch? = nil, steps: Int,
                batchSize: Int = 32, checkpoints: [Int] = []) {
        self.base = base
        self.source = source
        self.heldOut = heldOut
        self.validation = validation
        self.steps = steps
        self.batchSize = batchSize
        self.checkpoints = checkpoints
    }

    /// One run of `method` at `rate` with `seed`: AdamW, 10% warm-up then cosine, clipping at
    /// 1 (``Trainer/train(_:optimizer:configuration:nextBatch:afterStep:)``, with held-out
    /// evaluations at the checkpoints unless `scoresCheckpoints` is false: tuning runs, which
    /// only need the final loss, skip them, and the training itself is the same either way).
    public func run(_ method: FineTuningMethod, rate: Double, seed: UInt64, scoresCheckpoints: Bool = true) -> FineTuningRun {
        var model = try! method.prepare(base, 200 + seed)
        var optimizer = AdamW<Float>()
        var curve: [EvaluationResult] = []
        let losses = Trainer.train(&model, optimizer: &optimizer,
                                   configuration: TrainingConfiguration(steps: steps, batchSize: batchSize, learningRate: rate, seed: 300 + seed),
                                   nextBatch: { source.batch(size: batchSize, using: &$0) }) { progress, model in
            if scoresCheckpoints && checkpoints.contains(progress.step) { curve.append(model.evaluate(heldOut)) }
            return .continue
        }
        return FineTuningRun(evaluation: model.evaluate(heldOut), losses: losses, validationEvaluation: validation.map { model.evaluate($0) },
                             checkpoints: curve, model: model)
    }
}

/// A method after tuning: the rates tried, the choice, and the runs at the chosen rate.
public struct TunedMethod: Sendable {
    /// The method.
    public let method: FineTuningMethod
    /// Every rate tried, ascending (the grid, extended if its best was an end point).
    public let rates: [Double]
    /// Loss over the tuning seeds, per rate in ``rates``, on the setup's validation examples
    /// (its held-out examples when it has none): what the rate was chosen by.
    public let tuningLoss: [Estimate]
    /// Exact match over the tuning seeds, per rate, on the same examples as ``tuningLoss``.
    public let tuningExactMatch: [Estimate]
    /// The best rate (lowest mean ``tuningLoss``).
    public let choice: LearningRateChoice
    /// Runs at the chosen rate, one per report seed.
    public let runs: [FineTuningRun]
    /// The report seeds, in the order of ``runs``.
    public let seeds: [UInt64]

    /// A metric of the report runs as mean ± standard error.
    public func estimate(_ metric: (FineTuningRun) -> Double) -> Estimate { Estimate(runs.map(metric)) }

    /// This method against `other` on `metric`, paired by seed (both ran the same report seeds:
    /// the same data order, adapter initialisation seed and held-out examples), with an absolute
    /// `margin` and, for a bounded metric, its `saturation`.
    public func paired(with other: TunedMethod, _ metric: (FineTuningRun) -> Double, margin: Double, saturation: Saturation? = nil) -> Difference {
        precondition(seeds == other.seeds, "TunedMethod.paired: \(method.name) ran seeds \(seeds), \(other.method.name) ran \(other.seeds)")
        return Difference(paired: runs.map(metric), other.runs.map(metric), margin: margin, saturation: saturation)
    }

    /// This method's `metric` (positive: a loss) against `other`'s as a ratio paired by seed,
    /// equivalent within `factor` either way.
    public func pairedRatio(with other: TunedMethod, _ metric: (FineTuningRun) -> Double, factor: Double) -> Difference {
        precondition(seeds == other.seeds, "TunedMethod.pairedRatio: \(method.name) ran seeds \(seeds), \(other.method.name) ran \(other.seeds)")
        return Difference(pairedRatio: runs.map(metric), other.runs.map(metric), factor: factor)
    }
}

/// Tunes each method's learning rate on `tuningSeeds`, extending a grid whose best is an end
/// point (at most `maxExtensions` times per side), then runs `reportSeeds` at the chosen rate.
/// - Parameter progress: advanced once per finished run.
public func tune(_ methods: [FineTuningMethod], setup: FineTuningSetup, tuningSeeds: [UInt64], reportSeeds: [UInt64],
                 maxExtensions: Int = 2, progress: SharedProgress? = nil) -> [TunedMethod] {
    precondition(tuningSeeds.count >= 2 && Set(tuningSeeds).isDisjoint(with: reportSeeds), "tune: ≥ 2 tuning seeds, disjoint from the report seeds")
    struct Job: Sendable { let method: Int; let rate: Double; let seed: UInt64; var isReport = false }
    var rates = methods.map(\.grid)
    var extensions = Array(repeating: 0, count: methods.count)
    var results: [Int: [Double: [FineTuningRun]]] = [:]
    func runAll(_ jobs: [Job]) -> [FineTuningRun] {
        parallelMap(jobs.count) { i in
            let job = jobs[i]
            let run = setup.run(methods[job.method], rate: job.rate, seed: job.seed, scoresCheckpoints: job.isReport)
            progress?.advance(note: methods[job.method].name)
            return run
        }
    }
    /// What a tuning run is scored by: the validation examples when the setup has them.
    func tuningScore(_ run: FineTuningRun) -> EvaluationResult { run.validationEvaluation ?? run.evaluation }
    var pending = methods.indices.flatMap { m in rates[m].flatMap { r in tuningSeeds.map { Job(method: m, rate: r, seed: $0) } } }
    var choices: [LearningRateChoice] = []
    while true {
        for (job, run) in zip(pending, runAll(pending)) { results[job.method, default: [:]][job.rate, default: []].append(run) }
        pending = []
        choices = methods.indices.map { m in
            LearningRateChoice(grid: rates[m], scores: rates[m].map { Estimate(results[m]![$0]!.map { tuningScore($0).loss }) }, higherIsBetter: false)
        }
        for m in methods.indices where !choices[m].isInterior && extensions[m] < maxExtensions {
            let ratio = rates[m][1] / rates[m][0]
            let rate = choices[m].index == 0 ? rates[m][0] / ratio : rates[m][rates[m].count - 1] * ratio
            rates[m] = (rates[m] + [rate]).sorted()
            extensions[m] += 1
            pending += tuningSeeds.map { Job(method: m, rate: rate, seed: $0) }
        }
        if pending.isEmpty { break }
    }
    let finalJobs = methods.indices.flatMap { m in reportSeeds.map { Job(method: m, rate: choices[m].rate, seed: $0, isReport: true) } }
    let finalRuns = runAll(finalJobs)
    return methods.indices.map { m in
        TunedMethod(method: methods[m], rates: rates[m],
                    tuningLoss: rates[m].map { Estimate(results[m]![$0]!.map { tuningScore($0).loss }) },
                    tuningExactMatch: rates[m].map { Estimate(results[m]![$0]!.map { tuningScore($0).exactMatch }) },
                    choice: choices[m],
                    runs: zip(finalJobs, finalRuns).filter { $0.0.method == m }.map(\.1), seeds: reportSeeds)
    }
}
