/// What a training-progress callback tells the loop to do next.
public enum TrainingDisposition: Sendable, Equatable {
    /// Keep training.
    case `continue`
    /// Stop after this step.
    case stop
}

/// What the loop reports after each step.
public struct TrainingProgress: Sendable, Equatable {
    /// The step just taken, 1-based.
    public var step: Int
    /// Steps planned.
    public var totalSteps: Int
    /// The batch loss before the update.
    public var loss: Double
    /// The learning rate the update used.
    public var learningRate: Double
    /// The global gradient norm before clipping.
    public var gradientNorm: Double
}

/// Settings of a training run.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Number of optimizer steps.
    public var steps: Int
    /// Sequences per batch.
    public var batchSize: Int
    /// Learning rate per step.
    public var schedule: LearningRateSchedule
    /// Clip the global gradient norm to this (PyTorch's `max_grad_norm`), or `nil` for no clipping.
    public var maxGradientNorm: Double?
    /// Seed of the data stream and of dropout masks.
    public var seed: UInt64

    /// A configuration; the schedule defaults to 10% warm-up then cosine at `learningRate`.
    public init(steps: Int, batchSize: Int = 32, learningRate: Double = 1e-3, schedule: LearningRateSchedule? = nil,
                maxGradientNorm: Double? = 1.0, seed: UInt64 = 1) {
        self.steps = steps
        self.batchSize = batchSize
        self.schedule = schedule ?? LearningRateSchedule(peak: learningRate, warmupSteps: steps / 10, totalSteps: steps)
        self.maxGradientNorm = maxGradientNorm
        self.seed = seed
    }
}

/// The outcome of one optimizer step.
public struct TrainingStepResult: Sendable {
    /// Batch loss before the update.
    public var loss: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// The memory this step held at its peak (weights, gradients, optimizer state, activations),
    /// when asked for.
    public var ledger: MemoryLedger?
}

/// Training: one step, and a loop that reports through a callback.
public enum Trainer {
    /// Forward, backward, optional clipping, one optimizer update.
    ///
    /// Only trainable tensors get gradients and optimizer state. With `measureMemory` the result
    /// carries a ``MemoryLedger`` counted from the tensors that existed during the step.
    public static func step<O: Optimizer>(
        _ model: inout TransformerModel<O.Scalar>, batch: TokenBatch, optimizer: inout O,
        learningRate: Double, maxGradientNorm: Double?, generator: inout SeededGenerator, measureMemory: Bool = false
    ) -> TrainingStepResult {
        var (loss, gradients, _, cache) = model.lossAndGradients(batch, training: &generator)
        let norm = maxGradientNorm.map { GradientClipping.clip(&gradients, maxNorm: $0) } ?? gradients.globalNorm
        optimizer.step(&model, gradients: gradients, learningRate: learningRate)
        let ledger = measureMemory
            ? MemoryLedger(model: model, gradients: gradients, optimizerState: optimizer.stateTensors, activations: cache.savedTensors)
            : nil
        return TrainingStepResult(loss: loss, gradientNorm: norm, ledger: ledger)
    }

    /// Trains for `configuration.steps` steps on batches from `nextBatch`, calling `progress`
    /// after every step; the callback can stop the run. The first call sets the allocator to
    /// keep freed memory (``AllocatorTuning``).
    ///
    /// - Returns: the loss of every step taken.
    @discardableResult
    public static func train<O: Optimizer>(
        _ model: inout TransformerModel<O.Scalar>, optimizer: inout O, configuration: TrainingConfiguration,
        nextBatch: (inout SeededGenerator) -> TokenBatch,
        progress: (TrainingProgress) -> TrainingDisposition = { _ in .continue }
    ) -> [Double] {
        train(&model, optimizer: &optimizer, configuration: configuration, nextBatch: nextBatch, afterStep: { p, _ in progress(p) })
    }

    /// ``train(_:optimizer:configuration:nextBatch:progress:)`` whose callback also sees the
    /// model as it is after each step (to evaluate held-out examples along the way).
    @discardableResult
    public static func train<O: Optimizer>(
        _ model: inout TransformerModel<O.Scalar>, optimizer: inout O, configuration: TrainingConfiguration,
        nextBatch: (inout SeededGenerator) -> TokenBatch,
        afterStep: (TrainingProgress, TransformerModel<O.Scalar>) -> TrainingDisposition
    ) -> [Double] {
        _ = AllocatorTuning.appliedOnce  // keep freed memory: steps then pay no page faults
        var data = SeededGenerator(seed: configuration.seed)
        var dropout = SeededGenerator(seed: configuration.seed ^ 0x5DEECE66D)
        var losses: [Double] = []
        for s in 0..<configuration.steps {
            let batch = nextBatch(&data)
            let rate = configuration.schedule.rate(at: s)
            let r = step(&model, batch: batch, optimizer: &optimizer, learningRate: rate,
                         maxGradientNorm: configuration.maxGradientNorm, generator: &dropout)
            losses.append(r.loss)
            let info = TrainingProgress(step: s + 1, totalSteps: configuration.steps, loss: r.loss, learningRate: rate, gradientNorm: r.gradientNorm)
            if afterStep(info, model) == .stop { break }
        }
        return losses
    }

    /// ``train(_:optimizer:configuration:nextBatch:progress:)`` on batches of a task mixture.
    @discardableResult
    public static func train<O: Optimizer>(
        _ model: inout TransformerModel<O.Scalar>, optimizer: inout O, configuration: TrainingConfiguration,
        tasks: [SequenceTask], progress: (TrainingProgress) -> TrainingDisposition = { _ in .continue }
    ) -> [Double] {
        train(&model, optimizer: &optimizer, configuration: configuration,
              nextBatch: { SequenceTask.batch(from: tasks, size: configuration.batchSize, using: &$0) }, progress: progress)
    }
}
