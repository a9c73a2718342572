import Foundation
import LoRA
import Testing

/// A LoRA-bias layer in Double with B and b_B moved off zero, so every term is exercised.
func makeLoRABias(dropout: Double = 0, scaling: LoRAScaling = .standard, baseBias: Bool = true, seed: UInt64 = 12) throws -> LoRALinear<Linear<Double>> {
    var g = SeededGenerator(seed: seed)
    let base = Linear<Double>(inFeatures: 7, outFeatures: 5, bias: baseBias, using: &g)
    let hp = LoRAHyperparameters(rank: 3, alpha: 6, dropout: dropout, scaling: scaling, variant: .loraBias)
    var layer = try LoRALinear(base: base, hyperparameters: hp, using: &g)
    layer.branch.b = .normal(5, 3, std: 0.5, using: &g)
    try layer.setVariantTensors([NamedTensor(LoRABias.biasName, .normal(1, 5, std: 0.5, using: &g))])
    return layer
}

/// PEFT's `lora_bias` as a variant: y = base(x) + s·(drop(x)·Aᵀ·Bᵀ + b_B).
@Suite struct LoRABiasVariantTests {
    struct GradCase: Sendable, CustomStringConvertible {
        let dropout: Double
        let scaling: LoRAScaling
        let baseBias: Bool
        var description: String { "dropout \(dropout), \(scaling), base bias \(baseBias)" }
    }

