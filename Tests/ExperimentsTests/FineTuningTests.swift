import Experiments
import LoRA
import Notebook
import Testing

@Suite struct FineTuningTests {
    static let suite = TaskSuite(alphabetSize: 8, length: 4, seed: 3)
    static func base() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 1), seed: 1)
    }
    static let lora = FineTuningMethod(name: "lora", grid: [1e-4, 3e-4, 1e-3]) { model, seed in
        var m = model
        try m.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: seed)
        return m
    }

    /// A run is the library's training loop (same batches, dropout and schedule), with
    /// held-out evaluations at the checkpoints of that very run.
    @Test func runIsTheTrainingLoopWithCheckpoints() throws {
        let heldOut = { var g = SeededGenerator(seed: 9); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let setup = FineTuningSetup(base: try Self.base(), source: .stream([Self.suite.reverse]), heldOut: heldOut, steps: 12, batchSize: 8, checkpoints: [12])
        let run = setup.run(Self.lora, rate: 1e-2, seed: 4)
        var model = try Self.lora.prepare(Self.base(), 204)
        var optimizer = AdamW<Float>()
        let losses = Trainer.train(&model, optimizer: &optimizer,
                                   configuration: TrainingConfiguration(steps: 12, batchSize: 8, learningRate: 1e-2, seed: 304),
                                   tasks: [Self.suite.reverse])
        #expect(run.losses == losses)
        #expect(run.evaluation == model.evaluate(heldOut))
        #expect(run.checkpoints == [model.evaluate(heldOut)])
    }

    /// A run that skips its checkpoint evaluations (a tuning run) trains exactly the same model.
    @Test func skippingCheckpointsChangesNothingButTheCurve() throws {
        let heldOut = { var g = SeededGenerator(seed: 9); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let setup = FineTuningSetup(base: try Self.base(), source: .stream([Self.suite.reverse]), heldOut: heldOut, steps: 10, batchSize: 8, checkpoints: [5, 10])
        let scored = setup.run(Self.lora, rate: 1e-2, seed: 4)
        let unscored = setup.run(Self.lora, rate: 1e-2, seed: 4, scoresCheckpoints: false)
        #expect(scored.checkpoints.count == 2 && unscored.checkpoints.isEmpty)
        #expect(scored.losses == unscored.losses && scored.evaluation == unscored.evaluation)
    }

    /// Tuning runs skip the checkpoints (only their final loss is used); report runs keep them.
    @Test func reportRunsCarryTheirCheckpoints() throws {
        let heldOut = { var g = SeededGenerator(seed: 9); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let setup = FineTuningSetup(base: try Self.base(), source: .stream([Self.suite.reverse]), heldOut: heldOut, steps: 6, batchSize: 8, checkpoints: [3, 6])
        let tuned = tune([Self.lora], setup: setup, tuningSeeds: [11, 12], reportSeeds: [1, 2], maxExtensions: 0)[0]
        #expect(tuned.runs.allSatisfy { $0.checkpoints.count == 2 })
        #expect(tuned.runs.map(\.evaluation) == [1, 2].map { setup.run(Self.lora, rate: tuned.choice.rate, seed: $0).evaluation })
    }

    /// A grid whose best rate is its top end is extended upwards until the best is inside
    /// (or the extension limit is reached), and the report seeds run at the chosen rate.
    @Test func tuningExtendsAGridWhoseBestIsAnEnd() throws {
        let heldOut = { var g = SeededGenerator(seed: 9); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let setup = FineTuningSetup(base: try Self.base(), source: .stream([Self.suite.reverse]), heldOut: heldOut, steps: 20, batchSize: 8)
        let tuned = tune([Self.lora], setup: setup, tuningSeeds: [11, 12], reportSeeds: [1, 2], maxExtensions: 3)[0]
        // 1e-4 … 1e-3 is far too low for 20 steps: the best of the first grid is its end.
        #expect(tuned.rates.count > 3, "grid not extended: \(tuned.rates)")
        #expect(tuned.rates.first == 1e-4 && tuned.rates == tuned.rates.sorted())
        #expect(tuned.choice.rate == tuned.rates[tuned.choice.index])
        #expect(tuned.choice.isInterior || tuned.rates.count == 6)
        #expect(tuned.runs.count == 2 && tuned.tuningLoss.count == tuned.rates.count)
        let best = tuned.tuningLoss.indices.min { tuned.tuningLoss[$0].mean < tuned.tuningLoss[$1].mean }!
        #expect(best == tuned.choice.index)
    }

    /// With validation examples the rate is chosen on them, not on the reported held-out set:
    /// the tuning scores are the validation losses of the tuning runs.
    @Test func ratesAreChosenOnTheValidationExamples() throws {
        let heldOut = { var g = SeededGenerator(seed: 9); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let validation = { var g = SeededGenerator(seed: 19); return Self.suite.reverse.batch(size: 16, using: &g) }()
        let setup = FineTuningSetup(base: try Self.base(), source: .stream([Self.suite.reverse]), heldOut: heldOut, validation: validation,
                                    steps: 6, batchSize: 8)
        let tuned = tune([Self.lora], setup: setup, tuningSeeds: [11, 12], reportSeeds: [1, 2], maxExtensions: 0)[0]
        for (i, rate) in tuned.rates.enumerated() {
            let runs = [11, 12].map { setup.run(Self.lora, rate: rate, seed: $0) }
            #expect(tuned.tuningLoss[i].mean == Estimate(runs.map { $0.validationEvaluation!.loss }).mean)
            #expect(tuned.tuningLoss[i].mean != Estimate(runs.map(\.evaluation.loss)).mean)
        }
        #expect(tuned.runs.allSatisfy { $0.evaluation == $0.model.evaluate(heldOut) })
    }
}
