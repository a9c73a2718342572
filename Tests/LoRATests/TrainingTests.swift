#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LoRA
import Testing

/// The training loop, optimizers, schedule, clipping and memory ledger.
@Suite struct TrainingTests {
    let suite = TaskSuite(alphabetSize: 12, length: 4)

    func smallModel() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 32, headCount: 2, layerCount: 2), seed: 4)
    }

    @Test func shortRunLowersTheLossFourfold() throws {
        var model = try smallModel()
        var optimizer = AdamW<Float>()
        var g = SeededGenerator(seed: 50)
        let held = suite.copy.batch(size: 128, using: &g)
        let before = model.evaluate(held)
        let losses = Trainer.train(&model, optimizer: &optimizer,
                                   configuration: TrainingConfiguration(steps: 200, batchSize: 32, learningRate: 3e-3), tasks: [suite.copy])
        let after = model.evaluate(held)
        #expect(losses.count == 200)
        #expect(after.loss * 4 < before.loss, "loss \(before.loss) → \(after.loss)")
        #expect(after.tokenAccuracy > 0.9, "token accuracy \(after.tokenAccuracy)")
    }

    @Test func afterInjectionOnlyAdaptersChange() throws {
        var model = try smallModel()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2)
        let before = model.namedParameters
        var optimizer = AdamW<Float>(weightDecay: 0.1)  // decay must not touch frozen tensors
        Trainer.train(&model, optimizer: &optimizer, configuration: TrainingConfiguration(steps: 5, batchSize: 8, learningRate: 1e-2), tasks: [suite.reverse])
        let after = model.namedParameters
        #expect(before.map(\.name) == after.map(\.name))
        for (b, a) in zip(before, after) {
            if b.name.contains(".lora_") {
                #expect(a.value != b.value, "\(b.name) did not change")
            } else {
                #expect(a.value.storage == b.value.storage, "\(b.name) changed")
            }
        }
        #expect(optimizer.stateTensors.count == 2 * 8)
    }

    @Test func callbackCanStopTheLoop() throws {
        var model = try smallModel()
        var optimizer = SGDOptimizer<Float>()
        var seen: [Int] = []
        let losses = Trainer.train(&model, optimizer: &optimizer, configuration: TrainingConfiguration(steps: 50, batchSize: 4), tasks: [suite.copy]) { p in
            seen.append(p.step)
            return p.step == 3 ? .stop : .continue
        }
        #expect(seen == [1, 2, 3] && losses.count == 3)
    }

    @Test func scheduleWarmsUpThenFollowsCosine() {
        let s = LearningRateSchedule(peak: 1.0, warmupSteps: 4, totalSteps: 14, decay: .cosine(minimumFactor: 0.1))
        #expect(s.rate(at: 0) == 0.25 && s.rate(at: 3) == 1.0)
        #expect(abs(s.rate(at: 9) - (0.1 + 0.9 * 0.5)) < 1e-12)  // halfway: cos(π/2) = 0
        #expect(abs(s.rate(at: 14) - 0.1) < 1e-12)
        #expect(LearningRateSchedule.constant(0.3, totalSteps: 5).rate(at: 4) == 0.3)
    }

    @Test func clippingScalesToTheGlobalNorm() {
        var grads = ParameterGradients<Double>([NamedTensor("a", Matrix([[3, 0]])), NamedTensor("b", Matrix([[0], [4]]))])
        let norm = GradientClipping.clip(&grads, maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(grads.globalNorm - 1) < 1e-6)
        var small = ParameterGradients<Double>([NamedTensor("a", Matrix([[0.3]]))])
        GradientClipping.clip(&small, maxNorm: 1)
        #expect(small["a"] == Matrix([[0.3]]))
    }

    @Test func adamWMatchesTheFormulaForTwoSteps() {
        var opt = AdamW<Double>(beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1)
        var p = Matrix<Double>([[1.0, -2.0]])
        let g1 = Matrix<Double>([[0.5, 0.1]]), g2 = Matrix<Double>([[-0.2, 0.3]])
        opt.update(&p, name: "w", gradient: g1, learningRate: 0.01)
        opt.update(&p, name: "w", gradient: g2, learningRate: 0.01)
        // Oracle: the scalar recurrence written out per element.
        for (j, start) in [1.0, -2.0].enumerated() {
            var (w, m, v) = (start, 0.0, 0.0)
            for (t, g) in [(1.0, g1[0, j]), (2.0, g2[0, j])] {
                w -= 0.01 * 0.1 * w
                m = 0.9 * m + 0.1 * g
                v = 0.99 * v + 0.01 * g * g
                w -= 0.01 * (m / (1 - pow(0.9, t))) / ((v / (1 - pow(0.99, t))).squareRoot() + 1e-8)
            }
            #expect(abs(p[0, j] - w) < 1e-12)
        }
        #expect(opt.stateTensors.map(\.name) == ["w.exp_avg", "w.exp_avg_sq"])
    }

    @Test func sgdWithMomentumMatchesTheFormula() {
        var opt = SGDOptimizer<Double>(momentum: 0.9)
        var p = Matrix<Double>([[1.0]])
        opt.update(&p, name: "w", gradient: Matrix([[1.0]]), learningRate: 0.1)  // b = 1, w = 0.9
        opt.update(&p, name: "w", gradient: Matrix([[1.0]]), learningRate: 0.1)  // b = 1.9, w = 0.71
        #expect(abs(p[0, 0] - 0.71) < 1e-12)
    }

    @Test func ledgerCountsTheTensorsThatExist() throws {
        var full = try smallModel()
        var lora = full
        try lora.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 1)
        var g = SeededGenerator(seed: 3)
        let batch = suite.copy.batch(size: 8, using: &g)
        var d = SeededGenerator(seed: 4)
        var o1 = AdamW<Float>(), o2 = AdamW<Float>()
        let f = Trainer.step(&full, batch: batch, optimizer: &o1, learningRate: 1e-3, maxGradientNorm: nil, generator: &d, measureMemory: true).ledger!
        let l = Trainer.step(&lora, batch: batch, optimizer: &o2, learningRate: 1e-3, maxGradientNorm: nil, generator: &d, measureMemory: true).ledger!
        #expect(f.bytes(.weights) == 4 * full.parameterCount.total)
        #expect(f.bytes(.gradients) == 4 * full.parameterCount.trainable)
        #expect(f.bytes(.optimizerState) == 2 * f.bytes(.gradients))
        #expect(l.bytes(.gradients) == 4 * 2 * 2 * 4 * (32 + 32))
        #expect(l.weightBytes(trainable: true) == l.bytes(.gradients))
        #expect(l.bytes(.optimizerState) == 2 * l.bytes(.gradients))
        // LoRA keeps x·Aᵀ for each adapter on top of what the full model keeps.
        let extra = 2 * 2 * 8 * suite.copy.sequenceLength * 4 * 4
        #expect(l.bytes(.activations) == f.bytes(.activations) + extra)
    }
}
