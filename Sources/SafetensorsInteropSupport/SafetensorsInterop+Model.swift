import Foundation
import LoRA

extension SafetensorsInterop {
    /// The targets of the model sample: the seed's attention projections.
    public static let modelSampleTargets = TargetModules.names(["q_proj", "k_proj", "v_proj", "o_proj"])

    /// The base model of the model sample: a 2-layer ``TransformerModel`` with d = 16 on a small
    /// ``TaskSuite`` (12 letters, 4 per example), from `seed`.
    public static func modelSampleBase(seed: UInt64 = 21) throws -> TransformerModel<Float> {
        let suite = TaskSuite(alphabetSize: 12, length: 4)
        return try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 2), seed: seed)
    }

    /// Writes an adapter saved from an actual model to `directory/model_adapter` and its manifest
    /// to `directory/model_manifest.json`.
    ///
    /// ```
    /// base = modelSampleBase()   inject r = 4, α = 8, dropout 0.05 on q/k/v/o_proj
    /// train 5 AdamW steps on the suite's 'reverse' task (so B ≠ 0), then saveAdapter
    /// ```
    /// The file holds PEFT's names, `base_model.model.layers.ℓ.self_attn.q_proj.lora_A.weight`, …
    /// - Returns: the trained model.
    @discardableResult
    public static func writeModelSample(to directory: URL, seed: UInt64 = 21) throws -> TransformerModel<Float> {
        var model = try modelSampleBase(seed: seed)
        try model.injectLoRA(targets: modelSampleTargets, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0.05), seed: seed + 1)
        var optimizer = AdamW<Float>()
        let suite = TaskSuite(alphabetSize: 12, length: 4)
        Trainer.train(&model, optimizer: &optimizer,
                      configuration: TrainingConfiguration(steps: 5, batchSize: 8, learningRate: 1e-2, seed: seed + 2), tasks: [suite.reverse])
        let adapterDirectory = directory.appendingPathComponent("model_adapter")
        try model.saveAdapter(to: adapterDirectory, taskType: "CAUSAL_LM")
        let document = try SafetensorsReader.read(contentsOf: adapterDirectory.appendingPathComponent(AdapterFiles.weightsFileName))
        try SafetensorsManifest(document: document, file: AdapterFiles.weightsFileName)
            .write(to: directory.appendingPathComponent("model_manifest.json"))
        return model
    }
}
