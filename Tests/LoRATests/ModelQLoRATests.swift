import LoRA
import Testing

/// QLoRA inside the transformer: injection, training, gradients against a LoRA oracle, memory.
@Suite struct ModelQLoRATests {
    let suite = TaskSuite(alphabetSize: 12, length: 4)
    let targets = TargetModules.names(["q_proj", "v_proj", "up_proj"])

    func baseModel() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 32, headCount: 2, layerCount: 2), seed: 4)
    }

    /// The oracle: the same model whose target weights are replaced by dequant(quant(W)), then
    /// ordinary LoRA injected with the same seed. Built without any `.qlora` code path.
    func loraOverDequantized(_ hp: LoRAHyperparameters, doubleQuantization: Bool = true, seed: UInt64) throws -> TransformerModel<Float> {
        var model = try baseModel()
        for name in try model.resolveTargets(targets) {
            let w = model[linear: name].plainLinear!.weight
            let q = try QuantizedTensor(quantizing: w, blocksize: 64, codebook: .nf4, doubleQuantization: doubleQuantization)
            model[linear: name] = .linear(Linear(weight: q.dequantized(), bias: nil))
        }
        try model.injectLoRA(targets: targets, hyperparameters: hp, seed: seed)
        return model
    }

    /// Gives every B the same non-zero values in both models (A's gradient is zero while B = 0).
    func randomizeB(_ models: inout [TransformerModel<Float>]) {
        for i in models.indices {
            var g = SeededGenerator(seed: 77)
            models[i].updateTrainableParameters { name, t in
                if name.hasSuffix("lora_B.weight") { t = Matrix.normal(t.rows, t.columns, std: 0.2, using: &g) }
            }
        }
    }

    @Test func injectionQuantizesTheTargetsAndFreezesTheRest() throws {
        var model = try baseModel()
        let names = try model.injectQLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2)
        #expect(names == ["layers.0.self_attn.q_proj", "layers.0.self_attn.v_proj", "layers.0.mlp.up_proj",
                          "layers.1.self_attn.q_proj", "layers.1.self_attn.v_proj", "layers.1.mlp.up_proj"])
        #expect(model.quantizedLayerNames == names && model.adaptedLayerNames == names)
        #expect(model.namedQuantizedWeights.map(\.name) == names.map { $0 + ".weight" })
        for w in model.namedQuantizedWeights {
            #expect(w.value.isDoubleQuantized && w.value.blocksize == 64)
            #expect(w.value.codebook == FourBitCodebook.nf4)
        }
        let expectedTrainable: [String] = names.flatMap { n -> [String] in [n + ".lora_A.weight", n + ".lora_B.weight"] }
        let trainable: [String] = model.namedParameters.filter(\.isTrainable).map(\.name)
        #expect(trainable == expectedTrainable)
        // Same counts as LoRA: the 4-bit weights are frozen parameters.
        var lora = try baseModel()
        try lora.injectLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2)
        #expect(model.parameterCount == lora.parameterCount)
        #expect(throws: TargetModuleError.alreadyAdapted("layers.0.self_attn.q_proj")) {
            try model.injectQLoRA(targets: .names(["q_proj"]), seed: 1)
        }
    }

    @Test func gradientsMatchLoRAOverTheDequantizedWeights() throws {
        let hp = LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0.1)
        var qlora = try baseModel()
        try qlora.injectQLoRA(targets: targets, hyperparameters: hp, seed: 9)
        var models = [qlora, try loraOverDequantized(hp, seed: 9)]
        randomizeB(&models)
        // Same A (same seed, same draws), same B, same dequantized base.
        #expect(models[0].namedParameters.filter(\.isTrainable).map(\.value) == models[1].namedParameters.filter(\.isTrainable).map(\.value))
        var g = SeededGenerator(seed: 5)
        let batch = suite.copy.batch(size: 16, using: &g)
        var d1 = SeededGenerator(seed: 6), d2 = SeededGenerator(seed: 6)  // identical dropout masks
        let q = models[0].lossAndGradients(batch, training: &d1)
        let l = models[1].lossAndGradients(batch, training: &d2)
        #expect(Set(q.gradients.tensors.keys) == Set(l.gradients.tensors.keys))
        #expect(q.gradients.tensors.count == 12)
        // Float, same math; only the tiling of the base GEMMs may change the summation order.
        // Tolerance: 1e-5 of the tensor's largest entry.
        for (name, gq) in q.gradients.tensors {
            let gl = l.gradients.tensors[name]!
            #expect(gl.maxAbs > 0, "\(name) is identically zero")
            let (difference, size) = (gq.maxAbsDifference(gl), Double(gl.maxAbs))
            #expect(difference <= 1e-5 * size, "\(name): \(difference) vs max \(size)")
        }
        #expect(abs(q.loss - l.loss) < 1e-5)
        // converted(to:) is that oracle: .qlora becomes .lora over dequant(W4).
        let converted = models[0].converted(to: Float.self)
        #expect(converted.quantizedLayerNames.isEmpty && converted.adaptedLayerNames == models[1].adaptedLayerNames)
        #expect(converted.namedParameters.map(\.value) == models[1].namedParameters.map(\.value))
        // Merging: dequant(W4) + s·B·A in float, as the oracle's merge.
        let mq = models[0].mergedAndUnloaded().logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        let ml = models[1].mergedAndUnloaded().logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        let mergedDifference = mq.maxAbsDifference(ml), mergedSize = Double(ml.maxAbs)
        #expect(mergedDifference <= 1e-5 * mergedSize)
    }

    @Test func qloraModelTrainsAndLeavesItsBaseUntouched() throws {
        var model = try baseModel()
        try model.injectQLoRA(targets: .allLinear, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 3)
        let quantizedBefore = model.namedQuantizedWeights.map(\.value)
        let denseBefore = model.namedParameters
        var g = SeededGenerator(seed: 50)
        let held = suite.copy.batch(size: 128, using: &g)
        let before = model.evaluate(held)
        var optimizer = AdamWOptimizer<Float>(weightDecay: 0.1)  // decay must not reach frozen tensors
        let losses = Trainer.train(&model, optimizer: &optimizer,
                                   configuration: TrainingConfiguration(steps: 80, batchSize: 32, learningRate: 1e-2), tasks: [suite.copy])
        let after = model.evaluate(held)
        #expect(losses.count == 80)
        #expect(after.loss < 0.5 * before.loss, "loss \(before.loss) → \(after.loss)")
        #expect(model.namedQuantizedWeights.map(\.value) == quantizedBefore)
        for (b, a) in zip(denseBefore, model.namedParameters) {
            if b.isTrainable {
                #expect(a.value != b.value, "\(b.name) did not change")
            } else {
                #expect(a.value.storage == b.value.storage, "\(b.name) changed")
            }
        }
    }

    @Test(arguments: [true, false])
    func ledgerCountsFourBitWeightsAtTheirStorage(doubleQuantization: Bool) throws {
        let hp = LoRAHyperparameters(rank: 4, alpha: 8)
        var qlora = try baseModel()
        try qlora.injectQLoRA(targets: targets, hyperparameters: hp, doubleQuantization: doubleQuantization, seed: 1)
        var lora = try baseModel()
        try lora.injectLoRA(targets: targets, hyperparameters: hp, seed: 1)
        var g = SeededGenerator(seed: 3)
        let batch = suite.copy.batch(size: 8, using: &g)
        var d1 = SeededGenerator(seed: 4), d2 = SeededGenerator(seed: 4)
        var o1 = AdamWOptimizer<Float>(), o2 = AdamWOptimizer<Float>()
        let q = Trainer.step(&qlora, batch: batch, optimizer: &o1, learningRate: 1e-3, maxGradientNorm: nil, generator: &d1, measureMemory: true).ledger!
        let l = Trainer.step(&lora, batch: batch, optimizer: &o2, learningRate: 1e-3, maxGradientNorm: nil, generator: &d2, measureMemory: true).ledger!
        // Per adapted weight of n elements, blocksize 64: n/2 bytes of codes, plus constants:
        // 4 bytes per block (float32 absmax), or with DQ 1 byte per block + 4 per 256 blocks + 4.
        func fourBitBytes(_ n: Int) -> Int {
            let blocks = (n + 63) / 64
            return n / 2 + (doubleQuantization ? blocks + 4 * ((blocks + 255) / 256) + 4 : 4 * blocks)
        }
        let d = 32
        let perLayer = [d * d, d * d, 4 * d * d]  // q_proj, v_proj, up_proj
        let saved = 2 * perLayer.reduce(0) { $0 + 4 * $1 - fourBitBytes($1) }
        #expect(l.bytes(.weights) - q.bytes(.weights) == saved)
        // The same by hand. DQ: 1024 → 512 + 16 + 4 + 4 = 536 bytes; 4096 → 2048 + 64 + 4 + 4 = 2120.
        // No DQ: 1024 → 512 + 64 = 576; 4096 → 2048 + 256 = 2304.
        let byHand: Int = doubleQuantization ? 2 * ((4096 - 536) * 2 + (16384 - 2120)) : 2 * ((4096 - 576) * 2 + (16384 - 2304))
        #expect(saved == byHand)
        #expect(q.weightBytes(trainable: true) == l.weightBytes(trainable: true))
        #expect(q.bytes(.gradients) == l.bytes(.gradients))
        #expect(q.bytes(.optimizerState) == l.bytes(.optimizerState))
        #expect(q.bytes(.activations) == l.bytes(.activations))
        let codes = q.entries.filter { $0.precision == "nf4" }
        #expect(codes.count == 6 && codes.allSatisfy { $0.bytesPerElement == 0.5 && !$0.isTrainable })
    }
}
