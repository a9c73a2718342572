import Foundation
import LoRA
import Testing

/// `TransformerModel` as a ``LoRAAdapterHost``: save, load into a fresh model, strict failures.
@Suite struct ModelAdapterTests {
    let suite = TaskSuite(alphabetSize: 12, length: 4)
    let attention = TargetModules.names(["q_proj", "k_proj", "v_proj", "o_proj"])
    let h = LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0.05)

    func base(layers: Int = 2) throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: layers), seed: 5)
    }

    /// An adapted model with non-zero B everywhere (as after training), so that outputs depend on the adapter.
    func trained() throws -> TransformerModel<Float> {
        var model = try base()
        try model.injectLoRA(targets: attention, hyperparameters: h, seed: 6)
        var rng = SeededGenerator(seed: 7)
        var layers = model.loraLayers
        for key in layers.keys.sorted() { layers[key]!.b = .normal(layers[key]!.outFeatures, 4, std: 0.3, using: &rng) }
        model.replaceLoRALayers(layers)
        return model
    }

    func probe() -> TokenBatch {
        var g = SeededGenerator(seed: 8)
        return suite.reverse.batch(size: 6, using: &g)
    }

    func logits(_ m: TransformerModel<Float>) -> Matrix<Float> { m.logits(tokens: probe().tokens, sequenceLength: probe().sequenceLength) }

    func saved(_ model: TransformerModel<Float>) throws -> URL {
        let dir = try makeTemporaryDirectory("model-adapter")
        try model.saveAdapter(to: dir, taskType: "CAUSAL_LM")
        return dir
    }

    @Test func hostListsAdaptedLayersByPath() throws {
        let model = try trained()
        #expect(model.loraLayers.keys.sorted() == model.adaptedLayerNames.sorted())
        #expect(model.loraLayers.count == 8)
        #expect(model.loraLayers["layers.1.self_attn.o_proj"]?.rank == 4)
        #expect(try base().loraLayers.isEmpty)
    }

    @Test func loadingAdapterIntoFreshBaseGivesIdenticalLogits() throws {
        let model = try trained()
        let dir = try saved(model)
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        #expect(document.tensors["base_model.model.layers.0.self_attn.q_proj.lora_A.weight"]?.shape == [4, 16])
        #expect(document.tensors["base_model.model.layers.1.self_attn.o_proj.lora_B.weight"]?.shape == [16, 4])
        #expect(document.tensors.count == 16)
        let fresh = try base()
        #expect(logits(fresh) != logits(model))  // the adapter matters
        let reloaded = try fresh.loadingAdapter(from: dir)
        #expect(logits(reloaded).storage.map(\.bitPattern) == logits(model).storage.map(\.bitPattern))
        #expect(reloaded.adaptedLayerNames == model.adaptedLayerNames)
        #expect(reloaded.parameterCount == model.parameterCount)  // base frozen, adapters trainable
        for (name, layer) in reloaded.loraLayers { #expect(layer.hyperparameters.dropout == 0.05, "\(name)") }
        #expect(fresh.loraLayers.isEmpty)  // loadingAdapter returns a copy
    }

    @Test func loadAdapterIntoInjectedModelGivesIdenticalLogits() throws {
        let model = try trained()
        let dir = try saved(model)
        defer { try? FileManager.default.removeItem(at: dir) }
        var other = try base()
        try other.injectLoRA(targets: attention, hyperparameters: h, seed: 99)  // different fresh factors
        let config = try other.loadAdapter(from: dir)
        #expect(config.r == 4 && config.loraAlpha == 8)
        #expect(logits(other) == logits(model))
    }

    /// Runs `body`, which must throw an ``AdapterError`` of `kind`, and checks the model kept its logits and parameters.
    func expectRefusal(_ kind: AdapterError.Kind, model: TransformerModel<Float>, _ body: () throws(AdapterError) -> Void,
                       message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(kind), nothing was thrown", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            if let message { #expect("\(error)".contains(message), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    @Test func wrongTargetsAreRefusedAndTheModelIsUntouched() throws {
        let dir = try saved(try trained())
        defer { try? FileManager.default.removeItem(at: dir) }
        // A model adapted on q and v only: the file's k and o have nowhere to go.
        var qv = try base()
        try qv.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: h, seed: 1)
        let before = logits(qv), beforeParameters = qv.namedParameters.map(\.value)
        expectRefusal(.unexpectedTensor, model: qv, { () throws(AdapterError) in try qv.loadAdapter(from: dir) },
                      message: "no layer 'layers.0.self_attn.k_proj' to load it into")
        #expect(logits(qv) == before && qv.namedParameters.map(\.value) == beforeParameters)
        // loadingAdapter onto a model that already has adapters.
        expectRefusal(.targetMismatch, model: qv, { () throws(AdapterError) in _ = try qv.loadingAdapter(from: dir) },
                      message: "already carries adapters")
        // A one-layer base lacks layers.1.*.
        let short = try base(layers: 1)
        expectRefusal(.targetMismatch, model: short, { () throws(AdapterError) in _ = try short.loadingAdapter(from: dir) },
                      message: "module 'layers.1.self_attn.k_proj': has factors in the file but is not a target on this model")
    }

    @Test func configTargetsThatDisagreeWithTheTensorsAreRefused() throws {
        let dir = try saved(try trained())
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try AdapterConfig.read(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))
        // The seed's spelling: a list item "all_linear" matches no module name, so the tensors are untargeted.
        config.targetModules = .names(["all_linear"])
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        let fresh = try base()
        expectRefusal(.targetMismatch, model: fresh, { () throws(AdapterError) in _ = try fresh.loadingAdapter(from: dir) },
                      message: "has tensors but is not targeted")
        // "all-linear" also selects the MLP projections, which the file lacks.
        config.targetModules = .allLinear
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        expectRefusal(.targetMismatch, model: fresh, { () throws(AdapterError) in _ = try fresh.loadingAdapter(from: dir) },
                      message: "module 'layers.0.mlp.up_proj': is a target on this model but has no factors in the file")
    }

    @Test func wrongRankInTheConfigIsRefused() throws {
        let model = try trained()
        let dir = try saved(model)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try AdapterConfig.read(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))
        config.r = 8
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        var target = model
        let before = logits(target)
        expectRefusal(.rankMismatch, model: target, { () throws(AdapterError) in try target.loadAdapter(from: dir) },
                      message: "rank disagrees with adapter_config.json: expected r = 8")
        #expect(logits(target) == before)
        let fresh = try base()
        expectRefusal(.rankMismatch, model: fresh, { () throws(AdapterError) in _ = try fresh.loadingAdapter(from: dir) })
        // loadingAdapter takes r from the config: a rank-8 adapter loads as rank 8.
        var huge = model
        var layers = huge.loraLayers
        for key in layers.keys {
            let l = layers[key]!
            layers[key] = try LoRALinear(base: l.base, a: .zeros(8, 16), b: .zeros(16, 8), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 8))
        }
        huge.replaceLoRALayers(layers)
        try huge.saveAdapter(to: dir)
        let rank8 = try fresh.loadingAdapter(from: dir)
        #expect(rank8.loraLayers.count == 8 && rank8.loraLayers.values.allSatisfy { $0.rank == 8 })
    }

    @Test func missingAndTruncatedFilesAreRefused() throws {
        let model = try trained()
        let dir = try saved(model)
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent(AdapterFiles.weightsFileName)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 10).write(to: weights)
        var target = model
        let before = logits(target)
        expectRefusal(.corruptFile, model: target, { () throws(AdapterError) in try target.loadAdapter(from: dir) },
                      message: "adapter file '\(weights.path)'")
        let fresh = try base()
        expectRefusal(.corruptFile, model: fresh, { () throws(AdapterError) in _ = try fresh.loadingAdapter(from: dir) })
        #expect(logits(target) == before)
        try FileManager.default.removeItem(at: weights)
        expectRefusal(.io, model: target, { () throws(AdapterError) in try target.loadAdapter(from: dir) },
                      message: "adapter file '\(weights.path)': cannot read the file: there is no such file")
        try bytes.write(to: weights)
        try FileManager.default.removeItem(at: dir.appendingPathComponent(AdapterConfig.fileName))
        expectRefusal(.io, model: fresh, { () throws(AdapterError) in _ = try fresh.loadingAdapter(from: dir) },
                      message: "adapter file '\(dir.appendingPathComponent(AdapterConfig.fileName).path)': cannot read the file: there is no such file")
        #expect(logits(target) == before)
    }
}
