import Foundation
import LoRA
import Testing

/// `config.json` as transformers 5.25 wrote it (Fixtures/llama, `make_fixtures.py`), and every
/// refusal naming its field.
@Suite struct LlamaConfigTests {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("llama")

    /// The fixture's `tied/config.json` as a mutable dictionary.
    static func fixtureFields(_ model: String = "tied") throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(model).appendingPathComponent("config.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Reads `fields` written as a config.json in a temporary folder.
    static func read(_ fields: [String: Any]) throws -> LlamaConfig {
        let dir = try makeTemporaryDirectory("llama-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]).write(to: url)
        return try LlamaConfig.read(contentsOf: url)
    }

    @Test func readsWhatTransformersWrote() throws {
        let tied = try LlamaConfig.read(contentsOf: Self.root.appendingPathComponent("tied/config.json"))
        #expect(tied.vocabularySize == 300 && tied.hiddenSize == 64 && tied.intermediateSize == 128)
        #expect(tied.layerCount == 2 && tied.headCount == 4 && tied.keyValueHeadCount == 2 && tied.headDimension == 16)
        #expect(tied.ropeTheta == 10000 && tied.rmsNormEps == 1e-6 && tied.tieWordEmbeddings)
        #expect(tied.bosTokenId == 1 && tied.eosTokenIds == [2] && tied.padTokenId == nil && tied.dtype == "float32")
        let untied = try LlamaConfig.read(contentsOf: Self.root.appendingPathComponent("untied/config.json"))
        #expect(untied.ropeTheta == 500000 && untied.rmsNormEps == 1e-5 && !untied.tieWordEmbeddings)
    }

    @Test func readsTheOlderRopeThetaForm() throws {
        var fields = try Self.fixtureFields()
        fields["rope_parameters"] = nil
        fields["rope_theta"] = 500000.0
        fields["rope_scaling"] = NSNull()
        #expect(try Self.read(fields).ropeTheta == 500000)
        fields["rope_scaling"] = ["rope_type": "default"]
        #expect(try Self.read(fields).ropeTheta == 500000)
        // Both forms, agreeing (what a file written for transformers 4 and 5 carries).
        fields["rope_parameters"] = ["rope_type": "default", "rope_theta": 500000.0]
        #expect(try Self.read(fields).ropeTheta == 500000)
    }

    /// A config in the form SmolLM2-135M's carries (transformers 4.x: top-level rope_theta as an
    /// integer, rope_scaling null, torch_dtype, SmolLM's own is_llama_config / rope_interleaved).
    @Test func readsATransformers4ConfigLikeSmolLM2s() throws {
        let text = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
         "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576,
         "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "is_llama_config": true,
         "max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 9,
         "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true,
         "torch_dtype": "bfloat16", "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}
        """
        let dir = try makeTemporaryDirectory("smollm-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        try text.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let c = try LlamaConfig.read(contentsOf: dir.appendingPathComponent("config.json"))
        #expect(c.ropeTheta == 100000 && c.headDimension == 64 && c.keyValueHeadCount == 3 && c.tieWordEmbeddings)
        #expect(c.dtype == "bfloat16" && c.bosTokenId == 0 && c.eosTokenIds == [0])
        let t = c.transformerConfiguration
        #expect(t.positionEncoding == .rotary(theta: 100000) && t.feedForward == .swiglu && t.keyValueHeadCount == 3)
        #expect(t.contextLength == 8192 && t.mlpDimension == 1536 && t.normEpsilon == 1e-5 && t.tieWordEmbeddings)
        // Llama 3.2's scaled RoPE in the same file form is refused by name.
        try text.replacingOccurrences(of: #""rope_scaling": null"#, with: #""rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}"#)
            .write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let error = try #require(throws: CheckpointError.self) { try LlamaConfig.read(contentsOf: dir.appendingPathComponent("config.json")) }
        #expect(error.kind == .unsupported && error.subject == "rope_scaling.rope_type", "\(error)")
        #expect(error.description.contains("\"llama3\""), "\(error)")
    }

    @Test func acceptsSmolLM2sMarkers() throws {
        var fields = try Self.fixtureFields()
        fields["is_llama_config"] = true
        fields["rope_interleaved"] = false
        fields["torch_dtype"] = "bfloat16"
        fields["dtype"] = nil
        fields["eos_token_id"] = [2, 7]
        let c = try Self.read(fields)
        #expect(c.dtype == "bfloat16" && c.eosTokenIds == [2, 7])
    }

    /// One edit of the fixture config and the refusal it must produce.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var key: String
        var value: @Sendable () -> Any
        var kind: CheckpointError.Kind
        var subject: String
        var testDescription: String { "\(key) → \(subject)" }
    }

    static let refusals: [Refusal] = [
        Refusal(key: "architectures", value: { ["MistralForCausalLM"] }, kind: .unsupported, subject: "architectures"),
        Refusal(key: "architectures", value: { NSNull() }, kind: .unsupported, subject: "architectures"),
        Refusal(key: "model_type", value: { "mistral" }, kind: .unsupported, subject: "model_type"),
        Refusal(key: "rope_parameters", value: { ["rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0] },
                kind: .unsupported, subject: "rope_parameters.rope_type"),
        Refusal(key: "rope_parameters", value: { ["rope_type": "default", "rope_theta": 1e4, "partial_rotary_factor": 0.5] },
                kind: .unsupported, subject: "rope_parameters.partial_rotary_factor"),
        Refusal(key: "rope_scaling", value: { ["type": "linear", "factor": 2.0] }, kind: .unsupported, subject: "rope_scaling.type"),
        Refusal(key: "rope_theta", value: { 500000.0 }, kind: .invalidConfig, subject: "rope_theta"),  // disagrees with rope_parameters
        Refusal(key: "attention_bias", value: { true }, kind: .unsupported, subject: "attention_bias"),
        Refusal(key: "mlp_bias", value: { true }, kind: .unsupported, subject: "mlp_bias"),
        Refusal(key: "rope_interleaved", value: { true }, kind: .unsupported, subject: "rope_interleaved"),
        Refusal(key: "hidden_act", value: { "gelu" }, kind: .unsupported, subject: "hidden_act"),
        Refusal(key: "head_dim", value: { 32 }, kind: .unsupported, subject: "head_dim"),
        Refusal(key: "attention_dropout", value: { 0.1 }, kind: .unsupported, subject: "attention_dropout"),
        Refusal(key: "sliding_window", value: { 4096 }, kind: .unsupported, subject: "sliding_window"),
        Refusal(key: "num_key_value_heads", value: { 3 }, kind: .invalidConfig, subject: "num_key_value_heads"),
        Refusal(key: "vocab_size", value: { "300" }, kind: .invalidConfig, subject: "vocab_size"),
        Refusal(key: "hidden_size", value: { 0 }, kind: .invalidConfig, subject: "hidden_size"),
        Refusal(key: "rms_norm_eps", value: { -1.0 }, kind: .invalidConfig, subject: "rms_norm_eps"),
    ]

    @Test(arguments: refusals) func refusesByName(_ r: Refusal) throws {
        var fields = try Self.fixtureFields()
        fields[r.key] = r.value()
        let error = try #require(throws: CheckpointError.self) { try Self.read(fields) }
        #expect(error.kind == r.kind, "\(error)")
        #expect(error.subject == r.subject, "\(error)")
        #expect(error.description.contains("'\(r.subject)'"), "\(error)")
    }

    @Test func encodedConfigReadsBackEqual() throws {
        for model in ["tied", "untied"] {
            let config = try LlamaConfig.read(contentsOf: Self.root.appendingPathComponent(model).appendingPathComponent("config.json"))
            let dir = try makeTemporaryDirectory("llama-config-encode")
            defer { try? FileManager.default.removeItem(at: dir) }
            let url = dir.appendingPathComponent("config.json")
            try Data(config.encoded()).write(to: url)
            #expect(try LlamaConfig.read(contentsOf: url) == config, "\(model)")
            // The same keys transformers wrote, minus its version stamp and pretraining_tp.
            let ours = try #require(JSONSerialization.jsonObject(with: Data(config.encoded())) as? [String: Any])
            let theirs = try Self.fixtureFields(model)
            #expect(Set(ours.keys).union(["transformers_version", "pretraining_tp"]) == Set(theirs.keys))
        }
    }
}
