import Foundation
import LoRA
import Testing

/// Adapters written by real PEFT 0.21.2 (Tests/LoRATests/Fixtures/peft_written, rerun with
/// `make_fixtures.py`), each with PEFT's own `get_delta_weight`, scaling, rank and layer output
/// per module in `expected.safetensors`. These are the reference, not our reading of PEFT.
@Suite struct PEFTWrittenAdapterTests {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("peft_written")

    /// A base with the fixture model's module paths and shapes (d = 16, 2 layers, MLP 64).
    static func base() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(
            configuration: TransformerConfiguration(vocabularySize: 12, contextLength: 8, modelDimension: 16, headCount: 2, layerCount: 2, mlpDimension: 64),
            seed: 5)
    }

    static func expected(_ name: String) throws -> SafetensorsDocument {
        try SafetensorsReader.read(contentsOf: root.appendingPathComponent(name).appendingPathComponent("expected.safetensors"))
    }

    static func matrix(_ t: SafetensorsTensor) -> Matrix<Float> {
        Matrix(rows: t.shape[0], columns: t.shape.count > 1 ? t.shape[1] : 1, storage: t.values)
    }

    /// Loads the case onto a fresh base and compares every adapted module with PEFT's numbers.
    /// Tolerance: PEFT computes ΔW = B·A·s in float32 with its own summation order; 1e-6 of the
    /// largest entry covers that and nothing else (a wrong scale is off by a factor).
    func checkCase(_ name: String, expectedModules: Int) throws {
        let model = try Self.base().loadingAdapter(from: Self.root.appendingPathComponent(name))
        let expected = try Self.expected(name)
        let adapted = model.adaptedLayers
        #expect(adapted.count == expectedModules, "\(name)")
        for (path, layer) in adapted {
            let branch = layer.branch
            let rank = try #require(expected.tensors[path + ".rank"]).values[0]
            let scaling = try #require(expected.tensors[path + ".scaling"]).values[0]
            #expect(Float(branch.rank) == rank, "\(name) \(path) rank")
            #expect(abs(Double(branch.scale) - Double(scaling)) <= 1e-6 * Double(scaling), "\(name) \(path) scaling \(branch.scale) vs PEFT \(scaling)")
            let delta = Self.matrix(try #require(expected.tensors[path + ".delta_weight"]))
            #expect(branch.deltaWeight.maxAbsDifference(delta) <= 1e-6 * Double(delta.maxAbs), "\(name) \(path) ΔW")
            // The layer's output on PEFT's base weight and input.
            let w = Self.matrix(try #require(expected.tensors[path + ".base_weight"]))
            let x = Self.matrix(try #require(expected.tensors[path + ".input"]))
            let y = Self.matrix(try #require(expected.tensors[path + ".output"]))
            let lora = try LoRALinear(base: Linear(weight: w), branch: branch)
            let ours = lora.forward(Matrix(rows: y.rows, columns: w.columns, storage: x.storage))
            #expect(ours.maxAbsDifference(Matrix(rows: y.rows, columns: w.rows, storage: y.storage)) <= 1e-5, "\(name) \(path) output")
        }
    }

    @Test func alphaPatternGivesEachModulePEFTsScale() throws {
        try checkCase("alpha_pattern", expectedModules: 4)
        // The defect this guards against: q_proj loaded with s = 8/4 = 2 where PEFT uses 32/4 = 8.
        let model = try Self.base().loadingAdapter(from: Self.root.appendingPathComponent("alpha_pattern"))
        #expect(model[linear: "layers.0.self_attn.q_proj"].adapterBranch?.scale == 8)
        #expect(model[linear: "layers.0.self_attn.v_proj"].adapterBranch?.scale == 2)
    }

    @Test func rankPatternGivesEachModulePEFTsRank() throws {
        try checkCase("rank_pattern", expectedModules: 6)
    }

    @Test func rsLoRAWithBothPatterns() throws {
        try checkCase("rslora_patterns", expectedModules: 2)
    }

    @Test func regexTargetModules() throws {
        try checkCase("regex_targets", expectedModules: 4)
    }

    @Test func firstMatchingKeyInFileOrderWins() throws {
        try checkCase("both_patterns_file_order", expectedModules: 8)
    }

    /// PEFT writes patterns with sorted keys, so this file's `k_proj` key comes before the
    /// more specific path and PEFT itself cannot reload it (size mismatch on layers.0 k_proj).
    /// We refuse it the same way, naming the tensor, instead of loading another rank.
    @Test func sortedKeysThatShadowAPathAreRefusedAsPEFTRefusesThem() throws {
        let base = try Self.base()
        do {
            _ = try base.loadingAdapter(from: Self.root.appendingPathComponent("both_patterns"))
            Issue.record("loaded an adapter PEFT cannot load")
        } catch {
            #expect(error.kind == .rankMismatch)
            #expect(error.subject?.contains("layers.0.self_attn.k_proj") == true, "\(error)")
        }
    }

    /// PEFT's DoRA adapter (`use_dora: true`, `lora_magnitude_vector` per module) loads as
    /// ``DoRALinear`` layers whose magnitude, output and merged weight are PEFT's own.
    /// Tolerance: 1e-5 absolute on outputs and merged weights (float32, as for LoRA above);
    /// magnitudes are copied, so they must be bit-identical.
    @Test func doraAdapterMatchesPEFT() throws {
        let model = try Self.base().loadingAdapter(from: Self.root.appendingPathComponent("dora"))
        let expected = try Self.expected("dora")
        let adapted = model.adaptedLayers
        #expect(adapted.count == 4)
        for (path, layer) in adapted {
            let dora = try #require(layer as? DoRALinear<Linear<Float>>, "\(path) is \(type(of: layer))")
            #expect(dora.variant is DoRAVariant<Float>)
            let m = try #require(expected.tensors[path + ".magnitude"])
            #expect(dora.magnitude.storage == m.values, "\(path) magnitude")
            #expect(Double(dora.scale) == Double(try #require(expected.tensors[path + ".scaling"]).values[0]))
            let delta = Self.matrix(try #require(expected.tensors[path + ".delta_weight"]))
            #expect(dora.branch.deltaWeight.maxAbsDifference(delta) <= 1e-6 * Double(delta.maxAbs), "\(path) ΔW")
            let w = Self.matrix(try #require(expected.tensors[path + ".base_weight"]))
            let x = Self.matrix(try #require(expected.tensors[path + ".input"]))
            let y = Self.matrix(try #require(expected.tensors[path + ".output"]))
            var own = try DoRALinear(base: Linear(weight: w), branch: dora.branch, magnitude: dora.magnitude)
            let input = Matrix(rows: y.rows, columns: w.columns, storage: x.storage)
            let output = Matrix(rows: y.rows, columns: w.rows, storage: y.storage)
            #expect(own.forward(input).maxAbsDifference(output) <= 1e-5, "\(path) output")
            // The training forward without dropout is the same function.
            var rng = SeededGenerator(seed: 1)
            #expect(own.forward(input, training: &rng).output.maxAbsDifference(output) <= 1e-5, "\(path) training output")
            let merged = Self.matrix(try #require(expected.tensors[path + ".merged_weight"]))
            #expect(own.mergedAndUnloaded().weight.maxAbsDifference(merged) <= 1e-5, "\(path) merge_and_unload")
            try own.merge()
            #expect(own.base.weight.maxAbsDifference(merged) <= 1e-5, "\(path) merged weight")
            #expect(own.forward(input).maxAbsDifference(output) <= 1e-5, "\(path) merged output")
        }
    }

    @Test func patternMatchingRule() {
        let pattern = [PatternEntry(key: "k_proj", value: 3), PatternEntry(key: "layers.0.self_attn.k_proj", value: 2)]
        #expect(AdapterConfig.patternValue(pattern, for: "layers.0.self_attn.k_proj") == 3)  // first match wins
        #expect(AdapterConfig.patternValue(Array(pattern.reversed()), for: "layers.0.self_attn.k_proj") == 2)
        #expect(AdapterConfig.patternValue(pattern, for: "layers.1.self_attn.k_proj") == 3)
        #expect(AdapterConfig.patternValue([PatternEntry(key: "proj", value: 1)], for: "layers.0.self_attn.q_proj") == nil)  // whole components
        #expect(AdapterConfig.patternValue(pattern, for: "layers.0.self_attn.q_proj") == nil)
    }

    /// Every key PEFT 0.21.2 writes, at its default, loads; each one set to a feature we do
    /// not have is refused by name.
    @Test func everyPEFTFieldIsHonouredOrRefusedByName() throws {
        let dir = try makeTemporaryDirectory("fields")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = Self.root.appendingPathComponent("alpha_pattern")
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent(AdapterConfig.fileName))) as! [String: Any]
        let defaults = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("loraconfig_defaults.json"))) as! [String: Any]
        #expect(defaults.count >= 40)
        try FileManager.default.copyItem(at: source.appendingPathComponent(AdapterFiles.weightsFileName),
                                         to: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        func load(_ edit: (inout [String: Any]) -> Void) throws -> AdapterError? {
            var config = original
            edit(&config)
            try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent(AdapterConfig.fileName))
            let base = try Self.base()
            do { _ = try base.loadingAdapter(from: dir); return nil } catch { return error }
        }
        #expect(try load { _ in } == nil)
        // Every key of PEFT's defaults that the fixture lacks, added at its default, still loads.
        #expect(try load { c in for (k, v) in defaults where c[k] == nil { c[k] = v } } == nil)
        for (key, value) in [("layers_to_transform", [0] as Any), ("loftq_config", ["loftq_bits": 4] as Any),
                             ("modules_to_save", ["lm_head"] as Any), ("use_qalora", true as Any),
                             ("a_future_peft_field", "on" as Any), ("megatron_config", ["tp": 2] as Any)] {
            let error = try load { $0[key] = value }
            #expect(error?.subject == key, "\(key) = \(value) was not refused by name: \(String(describing: error))")
        }
        // `lora_bias` is a registered variant: honoured, so a file without `lora_B.bias` tensors is
        // refused for the missing tensor, named.
        let noBias = try load { $0["lora_bias"] = true }
        #expect(noBias?.kind == .missingTensor && noBias?.subject?.hasSuffix(".lora_B.bias") == true, "\(String(describing: noBias))")
    }
}
