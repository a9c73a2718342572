import LoRA
import Notebook

/// The miniature every training chapter shares (10, 11, 13, 14, 15): one task suite, one model
/// shape, one pre-trained model and one held-out set per task, spelled once so the chapters
/// cannot drift apart.
///
/// ```
/// suite          32 letters, 8 per example, substitution table from seed 7
/// model          d_model 64, 4 heads, 2 layers, MLP 256 (LLaMA's module names)
/// pre-training   copy, sort, shift1: AdamW 3e-3, 600 steps of 32, init seed 1, data seed 101
/// held-out       256 examples per task from seed 10 000 + tag (validation: 20 000 + tag)
/// ```
public enum Miniature {
    /// The synthetic tasks.
    public static let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
    /// The model's shape.
    public static let configuration = suite.modelConfiguration(modelDimension: 64, headCount: 4, layerCount: 2)
    /// Optimizer steps of pre-training.
    public static let pretrainingSteps = 600

    /// 256 examples of `task` from a seed no training run uses; `validation` is a second such
    /// set, for chapters that pick learning rates on other examples than they report.
    public static func heldOut(_ task: SequenceTask, validation: Bool = false) -> TokenBatch {
        var g = SeededGenerator(seed: (validation ? 20_000 : 10_000) + UInt64(task.tag))
        return task.batch(size: 256, using: &g)
    }

    /// The pre-trained model every fine-tuning experiment starts from (a progress bar at a
    /// terminal while it trains).
    public static func pretrained() -> TransformerModel<Float> {
        var model = try! TransformerModel<Float>(configuration: configuration, seed: 1)
        var optimizer = AdamW<Float>()
        trainShowingProgress(&model, optimizer: &optimizer, steps: pretrainingSteps, learningRate: 3e-3, seed: 101,
                             label: "pre-training", tasks: suite.pretraining)
        return model
    }
}

/// Trains `model` with `optimizer` (batches of 32, warm-up and cosine, clipping at 1: see
/// ``TrainingConfiguration``), drawing a progress bar at a terminal.
/// - Parameters:
///   - batches: where batches come from; `nil` draws fresh examples of `tasks`.
/// - Returns: the loss of every step and the wall-clock seconds per step.
@discardableResult
public func trainShowingProgress<O: Optimizer>(
    _ model: inout TransformerModel<Float>, optimizer: inout O, steps: Int, learningRate: Double, seed: UInt64, label: String,
    tasks: [SequenceTask] = [], batches: ((inout SeededGenerator) -> TokenBatch)? = nil
) -> (losses: [Double], secondsPerStep: Double) where O.Scalar == Float {
    let bar = ProgressBar(total: steps, label: label)
    defer { bar.finish() }
    return runTraining(&model, optimizer: &optimizer, steps: steps, learningRate: learningRate, seed: seed, tasks: tasks, batches: batches) { step, loss in
        bar.update(step, note: "loss " + fmt(loss, 3))
    }
}

/// ``trainShowingProgress(_:optimizer:steps:learningRate:seed:label:tasks:batches:)`` with a
/// fresh AdamW (PyTorch's defaults; see ``AdamW``).
@discardableResult
public func trainShowingProgress(
    _ model: inout TransformerModel<Float>, steps: Int, learningRate: Double, seed: UInt64, label: String,
    tasks: [SequenceTask] = [], batches: ((inout SeededGenerator) -> TokenBatch)? = nil
) -> (losses: [Double], secondsPerStep: Double) {
    var optimizer = AdamW<Float>()
    return trainShowingProgress(&model, optimizer: &optimizer, steps: steps, learningRate: learningRate, seed: seed,
                                label: label, tasks: tasks, batches: batches)
}

/// The same training as ``trainShowingProgress(_:optimizer:steps:learningRate:seed:label:tasks:batches:)``
/// (the same losses, bit for bit), drawing nothing: for runs that share the cores
/// (``parallelRuns(_:progress:_:)``), whose bars would redraw the one terminal line at once.
/// Such runs show a ``SharedProgress`` advanced as each run finishes instead.
@discardableResult
public func trainQuietly<O: Optimizer>(
    _ model: inout TransformerModel<Float>, optimizer: inout O, steps: Int, learningRate: Double, seed: UInt64,
    tasks: [SequenceTask] = [], batches: ((inout SeededGenerator) -> TokenBatch)? = nil
) -> (losses: [Double], secondsPerStep: Double) where O.Scalar == Float {
    runTraining(&model, optimizer: &optimizer, steps: steps, learningRate: learningRate, seed: seed, tasks: tasks, batches: batches) { _, _ in }
}

/// ``trainQuietly(_:optimizer:steps:learningRate:seed:tasks:batches:)`` with a fresh AdamW
/// (PyTorch's defaults; see ``AdamW``).
@discardableResult
public func trainQuietly(
    _ model: inout TransformerModel<Float>, steps: Int, learningRate: Double, seed: UInt64,
    tasks: [SequenceTask] = [], batches: ((inout SeededGenerator) -> TokenBatch)? = nil
) -> (losses: [Double], secondsPerStep: Double) {
    var optimizer = AdamW<Float>()
    return trainQuietly(&model, optimizer: &optimizer, steps: steps, learningRate: learningRate, seed: seed, tasks: tasks, batches: batches)
}

/// The training both of them run, calling `afterStep(step, loss)` after every step.
private func runTraining<O: Optimizer>(
    _ model: inout TransformerModel<Float>, optimizer: inout O, steps: Int, learningRate: Double, seed: UInt64,
    tasks: [SequenceTask], batches: ((inout SeededGenerator) -> TokenBatch)?, afterStep: (Int, Double) -> Void
) -> (losses: [Double], secondsPerStep: Double) where O.Scalar == Float {
    precondition(batches != nil || !tasks.isEmpty, "trainShowingProgress, trainQuietly: give tasks or batches")
    let start = monotonicSeconds()
    let losses = Trainer.train(&model, optimizer: &optimizer,
                               configuration: TrainingConfiguration(steps: steps, batchSize: 32, learningRate: learningRate, seed: seed),
                               nextBatch: batches ?? { SequenceTask.batch(from: tasks, size: 32, using: &$0) }) { p in
        afterStep(p.step, p.loss)
        return .continue
    }
    return (losses, (monotonicSeconds() - start) / Double(max(losses.count, 1)))
}
