import LoRA
import Testing

/// PEFT's target_modules on a LLaMA configuration, and LoRA, DoRA and QLoRA on its new slots.
@Suite struct LlamaAdapterTests {
    func llama(tied: Bool = false) throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: .llama(vocabularySize: 12, contextLength: 8, modelDimension: 16, headCount: 4, keyValueHeadCount: 2,
                                                          layerCount: 2, mlpDimension: 24, tieWordEmbeddings: tied), seed: 3)
    }

    /// PEFT's "all-linear" on LlamaForCausalLM: q, k, v, o, gate, up, down of every layer, not lm_head.
    @Test func allLinearIncludesTheMLPAndLeavesOutTheHead() throws {
        for tied in [false, true] {
            let m = try llama(tied: tied)
            let names = try m.resolveTargets(.allLinear)
            #expect(names.count == 2 * 7 && !names.contains("lm_head"))
            #expect(names.contains("layers.1.mlp.gate_proj") && names.contains("layers.0.mlp.down_proj") && names.contains("layers.0.self_attn.k_proj"))
            #expect(m.linearLayerNames.contains("lm_head") == !tied)
        }
        #expect(try llama().resolveTargets(.names(["gate_proj"])) == ["layers.0.mlp.gate_proj", "layers.1.mlp.gate_proj"])
    }

    /// PEFT adapts a tied lm_head (the embedding's weight); the package refuses a target naming
    /// it instead of skipping it silently, and an exclusion or an untied head is fine.
    @Test func aTiedHeadNamedAsATargetIsRefusedByName() throws {
        let tied = try llama(tied: true)
        for targets: TargetModules in [.names(["q_proj", "lm_head"]), .pattern(".*head"), .names(["lm_head"])] {
            #expect(throws: TargetModuleError.tiedOutputHead("lm_head"), "\(targets)") { try tied.resolveTargets(targets) }
            var copy = tied
            #expect(throws: TargetModuleError.tiedOutputHead("lm_head")) {
                try copy.injectLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 1)
            }
            #expect(copy.adaptedLayerNames.isEmpty)
        }
        #expect(try tied.resolveTargets(.names(["q_proj", "lm_head"]), exclude: .names(["lm_head"])).count == 2)
        #expect(try llama().resolveTargets(.names(["lm_head"])) == ["lm_head"])
        #expect(TargetModuleError.tiedOutputHead("lm_head").description.contains("tie_word_embeddings"))
    }

    @Test func loraOnGateProjTrainsOnlyTheAdapterAndStartsAsTheBase() throws {
        let base = try llama()
        var model = base
        let names = try model.injectLoRA(targets: .names(["gate_proj", "k_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 5)
        #expect(names == ["layers.0.self_attn.k_proj", "layers.0.mlp.gate_proj", "layers.1.self_attn.k_proj", "layers.1.mlp.gate_proj"])
        #expect(model.adaptedLayerNames == names)
        let trainable = model.namedParameters.filter(\.isTrainable).map(\.name)
        #expect(trainable.count == 8 && trainable.contains("layers.1.mlp.gate_proj.lora_B.weight"))
        // k_proj's A is (r, d) and B (KV·d_h, r).
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, [$0.value.rows, $0.value.columns]) })
        #expect(shapes["layers.0.self_attn.k_proj.lora_B.weight"] == [8, 2])
        let tokens = Array(0..<8) + Array(4..<12)
        #expect(model.logits(tokens: tokens, sequenceLength: 8).storage == base.logits(tokens: tokens, sequenceLength: 8).storage)  // B = 0
        let batch = TokenBatch(tokens: tokens, targets: tokens.map { ($0 + 1) % 12 }, batchSize: 2, sequenceLength: 8)
        var g = SeededGenerator(seed: 1)
        let grads = model.lossAndGradients(batch, training: &g).gradients
        #expect(Set(grads.names) == Set(trainable))
        #expect((grads["layers.0.mlp.gate_proj.lora_B.weight"]!).frobeniusNorm > 0)
    }

    @Test func doraAndQLoRAInjectOnTheNewSlots() throws {
        var dora = try llama()
        let doraNames = try dora.injectLoRA(targets: .allLinear, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4, useDoRA: true), seed: 5)
        #expect(doraNames.count == 14)
        #expect(dora.namedParameters.contains { $0.name == "layers.0.mlp.gate_proj.lora_magnitude_vector" })
        #expect(dora.adaptedLayers.allSatisfy { $0.layer is DoRALinear<Linear<Float>> })

        var qlora = try llama()
        let names = try qlora.injectQLoRA(targets: .names(["gate_proj", "q_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 5)
        #expect(names.count == 4)
        // Every linear but the head is 4-bit (the untargeted up, down, k, v, o too); the head stays float.
        #expect(qlora.quantizedLayerNames.count == 14 && !qlora.quantizedLayerNames.contains("lm_head"))
        let tokens = Array(0..<8)
        let logits = qlora.logits(tokens: tokens, sequenceLength: 8)
        #expect(logits.storage.allSatisfy { $0.isFinite })
    }

    /// The whole LLaMA with adapters on gate_proj, k_proj and down_proj, in Double: the LoRA
    /// gradients through SwiGLU, GQA and RoPE against central differences.
    @Test func loraGradientThroughTheLlamaBlock() throws {
        var c = TransformerConfiguration.llama(vocabularySize: 7, contextLength: 4, modelDimension: 8, headCount: 4, keyValueHeadCount: 2,
                                               layerCount: 1, mlpDimension: 6, tieWordEmbeddings: true)
        c.embeddingStd = 1
        var model = try TransformerModel<Double>(configuration: c, seed: 9)
        try model.injectLoRA(targets: .names(["gate_proj", "k_proj", "down_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 5)
        var g = SeededGenerator(seed: 23)
        model.updateTrainableParameters { name, t in
            if name.hasSuffix("lora_B.weight") { t = Matrix.normal(t.rows, t.columns, std: 0.5, using: &g) }
        }
        let batch = TokenBatch(tokens: [1, 2, 3, 4, 0, 6, 5, 5], targets: [2, 3, 1, 1, 6, 5, 5, 0], batchSize: 2, sequenceLength: 4)
        var rng = SeededGenerator(seed: 1)
        let grads = model.lossAndGradients(batch, training: &rng).gradients
        var copy = model
        var names: [String] = [], values: [Matrix<Double>] = []
        copy.updateTrainableParameters { n, t in names.append(n); values.append(t) }
        #expect(names.count == 6 && names.allSatisfy { $0.contains(".lora_") })
        let report = GradientCheck.check({ inputs in
            var m = model
            var index = 0
            m.updateTrainableParameters { _, tensor in tensor = inputs[index]; index += 1 }
            return CrossEntropy.lossAndGradient(logits: m.logits(tokens: batch.tokens, sequenceLength: 4), targets: batch.targets).loss
        }, at: values, analytic: names.map { grads[$0]! })
        #expect(report.passes(), "\(report)")
    }
}