    /// Tolerance 1e-6 norm-wise relative (``GradientCheck/defaultTolerance``), Double, h = 1e-5,
    /// against central differences of the layer's own training forward (same dropout mask).
    @Test(arguments: [
        GradCase(dropout: 0, scaling: .standard, baseBias: true), GradCase(dropout: 0, scaling: .rankStabilized, baseBias: false),
        GradCase(dropout: 0.3, scaling: .standard, baseBias: false), GradCase(dropout: 0.3, scaling: .rankStabilized, baseBias: true),
    ])
    func gradientsMatchCentralDifferences(_ c: GradCase) throws {
        let layer = try makeLoRABias(dropout: c.dropout, scaling: c.scaling, baseBias: c.baseBias)
        var g = SeededGenerator(seed: 98)
        let x = Matrix<Double>.normal(4, 7, using: &g)
        let r = Matrix<Double>.normal(4, 5, using: &g)
        let maskSeed = SeededGenerator(seed: 77)
        var rng = maskSeed
        let grads = layer.backward(r, cache: layer.forward(x, training: &rng).cache)
        #expect(grads.parameters.map(\.name) == ["lora_A.weight", "lora_B.weight", "lora_B.bias"])
        let bias = try #require(layer.variant?.tensors.first?.value)
        let report = GradientCheck.check({ p in
            var l = layer
            l.branch.a = p[1]
            l.branch.b = p[2]
            try! l.setVariantTensors([NamedTensor(LoRABias.biasName, p[3])])
            var rng = maskSeed
            return weightedSum(l.forward(p[0], training: &rng).output, r)
        }, at: [x, layer.branch.a, layer.branch.b, bias], analytic: [grads.input, grads.a, grads.b, try #require(grads["lora_B.bias"])])
        #expect(report.passes(tolerance: GradientCheck.defaultTolerance), "\(report)")
    }

    /// A fresh layer has b_B = 0 and B = 0: it computes its base exactly; with b_B moved, the
    /// inference forward is base(x) + s·(x·Aᵀ·Bᵀ + b_B).
    @Test func forwardIsLoRAPlusTheScaledBias() throws {
        var g = SeededGenerator(seed: 3)
        let base = Linear<Float>(inFeatures: 12, outFeatures: 8, using: &g)
        let fresh = try LoRALinear(base: base, hyperparameters: .init(rank: 2, alpha: 4, variant: .loraBias), using: &g)
        let x = Matrix<Float>.normal(5, 12, using: &g)
        #expect(fresh.forward(x) == base.forward(x))
        #expect(fresh.extraAdapterTensors.map(\.name) == ["lora_B.bias"] && fresh.extraAdapterTensors[0].value == .zeros(1, 8))
        let layer = try makeLoRABias()
        let xd = Matrix<Double>.normal(3, 7, using: &g)
        let bias = layer.variant!.tensors[0].value
        let s = layer.scale
        let expected = layer.base.forward(xd) + s * xd.matmul(layer.branch.a, transposeB: true).matmul(layer.branch.b, transposeB: true)
            + Matrix(rows: 3, columns: 5) { _, j in s * bias[0, j] }
        #expect(layer.forward(xd).maxAbsDifference(expected) <= 1e-12)
    }

    /// Merge writes s·B·A into W and s·b_B into the base's bias; unmerge restores both bit for
    /// bit when the arithmetic is exact (values on a 2⁻⁸ grid, s = 1); merged-and-unloaded is frozen.
    @Test func mergeUnmergeRestoresBitsAndUnloadIsFrozen() throws {
        var g = SeededGenerator(seed: 4)
        func grid(_ r: Int, _ c: Int) -> Matrix<Double> { Matrix(rows: r, columns: c) { _, _ in Double(g.nextInt(below: 64) - 32) / 256 } }
        let base = Linear<Double>(weight: grid(6, 9), bias: grid(1, 6))
        var layer = try LoRALinear(base: base, a: grid(2, 9), b: grid(6, 2), hyperparameters: .init(rank: 2, alpha: 2, variant: .loraBias))
        try layer.setVariantTensors([NamedTensor(LoRABias.biasName, grid(1, 6))])
        let x = grid(4, 9)
        let y = layer.forward(x)
        #expect(y.maxAbsDifference(base.forward(x)) > 0.01)
        var merged = layer
        #expect(try merged.merge(safe: true) == .changed)
        #expect(merged.forward(x) == y)
        #expect(merged.base.bias != base.bias)
        #expect(try merged.unmerge() == .changed)
        #expect(merged.base == base.frozen())
        let unloaded = layer.mergedAndUnloaded()
        #expect(unloaded.forward(x) == y)
        #expect(!unloaded.isTrainable && unloaded.namedParameters.allSatisfy { !$0.isTrainable })
        // A base without a bias cannot take s·b_B (PEFT raises the same); nothing changes.
        var noBias = try LoRALinear(base: Linear<Double>(weight: grid(6, 9)), a: grid(2, 9), b: grid(6, 2),
                                    hyperparameters: .init(rank: 2, alpha: 2, variant: .loraBias))
        let before = noBias.base
        #expect(throws: LoRAError.self) { try noBias.merge() }
        #expect(noBias.base == before && !noBias.isMerged)
    }

    /// Over a 4-bit base the merge reaches the float bias the quantized layer keeps.
    @Test func mergeIntoAFourBitBaseMovesItsBias() throws {
        var g = SeededGenerator(seed: 6)
        let dense = Linear<Float>(inFeatures: 64, outFeatures: 16, using: &g)
        var layer = try LoRALinear(base: try QuantizedLinear(quantizing: dense), hyperparameters: .init(rank: 2, alpha: 4, variant: .loraBias), using: &g)
        let bB = Matrix<Float>.normal(1, 16, std: 0.5, using: &g)
        try layer.setVariantTensors([NamedTensor(LoRABias.biasName, bB)])
        try layer.merge()
        #expect(layer.base.bias!.maxAbsDifference(dense.bias! + layer.scale * bB) <= 1e-6)
        try layer.unmerge()
        #expect(layer.base.bias!.maxAbsDifference(dense.bias!) <= 1e-6)
    }

    /// PEFT allows `lora_bias` only with `init_lora_weights` true or false, and never with DoRA.
    @Test func unsupportedSettingsAreRefusedByName() throws {
        var g = SeededGenerator(seed: 1)
        let base = Linear<Float>(inFeatures: 8, outFeatures: 8, using: &g)
        #expect(throws: LoRAError.self) {
            try LoRALinear(base: base, hyperparameters: .init(rank: 2, initialization: .gaussian, variant: .loraBias), using: &g)
        }
        let json = #"{"peft_type": "LORA", "r": 2, "target_modules": ["q_proj"], "lora_bias": true, "use_dora": true}"#
        let both = #expect(throws: AdapterError.self) { try AdapterConfig.decode(Data(json.utf8), fileName: "c") }
        #expect(both?.subject == "lora_bias" || both?.subject == "use_dora", "\(String(describing: both))")
        let gaussian = #"{"peft_type": "LORA", "r": 2, "target_modules": ["q_proj"], "lora_bias": true, "init_lora_weights": "gaussian"}"#
        let config = try AdapterConfig.decode(Data(gaussian.utf8), fileName: "c")
        #expect(config.variant == .loraBias)
        let refused = #expect(throws: AdapterError.self) { try config.hyperparameters() }
        #expect(refused?.kind == .unsupported && refused?.subject == "lora_bias", "\(String(describing: refused))")
        let wrongType = #"{"peft_type": "LORA", "r": 2, "target_modules": ["q_proj"], "lora_bias": "yes"}"#
        let notBool = #expect(throws: AdapterError.self) { try AdapterConfig.decode(Data(wrongType.utf8), fileName: "c") }
        #expect(notBool?.subject == "lora_bias", "\(String(describing: notBool))")
    }

    /// PEFT's own `lora_bias` adapter (Fixtures/peft_written/lora_bias, written by
    /// `make_lora_bias_fixture.py` with peft 0.22.0) loads as LoRA-bias layers whose b_B is PEFT's
    /// bit for bit and whose outputs are PEFT's within 1e-5 (float32, as for the other PEFT
    /// cases); like PEFT, the layer refuses to merge into a base without a bias.
    @Test func peftWrittenAdapterMatchesPEFT() throws {
        let dir = PEFTWrittenAdapterTests.root.appendingPathComponent("lora_bias")
        let model = try PEFTWrittenAdapterTests.base().loadingAdapter(from: dir)
        let expected = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent("expected.safetensors"))
        #expect(model.adaptedLayers.count == 4)
        for (path, layer) in model.adaptedLayers {
            #expect(layer.variant?.kind == .loraBias, "\(path)")
            let bias = try #require(layer.extraAdapterTensors.first { $0.name == LoRABias.biasName })
            #expect(bias.value.storage == (try #require(expected.tensors[path + ".lora_bias"])).values, "\(path) lora_B.bias")
            #expect(Double(layer.branch.scale) == Double(try #require(expected.tensors[path + ".scaling"]).values[0]))
            let w = PEFTWrittenAdapterTests.matrix(try #require(expected.tensors[path + ".base_weight"]))
            let x = PEFTWrittenAdapterTests.matrix(try #require(expected.tensors[path + ".input"]))
            let y = PEFTWrittenAdapterTests.matrix(try #require(expected.tensors[path + ".output"]))
            var own = try LoRALinear(base: Linear(weight: w), branch: layer.branch)
            try own.setVariantTensors([bias])
            let input = Matrix(rows: y.rows, columns: w.columns, storage: x.storage)
            let output = Matrix(rows: y.rows, columns: w.rows, storage: y.storage)
            #expect(own.forward(input).maxAbsDifference(output) <= 1e-5, "\(path) output")
            var rng = SeededGenerator(seed: 1)
            #expect(own.forward(input, training: &rng).output.maxAbsDifference(output) <= 1e-5, "\(path) training output")
            #expect(own.mergedAndUnloaded().forward(input).maxAbsDifference(output) <= 1e-5, "\(path) merge_and_unload")
            #expect(throws: LoRAError.self) { try own.merge() }
        }
    }

    /// Saved in PEFT's format (`lora_B.bias` 1-D per module, `lora_bias: true`) and loaded back
    /// into the base model, the adapted model computes the same logits bit for bit.
    @Test func adapterFilesRoundTrip() throws {
        var model = try PEFTWrittenAdapterTests.base()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 4, alpha: 8, variant: .loraBias), seed: 1)
        var g = SeededGenerator(seed: 9)
        var layers: [String: any AdaptedLayer<Float>] = [:]
        for (path, layer) in model.adaptedLayers {
            var branch = layer.branch
            branch.b = .normal(branch.b.rows, branch.b.columns, std: 0.5, using: &g)
            layers[path] = try layer.replacingAdapter(branch: branch, extraTensors: [NamedTensor(LoRABias.biasName, .normal(1, layer.outFeatures, std: 0.5, using: &g))])
        }
        model.replaceAdaptedLayers(layers)
        #expect(model.namedParameters.filter(\.isTrainable).map(\.name).filter { $0.hasSuffix(".lora_B.bias") }.count == 4)
        let dir = try makeTemporaryDirectory("lora-bias")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try model.saveAdapter(to: dir)
        #expect(config.variant == .loraBias)
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))) as? [String: Any])
        #expect(json["lora_bias"] as? Bool == true && json["use_dora"] == nil)
        let document = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        let bias = try #require(document.tensors["base_model.model.layers.0.self_attn.q_proj.lora_B.bias"])
        #expect(bias.dtype == .f32 && bias.shape == [model.adaptedLayers[0].layer.outFeatures])
        let loaded = try PEFTWrittenAdapterTests.base().loadingAdapter(from: dir)
        #expect(loaded.adaptedLayers.allSatisfy { $0.layer.variant?.kind == .loraBias })
        var t = SeededGenerator(seed: 1)
        let tokens = (0..<16).map { _ in t.nextInt(below: 12) }
        #expect(loaded.logits(tokens: tokens, sequenceLength: 8) == model.logits(tokens: tokens, sequenceLength: 8))
        // A file whose config does not say lora_bias has a tensor no layer takes.
        var plain = try AdapterConfig.decode(Data(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName)), fileName: "c")
        plain.variant = nil
        try plain.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        let stray = #expect(throws: AdapterError.self) { try PEFTWrittenAdapterTests.base().loadingAdapter(from: dir) }
        #expect(stray?.kind == .unexpectedTensor && stray?.subject?.hasSuffix("lora_B.bias") == true, "\(String(describing: stray))")
    }
}
