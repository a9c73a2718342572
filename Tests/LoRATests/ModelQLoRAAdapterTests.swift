import Foundation
import LoRA
import Testing

/// A QLoRA model saves and loads its adapter like a LoRA model (PEFT saves both alike).
@Suite struct ModelQLoRAAdapterTests {
    let suite = TaskSuite(alphabetSize: 10, length: 4)

    func floatBase() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 64, headCount: 2, layerCount: 2), seed: 11)
    }

    @Test func trainedQLoRAAdapterSavesAndReloadsOnFourBitAndFloatBases() throws {
        var model = try floatBase()
        try model.injectQLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0.05), seed: 3)
        var optimizer = AdamW<Float>()
        Trainer.train(&model, optimizer: &optimizer, configuration: TrainingConfiguration(steps: 4, batchSize: 8, learningRate: 1e-2, seed: 4),
                      tasks: [suite.reverse])
        let dir = try makeTemporaryDirectory("qlora-adapter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try model.saveAdapter(to: dir)
        #expect(config.targetModules == .names(model.adaptedLayerNames))
        let document = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        #expect(document.tensors.count == 8 && document.tensors.values.allSatisfy { $0.dtype == .f32 })
        var g = SeededGenerator(seed: 9)
        let batch = suite.reverse.batch(size: 4, using: &g)
        func logits(_ m: TransformerModel<Float>) -> [UInt32] {
            m.logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength).storage.map(\.bitPattern)
        }
        // A fresh 4-bit base (quantized from the same float weights, no adapters) takes the file:
        // the same model, bit for bit.
        let quantizedBase = try floatBase().quantized()  // every non-head layer 4-bit, no adapter
        #expect(quantizedBase.adaptedLayerNames.isEmpty && quantizedBase.quantizedLayerNames.count == 12)
        let reloaded = try quantizedBase.loadingAdapter(from: dir)
        #expect(reloaded.adaptedLayerNames == model.adaptedLayerNames)
        #expect(reloaded[linear: "layers.0.self_attn.q_proj"] is QLoRALinear)
        #expect(logits(reloaded) == logits(model))
        // The same files load onto the float base.
        let onFloat = try floatBase().loadingAdapter(from: dir)
        #expect(onFloat[linear: "layers.0.self_attn.q_proj"] is LoRALinear<Linear<Float>>)
        for (path, layer) in onFloat.adaptedLayers {
            #expect(layer.branch == model[linear: path].adapterBranch, "\(path)")
        }
    }

    @Test func perModuleRanksAndAlphasRoundTripAsPatterns() throws {
        var model = try floatBase()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj", "up_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 2,
                             override: { path in
                                 path.hasSuffix("up_proj") ? LoRAHyperparameters(rank: 2, alpha: 8)
                                     : path == "layers.1.self_attn.q_proj" ? LoRAHyperparameters(rank: 4, alpha: 32) : nil
                             })
        let dir = try makeTemporaryDirectory("patterns")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try model.saveAdapter(to: dir)
        #expect(config.r == 4 && config.loraAlpha == 8)
        #expect(config.rankPattern == [PatternEntry(key: "layers.0.mlp.up_proj", value: 2), PatternEntry(key: "layers.1.mlp.up_proj", value: 2)])
        #expect(config.alphaPattern == [PatternEntry(key: "layers.1.self_attn.q_proj", value: 32)])
        let reloaded = try floatBase().loadingAdapter(from: dir)
        for (path, layer) in reloaded.adaptedLayers {
            #expect(layer.branch.hyperparameters == model[linear: path].adapterBranch?.hyperparameters, "\(path)")
        }
    }
}
