import Foundation
import LoRA
import Testing

/// A DoRA layer in Double with B and m moved off their initial values, so every gradient and
/// both terms of the forward are exercised.
func makeDoRA(dropout: Double = 0, scaling: LoRAScaling = .standard, bias: Bool = true, seed: UInt64 = 11) throws -> DoRALinear<Linear<Double>> {
    var g = SeededGenerator(seed: seed)
    let base = Linear<Double>(inFeatures: 7, outFeatures: 5, bias: bias, using: &g)
    let hp = LoRAHyperparameters(rank: 3, alpha: 6, dropout: dropout, scaling: scaling, useDoRA: true)
    var layer = try DoRALinear(base: base, hyperparameters: hp, using: &g)
    layer.branch.b = .normal(5, 3, std: 0.5, using: &g)
    layer.magnitude = layer.magnitude.map { $0 * 1.3 } + .uniform(1, 5, low: -0.2, high: 0.2, using: &g)
    return layer
}

@Suite struct DoRALinearTests {
    struct GradCase: Sendable, CustomStringConvertible {
        let dropout: Double
        let scaling: LoRAScaling
        let bias: Bool
        var description: String { "dropout \(dropout), \(scaling), bias \(bias)" }
    }

    /// Tolerance 1e-6 norm-wise relative (``GradientCheck/defaultTolerance``), Double, h = 1e-5:
    /// the backward against central differences of the same function with n held at its value
    /// at the point (what PEFT's `weight_norm.detach()` differentiates).
    @Test(arguments: [
        GradCase(dropout: 0, scaling: .standard, bias: true), GradCase(dropout: 0, scaling: .rankStabilized, bias: false),
        GradCase(dropout: 0.3, scaling: .standard, bias: true), GradCase(dropout: 0.3, scaling: .rankStabilized, bias: false),
    ])
    func gradientsMatchCentralDifferencesWithTheNormHeldConstant(_ c: GradCase) throws {
        let layer = try makeDoRA(dropout: c.dropout, scaling: c.scaling, bias: c.bias)
        var g = SeededGenerator(seed: 99)
        let x = Matrix<Double>.normal(4, 7, using: &g)
        let r = Matrix<Double>.normal(4, 5, using: &g)
        let n = layer.weightNorm()
        let maskSeed = SeededGenerator(seed: 1234)
        var rng = maskSeed
        let (_, cache) = layer.forward(x, training: &rng)
        if c.dropout > 0 { #expect(cache.branch.mask != nil) }
        let grads = layer.backward(r, cache: cache)
        #expect(grads.parameters.map(\.name) == ["lora_A.weight", "lora_B.weight", "lora_magnitude_vector"])
        let magnitude = try #require(grads["lora_magnitude_vector"])
        let report = GradientCheck.check({ p in
            var l = layer
            l.branch.a = p[1]
            l.branch.b = p[2]
            l.magnitude = p[3]
            var rng = maskSeed
            return weightedSum(l.forward(p[0], weightNorm: n, training: &rng).output, r)
        }, at: [x, layer.branch.a, layer.branch.b, layer.magnitude], analytic: [grads.input, grads.a, grads.b, magnitude])
        #expect(report.passes(tolerance: GradientCheck.defaultTolerance), "\(report)")
    }

    /// n depends on A and B only: the gradients for x and m are those of the true forward too,
    /// while A's and B's are not (the detached norm drops a term, as DoRA §4.3 intends).
    @Test func detachingTheNormChangesOnlyTheFactorGradients() throws {
        let layer = try makeDoRA()
        var g = SeededGenerator(seed: 5)
        let x = Matrix<Double>.normal(4, 7, using: &g)
        let r = Matrix<Double>.normal(4, 5, using: &g)
        var rng = SeededGenerator(seed: 1)
        let grads = layer.backward(r, cache: layer.forward(x, training: &rng).cache)
        let report = GradientCheck.check({ p in
            var l = layer
            l.branch.a = p[1]
            l.branch.b = p[2]
            l.magnitude = p[3]
            return weightedSum(l.forward(p[0]), r)  // n recomputed from the perturbed A and B
        }, at: [x, layer.branch.a, layer.branch.b, layer.magnitude], analytic: [grads.input, grads.a, grads.b, grads["lora_magnitude_vector"]!])
        #expect(report.relativeErrors[0] <= 1e-6 && report.relativeErrors[3] <= 1e-6, "\(report)")
        #expect(report.relativeErrors[1] > 1e-3 && report.relativeErrors[2] > 1e-3, "\(report)")
    }

    /// m starts at ‖W0‖ per row and B at zero, so c = 1 and q = 0: the output is the base's, bit for bit.
    @Test func outputEqualsTheBaseAtInitialisation() throws {
        var g = SeededGenerator(seed: 8)
        let base = Linear<Float>(inFeatures: 16, outFeatures: 12, using: &g)
        let layer = try DoRALinear(base: base, hyperparameters: .init(rank: 4, alpha: 8, useDoRA: true), using: &g)
        let x = Matrix<Float>.normal(7, 16, using: &g)
        #expect(layer.forward(x) == base.forward(x))
        var rng = SeededGenerator(seed: 2)
        #expect(layer.forward(x, training: &rng).output == base.forward(x))
        let norms = Matrix<Float>(rows: 1, columns: 12) { _, i in Float((0..<16).reduce(0.0) { $0 + Double(base.weight[i, $1]) * Double(base.weight[i, $1]) }.squareRoot()) }
        #expect(layer.magnitude.maxAbsDifference(norms) <= 1e-6)
    }

    /// Merged, unmerged-again and unloaded outputs agree with the unmerged one within PEFT's
    /// atol = rtol = 1e-4 (float32); we ask 1e-5 of the output scale. Unmerge restores W0.
    @Test func mergeUnmergeAndUnload() throws {
        var g = SeededGenerator(seed: 3)
        let base = Linear<Float>(inFeatures: 24, outFeatures: 16, using: &g)
        var layer = try DoRALinear(base: base, hyperparameters: .init(rank: 4, alpha: 8, useDoRA: true), using: &g)
        layer.branch.b = .normal(16, 4, std: 0.3, using: &g)
        layer.magnitude = layer.magnitude + .uniform(1, 16, low: -0.3, high: 0.3, using: &g)
        let x = Matrix<Float>.normal(9, 24, using: &g)
        let y = layer.forward(x)
        #expect(y.maxAbsDifference(base.forward(x)) > 0.1)
        let tolerance = 1e-5 * Double(y.maxAbs)
        #expect(layer.mergedAndUnloaded().forward(x).maxAbsDifference(y) <= tolerance)
        var merged = layer
        #expect(try merged.merge(safe: true) == .changed)
        #expect(try merged.merge() == .alreadyMerged)
        #expect(merged.forward(x).maxAbsDifference(y) <= tolerance)
        #expect(merged.mergedAndUnloaded().forward(x).maxAbsDifference(y) <= tolerance)
        #expect(try merged.unmerge() == .changed)
        #expect(try merged.unmerge() == .notMerged)
        #expect(merged.base.weight.maxAbsDifference(base.weight) <= 1e-6)
        #expect(merged.forward(x).maxAbsDifference(y) <= tolerance)
        var broken = layer
        broken.magnitude[0, 0] = .infinity
        #expect(throws: LoRAError.nonFiniteMerge(adapter: "default")) { try broken.merge(safe: true) }
    }

    /// A DoRA adapter over a 4-bit base computes the same function as over dequant(W4).
    @Test func overAFourBitBaseItIsTheSameFunctionAsOverItsDequantizedWeight() throws {
        var g = SeededGenerator(seed: 4)
        let dense = Linear<Float>(inFeatures: 64, outFeatures: 32, using: &g)
        let quantized = try QuantizedLinear(quantizing: dense)
        var layer = try DoRALinear(base: quantized, hyperparameters: .init(rank: 4, alpha: 8, useDoRA: true), using: &g)
        layer.branch.b = .normal(32, 4, std: 0.3, using: &g)
        let reference = try DoRALinear(base: quantized.dequantized, branch: layer.branch, magnitude: layer.magnitude)
        let x = Matrix<Float>.normal(5, 64, using: &g)
        #expect(layer.forward(x).maxAbsDifference(reference.forward(x)) <= 1e-5)
        let converted = layer.converted(to: Double.self)
        #expect((converted as? DoRALinear<Linear<Double>>)?.variant is DoRAVariant<Double>)
    }

    @Test func injectionChoosesDoRAAndTrainsTheMagnitude() throws {
        let suite = TaskSuite(alphabetSize: 8, length: 4, seed: 1)
        var model = try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 1), seed: 1)
        var g = SeededGenerator(seed: 2)
        let batch = suite.reverse.batch(size: 8, using: &g)
        let before = model.logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 2, alpha: 4, useDoRA: true), seed: 3)
        #expect(model.adaptedLayers.allSatisfy { $0.layer.variant is DoRAVariant<Float> })
        #expect(model.logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength) == before)
        let trainable = model.namedParameters.filter(\.isTrainable).map(\.name)
        #expect(trainable.filter { $0.hasSuffix(".lora_magnitude_vector") }.count == 2)
        var optimizer = AdamW<Float>()
        let losses = Trainer.train(&model, optimizer: &optimizer, configuration: TrainingConfiguration(steps: 30, batchSize: 8, learningRate: 1e-2, seed: 4),
                                   tasks: [suite.reverse])
        #expect(losses.last! < losses.first!)
        #expect(optimizer.stepCount(of: "layers.0.self_attn.q_proj.lora_magnitude_vector") == 30)
    }
}

