import LoRA
import Testing

/// QLoRA inside the transformer: injection, training, gradients against a LoRA oracle, memory.
@Suite struct ModelQLoRATests {
    let suite = TaskSuite(alphabetSize: 12, length: 4)
    let targets = TargetModules.names(["q_proj", "v_proj", "up_proj"])

    func baseModel() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 32, headCount: 2, layerCount: 2), seed: 4)
    }

    /// Every linear layer but the output head: what QLoRA stores in 4 bits.
    func nonHeadLinearNames(_ model: TransformerModel<Float>) -> [String] {
        model.linearLayerNames.filter { $0 != "lm_head" }
    }

    /// The oracle: the same model whose non-head linear weights are ALL replaced by
    /// dequant(quant(W)), then ordinary LoRA injected with the same seed. Built without any
    /// `.qlora` or `.quantized` code path.
    func loraOverDequantized(_ hp: LoRAHyperparameters, doubleQuantization: Bool = true, seed: UInt64) throws -> TransformerModel<Float> {
        var model = try baseModel()
        for name in nonHeadLinearNames(model) {
            let w = (model[linear: name] as! Linear<Float>).weight
            let q = try QuantizedTensor(quantizing: w, blocksize: 64, codebook: .nf4, doubleQuantization: doubleQuantization)
            model[linear: name] = Linear(weight: q.dequantized(), bias: nil)
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

    @Test func injectionQuantizesEveryLinearButTheHeadAndFreezesTheRest() throws {
        var model = try baseModel()
        let names = try model.injectQLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2)
        #expect(names == ["layers.0.self_attn.q_proj", "layers.0.self_attn.v_proj", "layers.0.mlp.up_proj",
                          "layers.1.self_attn.q_proj", "layers.1.self_attn.v_proj", "layers.1.mlp.up_proj"])
        let nonHead = nonHeadLinearNames(model)
        #expect(nonHead.count == 12)
        #expect(model.quantizedLayerNames == nonHead && model.adaptedLayerNames == names)
        for name in nonHead {
            if names.contains(name) {
                #expect(model[linear: name] is QLoRALinear, "\(name) should be QLoRA")
            } else {
                #expect(model[linear: name] is QuantizedLinear, "\(name) should be 4-bit")
            }
        }
        // The head stays float and frozen (bitsandbytes' modules_to_not_convert).
        #expect((model[linear: "lm_head"] as? Linear<Float>).map { !$0.isTrainable } == true)
        #expect(model.namedQuantizedWeights.map(\.name) == nonHead.map { $0 + ".weight" })
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
        // A 4-bit layer without adapter takes one like a dense layer (PEFT on a 4-bit model):
        // it becomes a QLoRA layer over the same 4-bit weight.
        var more = model
        try more.injectLoRA(targets: .names(["down_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 1)
        let down = try #require(more[linear: "layers.0.mlp.down_proj"] as? QLoRALinear)
        #expect(down.weight == (model[linear: "layers.0.mlp.down_proj"] as! QuantizedLinear).weight)
    }

    /// All-or-nothing: a failure while quantizing an untargeted layer (after the targets were
    /// wrapped) leaves the model as it was.
    @Test func failedInjectionChangesNothing() throws {
        var model = try baseModel()
        var w = (model[linear: "layers.1.mlp.down_proj"] as! Linear<Float>).weight
        w[0, 0] = .nan
        model[linear: "layers.1.mlp.down_proj"] = Linear(weight: w, bias: nil)
        let before = model.namedParameters
        #expect(throws: QuantizationError.self) {
            try model.injectQLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2)
        }
        #expect(model.quantizedLayerNames.isEmpty && model.adaptedLayerNames.isEmpty)
        #expect(model.namedParameters.map(\.name) == before.map(\.name))
        #expect(model.namedParameters.map(\.isTrainable) == before.map(\.isTrainable))
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
        #expect(Set(q.gradients.names) == Set(l.gradients.names))
        #expect(q.gradients.entries.count == 12)
        // Float, same math; only the tiling of the base GEMMs may change the summation order.
        // Tolerance: 1e-5 of the tensor's largest entry.
        for (name, gq) in q.gradients.entries.map({ ($0.name, $0.value) }) {
            let gl = l.gradients[name]!
            #expect(gl.maxAbs > 0, "\(name) is identically zero")
            let (difference, size) = (gq.maxAbsDifference(gl), Double(gl.maxAbs))
            #expect(difference <= 1e-5 * size, "\(name): \(difference) vs max \(size)")
        }
        #expect(abs(q.loss - l.loss) < 1e-5)
        // converted(to:) is that oracle: .qlora becomes .lora over dequant(W4).
        let converted = models[0].converted(to: Float.self)
        #expect(converted.quantizedLayerNames.isEmpty && converted.adaptedLayerNames == models[1].adaptedLayerNames)
        #expect(converted.namedParameters.map(\.name) == models[1].namedParameters.map(\.name))
        #expect(converted.namedParameters.map(\.value) == models[1].namedParameters.map(\.value))
        #expect(converted.namedParameters.map(\.isTrainable) == models[1].namedParameters.map(\.isTrainable))
        // Merging: dequant(W4) + s·B·A in float, as the oracle's merge.
        let mq = models[0].mergedAndUnloaded().logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        let ml = models[1].mergedAndUnloaded().logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        let mergedDifference = mq.maxAbsDifference(ml), mergedSize = Double(ml.maxAbs)
        #expect(mergedDifference <= 1e-5 * mergedSize)
    }

    @Test(arguments: [TargetModules.allLinear, TargetModules.names(["q_proj", "v_proj", "up_proj"])])
    func qloraModelTrainsAndLeavesItsBaseUntouched(targets: TargetModules) throws {
        var model = try baseModel()
        try model.injectQLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 3)
        #expect(model.quantizedLayerNames == nonHeadLinearNames(model))
        let quantizedBefore = model.namedQuantizedWeights.map(\.value)
        let denseBefore = model.namedParameters
        var g = SeededGenerator(seed: 50)
        let held = suite.copy.batch(size: 128, using: &g)
        let before = model.evaluate(held)
        var optimizer = AdamW<Float>(weightDecay: 0.1)  // decay must not reach frozen tensors
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
        var o1 = AdamW<Float>(), o2 = AdamW<Float>()
        let q = Trainer.step(&qlora, batch: batch, optimizer: &o1, learningRate: 1e-3, maxGradientNorm: nil, generator: &d1, measureMemory: true).ledger!
        let l = Trainer.step(&lora, batch: batch, optimizer: &o2, learningRate: 1e-3, maxGradientNorm: nil, generator: &d2, measureMemory: true).ledger!
        // Expected weight bytes from the base model's shapes alone: every non-head linear
        // weight in 4 bits (QuantizationStorage: codes + block constants), everything else
        // (embeddings, norms, lm_head) float32, plus A (r, in) and B (out, r) per target in float32.
        let base = try baseModel()
        let nonHead = Set(nonHeadLinearNames(base).map { $0 + ".weight" })
        var expected = 0, fourBitBytes = 0
        for p in base.namedParameters {
            if nonHead.contains(p.name) {
                let storage = QuantizationStorage(parameters: p.value.count, blocksize: 64, doubleQuantization: doubleQuantization)
                expected += storage.totalBytes
                fourBitBytes += storage.totalBytes
            } else {
                expected += 4 * p.value.count
            }
        }
        #expect(nonHead.count == 12)
        for name in try base.resolveTargets(targets) {
            let layer = base[linear: name]
            expected += 4 * 4 * (layer.inFeatures + layer.outFeatures)  // r = 4
        }
        #expect(q.bytes(.weights) == expected)
        // LoRA keeps those weights in float32: the difference is exactly what 4 bits save.
        let floatBytes = base.namedParameters.filter { nonHead.contains($0.name) }.reduce(0) { $0 + 4 * $1.value.count }
        #expect(l.bytes(.weights) - q.bytes(.weights) == floatBytes - fourBitBytes)
        // By hand, d = 32, 2 layers × (4 of 32×32 and 2 of 32×128): DQ 1024 → 512 + 16 + 4 + 4 = 536
        // bytes, 4096 → 2048 + 64 + 4 + 4 = 2120; no DQ 1024 → 512 + 64 = 576, 4096 → 2048 + 256 = 2304.
        let byHand: Int = doubleQuantization ? 2 * (4 * (4096 - 536) + 2 * (16384 - 2120)) : 2 * (4 * (4096 - 576) + 2 * (16384 - 2304))
        #expect(floatBytes - fourBitBytes == byHand)
        #expect(q.weightBytes(trainable: true) == l.weightBytes(trainable: true))
        #expect(q.bytes(.gradients) == l.bytes(.gradients))
        #expect(q.bytes(.optimizerState) == l.bytes(.optimizerState))
        #expect(q.bytes(.activations) == l.bytes(.activations))
        let codes = q.entries.filter { $0.precision == "nf4" }
        #expect(codes.count == 12 && codes.allSatisfy { $0.bytesPerElement == 0.5 && !$0.isTrainable })
    }
}
