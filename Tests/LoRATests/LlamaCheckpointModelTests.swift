import Foundation
import LoRA
import Testing

/// The package's LLaMA loaded from checkpoints transformers wrote gives transformers' logits and
/// greedy tokens, and PEFT's adapters on it give PEFT's logits (Fixtures/llama, make_fixtures.py).
@Suite struct LlamaCheckpointModelTests {
    static let root = LlamaConfigTests.root

    static func expected() throws -> SafetensorsDocument {
        try SafetensorsReader.read(contentsOf: root.appendingPathComponent("expected.safetensors"))
    }

    static func summary() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func inputIds() throws -> [Int] { try #require(summary()["input_ids"] as? [Int]) }

    static func model(_ name: String) throws -> TransformerModel<Float> {
        try TransformerModel<Float>(checkpointFolder: root.appendingPathComponent(name))
    }

    /// Largest |ours − transformers'| over the logits of INPUT_IDS, relative to the largest
    /// |logit| when that exceeds 1: max |Δ| / max(1, max |logit|).
    ///
    /// Why relative: both sides round in float32, in different orders. transformers' own float32
    /// logits of `tied` are 1.0e-5 away from its float64 ones (max |logit| 6.98), so two correct
    /// float32 implementations can differ by about twice that in absolute terms. 1e-5 of the
    /// largest logit is float32 noise over ~200 products; a wrong θ, ε, head grouping or
    /// rotate_half convention is off by orders of magnitude more (see `untied` θ = 500000).
    static func logitsError(_ model: TransformerModel<Float>, case name: String) throws -> Double {
        let ids = try inputIds()
        let ours = model.logits(tokens: ids, sequenceLength: ids.count)
        let theirs = try #require(expected().tensors[name + ".logits"])
        #expect(theirs.shape == [ids.count, ours.columns])
        let largest = max(1, theirs.values.map { Double(abs($0)) }.max()!)
        return zip(ours.storage, theirs.values).map { Double(abs($0 - $1)) }.max()! / largest
    }

    @Test(arguments: ["tied", "untied", "tied_bf16"]) func logitsEqualTransformers(_ name: String) throws {
        let model = try Self.model(name)
        #expect(model.isLlama)
        let error = try Self.logitsError(model, case: name)
        #expect(error <= 1e-5, "\(name): max |Δlogit| / max(1, max |logit|) = \(error)")
    }

    /// The comparison can fail: the same weights with θ or ε or the KV grouping read wrongly
    /// are far outside the tolerance.
    @Test func wrongSettingsAreFarFromTransformers() throws {
        let checkpoint = try LlamaCheckpoint.read(from: Self.root.appendingPathComponent("untied"))
        var wrongTheta = checkpoint
        wrongTheta.config.ropeTheta = 10000  // the default, where the file says 500000
        #expect(try Self.logitsError(TransformerModel<Float>(checkpoint: wrongTheta), case: "untied") > 1e-3)
        var wrongEps = checkpoint
        wrongEps.config.rmsNormEps = 1e-2
        #expect(try Self.logitsError(TransformerModel<Float>(checkpoint: wrongEps), case: "untied") > 1e-4)
    }

    /// 32 greedy tokens: argmax of the last row, appended, repeated (transformers' generate with
    /// do_sample=False computes the same; the fixture checks that). Uncached full passes.
    @Test(arguments: ["tied", "untied", "tied_bf16"]) func greedyTokensEqualTransformers(_ name: String) throws {
        let model = try Self.model(name)
        let summary = try Self.summary()
        var ids = try #require(summary["prompt_ids"] as? [Int])
        let expected = try #require((summary["greedy"] as? [String: [Int]])?[name])
        for _ in 0..<expected.count {
            let logits = model.logits(tokens: ids, sequenceLength: ids.count)
            let last = (0..<logits.columns).map { logits[logits.rows - 1, $0] }
            ids.append(last.indices.max { last[$0] < last[$1] }!)
        }
        #expect(Array(ids.suffix(expected.count)) == expected, "\(name)")
    }

    /// The folder named by LORA_LLAMA_WRITE_DIR, where the tests also leave what they saved, for
    /// `check_with_transformers.py` (nil: nothing is kept).
    static var writeDirectory: URL? {
        ProcessInfo.processInfo.environment["LORA_LLAMA_WRITE_DIR"].map { URL(fileURLWithPath: $0) }
    }

    /// The same 32 ids from the package's generate (greedy, KV cache), EOS not stopping as in
    /// the fixture; and from the uncached path.
    @Test(arguments: ["tied", "untied", "tied_bf16"]) func cachedGreedyGenerationEqualsTransformers(_ name: String) throws {
        let model = try Self.model(name)
        let summary = try Self.summary()
        let prompt = try #require(summary["prompt_ids"] as? [Int])
        let expected = try #require((summary["greedy"] as? [String: [Int]])?[name])
        for useCache in [true, false] {
            var g = SeededGenerator(seed: 0)
            let out = try model.generate(prompt: prompt, maxNewTokens: expected.count, sampling: .greedy, useCache: useCache, generator: &g)
            #expect(out.tokens == expected, "\(name) useCache \(useCache)")
        }
    }

    /// Our saved copy reads back to identical parameters (and is kept in LORA_LLAMA_WRITE_DIR/<name>).
    @Test(arguments: ["tied", "untied"]) func savedCopyLoadsBackIdentical(_ name: String) throws {
        let model = try Self.model(name)
        let dir = try makeTemporaryDirectory("llama-save")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try LlamaCheckpoint.read(from: Self.root.appendingPathComponent(name)).config
        try model.saveCheckpoint(to: dir, config: config)
        let copy = try TransformerModel<Float>(checkpointFolder: dir)
        #expect(copy.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        #expect(copy.namedParameters.map(\.value) == model.namedParameters.map(\.value))
        let tensors = try LlamaCheckpoint.read(from: dir).tensors
        #expect((tensors["lm_head.weight"] == nil) == (name == "tied"))
        #expect(tensors.keys.allSatisfy { $0.hasPrefix("model.") || $0 == "lm_head.weight" })
        if let keep = Self.writeDirectory { try model.saveCheckpoint(to: keep.appendingPathComponent(name), config: config) }
    }

    @Test func miniatureIsNotALlamaCheckpoint() throws {
        let mini = try TransformerModel<Float>(configuration: TransformerConfiguration(vocabularySize: 12, contextLength: 8), seed: 1)
        #expect(!mini.isLlama)
        let error = try #require(throws: CheckpointError.self) { try mini.llamaCheckpoint() }
        #expect(error.kind == .unsupported)
        var adapted = try Self.model("tied")
        try adapted.injectLoRA(targets: .names(["q_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 1)
        let adapterError = try #require(throws: CheckpointError.self) { try adapted.llamaCheckpoint() }
        #expect(adapterError.kind == .unsupported && adapterError.subject?.contains("lora_") == true, "\(adapterError)")
    }

    // MARK: PEFT adapters written for the untied fixture

    /// PEFT's LoRA (q,v; all-linear) and DoRA (q,v) load onto the loaded checkpoint and give
    /// PEFT's logits within 1e-5.
    @Test(arguments: ["lora_qv", "lora_all", "dora_qv"]) func peftAdapterGivesPEFTsLogits(_ name: String) throws {
        let base = try Self.model("untied")
        let model = try base.loadingAdapter(from: Self.root.appendingPathComponent(name))
        #expect(model.adaptedLayerNames.count == (name == "lora_all" ? 14 : 4))
        let error = try Self.logitsError(model, case: name)
        #expect(error <= 1e-5, "\(name): max |Δlogit| = \(error)")
        // Without the adapter the logits are far from PEFT's: the adapter is what matched.
        #expect(try Self.logitsError(base, case: name) > 1e-2)
    }

    /// The other way in: inject LoRA on q,v (r = 4, α = 8) first, then load PEFT's weights into
    /// those layers (``LoRAAdapterHost/loadAdapter(from:dtypes:allowNonFinite:)``).
    @Test func loadAdapterIntoInjectedLayersGivesPEFTsLogits() throws {
        var model = try Self.model("untied")
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), seed: 9)
        try model.loadAdapter(from: Self.root.appendingPathComponent("lora_qv"))
        let error = try Self.logitsError(model, case: "lora_qv")
        #expect(error <= 1e-5, "max |Δlogit| / max(1, max |logit|) = \(error)")
    }

    /// Saving the loaded adapter writes PEFT's keys (`base_model.model.model.layers.N.…`), the
    /// same set PEFT wrote, and the same values.
    @Test(arguments: ["lora_qv", "lora_all", "dora_qv"]) func savedAdapterHasPEFTsKeys(_ name: String) throws {
        let folder = Self.root.appendingPathComponent(name)
        let model = try Self.model("untied").loadingAdapter(from: folder)
        let dir = try makeTemporaryDirectory("llama-adapter")
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.saveAdapter(to: dir, taskType: "CAUSAL_LM")
        if let keep = Self.writeDirectory { try model.saveAdapter(to: keep.appendingPathComponent(name), taskType: "CAUSAL_LM") }
        let ours = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        let peft = try SafetensorsReader.read(contentsOf: folder.appendingPathComponent(AdapterFiles.weightsFileName))
        #expect(Set(ours.tensors.keys) == Set(peft.tensors.keys))
        #expect(ours.tensors.keys.allSatisfy { $0.hasPrefix("base_model.model.model.layers.") })
        for (key, t) in peft.tensors { #expect(ours.tensors[key]?.values == t.values, "\(key)") }
        // And it loads back onto the checkpoint with the same logits.
        let again = try Self.model("untied").loadingAdapter(from: dir)
        #expect(try Self.logitsError(again, case: name) <= 1e-5)
    }

    /// The miniature keeps its adapter names (no `model.` level), so its pages and fixtures stay.
    @Test func miniatureAdapterKeysKeepTheirNames() throws {
        var mini = try TransformerModel<Float>(configuration: TransformerConfiguration(vocabularySize: 12, contextLength: 8), seed: 1)
        try mini.injectLoRA(targets: .names(["q_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 1)
        let dir = try makeTemporaryDirectory("mini-adapter")
        defer { try? FileManager.default.removeItem(at: dir) }
        try mini.saveAdapter(to: dir)
        let keys = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent(AdapterFiles.weightsFileName)).tensors.keys
        #expect(keys.contains("base_model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        #expect(mini.adapterFilePath(for: "layers.0.self_attn.q_proj") == "layers.0.self_attn.q_proj")
    }
}