/// DoRA adapters in PEFT's files: ours written and read back, PEFT's read.
@Suite struct DoRAAdapterFileTests {
    func trainedModel() throws -> TransformerModel<Float> {
        var model = try PEFTWrittenAdapterTests.base()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 4, alpha: 8, useDoRA: true), seed: 1)
        var g = SeededGenerator(seed: 9)
        var layers: [String: any AdaptedLayer<Float>] = [:]
        for (path, layer) in model.adaptedLayers {
            let dora = try #require(layer as? DoRALinear<Linear<Float>>)
            #expect(dora.variant?.kind == .dora)
            var branch = dora.branch
            branch.b = .normal(branch.b.rows, branch.b.columns, std: 0.5, using: &g)
            layers[path] = try dora.replacingAdapter(branch: branch, extraTensors: [NamedTensor("lora_magnitude_vector", dora.magnitude + .uniform(1, dora.outFeatures, low: -0.2, high: 0.2, using: &g))])
        }
        model.replaceAdaptedLayers(layers)
        return model
    }

    @Test func savedInPEFTsFormatAndLoadedBack() throws {
        let model = try trainedModel()
        let dir = try makeTemporaryDirectory("dora")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try model.saveAdapter(to: dir)
        #expect(config.variant == .dora)
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))) as? [String: Any])
        #expect(json["use_dora"] as? Bool == true)
        let document = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        let magnitude = try #require(document.tensors["base_model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"])
        #expect(magnitude.shape == [16] && magnitude.dtype == .f32)
        #expect(document.tensors.count == 4 * 3)
        let loaded = try PEFTWrittenAdapterTests.base().loadingAdapter(from: dir)
        var g = SeededGenerator(seed: 1)
        let tokens = (0..<16).map { _ in g.nextInt(below: 12) }
        #expect(loaded.logits(tokens: tokens, sequenceLength: 8) == model.logits(tokens: tokens, sequenceLength: 8))
        // A plain LoRA config is written as before: no use_dora key.
        var plain = try PEFTWrittenAdapterTests.base()
        try plain.injectLoRA(targets: .names(["q_proj"]), hyperparameters: .init(rank: 2), seed: 1)
        let plainDir = try makeTemporaryDirectory("plain")
        defer { try? FileManager.default.removeItem(at: plainDir) }
        try plain.saveAdapter(to: plainDir)
        let plainJSON = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: plainDir.appendingPathComponent(AdapterConfig.fileName))) as? [String: Any])
        #expect(plainJSON["use_dora"] == nil)
    }

    /// `use_dora` and the magnitude tensors must agree; each disagreement names the tensor.
    @Test func magnitudeAndConfigMustAgree() throws {
        let model = try trainedModel()
        let dir = try makeTemporaryDirectory("dora-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.saveAdapter(to: dir)
        let weights = dir.appendingPathComponent(AdapterFiles.weightsFileName)
        let configURL = dir.appendingPathComponent(AdapterConfig.fileName)
        let original = try SafetensorsReader.read(contentsOf: weights)
        let originalConfig = try Data(contentsOf: configURL)
        let key = "base_model.model.layers.1.self_attn.v_proj.lora_magnitude_vector"
        func load(_ edit: (inout SafetensorsDocument) -> Void, useDoRA: Bool = true) throws -> AdapterError? {
            var document = original
            edit(&document)
            try SafetensorsWriter.write(document, to: weights)
            var config = try AdapterConfig.decode(originalConfig, fileName: "c")
            config.variant = useDoRA ? .dora : nil
            try config.write(to: configURL)
            let base = try PEFTWrittenAdapterTests.base()
            do { _ = try base.loadingAdapter(from: dir); return nil } catch { return error }
        }
        #expect(try load { _ in } == nil)
        let missing = try load { $0.tensors[key] = nil }
        #expect(missing?.kind == .missingTensor && missing?.subject == key, "\(String(describing: missing))")
        let wrongShape = try load { $0.tensors[key] = SafetensorsTensor(shape: [15], values: [Float](repeating: 1, count: 15)) }
        #expect(wrongShape?.kind == .shapeMismatch && wrongShape?.subject == key, "\(String(describing: wrongShape))")
        let twoD = try load { $0.tensors[key] = SafetensorsTensor(shape: [1, 16], values: [Float](repeating: 1, count: 16)) }
        #expect(twoD?.kind == .shapeMismatch && twoD?.subject == key, "\(String(describing: twoD))")
        let notDoRA = try load({ _ in }, useDoRA: false)
        #expect(notDoRA?.kind == .unexpectedTensor && notDoRA?.subject?.hasSuffix("lora_magnitude_vector") == true, "\(String(describing: notDoRA))")
    }
}
