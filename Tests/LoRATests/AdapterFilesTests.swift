import Foundation
@testable import LoRA
import Testing

/// Two adapted projections with non-zero A and B, keyed by module path.
func sampleLayers(seed: UInt64 = 3, rank: Int = 2, alpha: Double = 4) throws -> [String: LoRALinear<Linear<Float>>] {
    var rng = SeededGenerator(seed: seed)
    let h = LoRAHyperparameters(rank: rank, alpha: alpha, dropout: 0.05)
    var layers: [String: LoRALinear<Linear<Float>>] = [:]
    for (path, inF, outF) in [("layers.0.self_attn.q_proj", 8, 6), ("layers.0.self_attn.v_proj", 8, 4)] {
        let base = Linear<Float>(weight: .normal(outF, inF, std: 0.5, using: &rng), bias: nil)
        var layer = try LoRALinear(base: base, hyperparameters: h, using: &rng)
        layer.b = .normal(outF, rank, std: 0.3, using: &rng)
        layers[path] = layer
    }
    return layers
}

@Suite struct AdapterFilesTests {
    @Test func saveThenLoadRestoresFactorsAndOutputs() throws {
        let dir = try makeTemporaryDirectory("adapter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = try sampleLayers(seed: 3)
        let config = try AdapterFiles.save(saved, to: dir.appendingPathComponent("new/sub"), taskType: "CAUSAL_LM")
        #expect(config.targetModules == .names(["layers.0.self_attn.q_proj", "layers.0.self_attn.v_proj"]))
        // Same bases, different adapters: loading must bring back the saved factors exactly.
        var other = try sampleLayers(seed: 3)
        var rng = SeededGenerator(seed: 99)
        for key in other.keys { other[key]!.b = .normal(other[key]!.outFeatures, 2, std: 1, using: &rng) }
        #expect(other["layers.0.self_attn.q_proj"]!.b != saved["layers.0.self_attn.q_proj"]!.b)
        let loadedConfig = try AdapterFiles.load(from: dir.appendingPathComponent("new/sub"), into: &other)
        #expect(loadedConfig == config)
        let x = Matrix<Float>.normal(3, 8, std: 1, using: &rng)
        for key in saved.keys {
            #expect(other[key]!.a == saved[key]!.a)
            #expect(other[key]!.b == saved[key]!.b)
            #expect(other[key]!.hyperparameters == saved[key]!.hyperparameters)
            #expect(other[key]!.forward(x) == saved[key]!.forward(x))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("new/sub").path).sorted()
        #expect(files == ["adapter_config.json", "adapter_model.safetensors"])
    }

    @Test func savedFileUsesPEFTNamesShapesAndMetadata() throws {
        let dir = try makeTemporaryDirectory("names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let layers = try sampleLayers()
        try AdapterFiles.save(layers, to: dir)
        let doc = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent("adapter_model.safetensors"))
        #expect(doc.metadata["format"] == "pt" && doc.metadata.count == 2)
        let config = try [UInt8](Data(contentsOf: dir.appendingPathComponent("adapter_config.json")))
        #expect(doc.metadata[ConfigBinding.metadataKey] == ConfigBinding.digest(config))
        #expect(doc.tensors["base_model.model.layers.0.self_attn.q_proj.lora_A.weight"]?.shape == [2, 8])
        #expect(doc.tensors["base_model.model.layers.0.self_attn.q_proj.lora_B.weight"]?.shape == [6, 2])
        #expect(doc.tensors["base_model.model.layers.0.self_attn.v_proj.lora_B.weight"]?.values == layers["layers.0.self_attn.v_proj"]!.b.storage)
        #expect(doc.tensors.count == 4)
    }

    @Test func configJSONCarriesEveryPEFTFieldAndReadsBack() throws {
        var h = LoRAHyperparameters(rank: 16, alpha: 32, dropout: 0.05)
        h.scaling = .rankStabilized
        let config = AdapterConfig(hyperparameters: h, targetModules: ["b.v_proj", "a.q_proj"], taskType: "CAUSAL_LM")
        let json = try #require(JSONSerialization.jsonObject(with: config.encoded()) as? [String: Any])
        #expect(Set(json.keys) == ["peft_type", "r", "lora_alpha", "target_modules", "lora_dropout", "bias", "use_rslora",
                                   "init_lora_weights", "fan_in_fan_out", "task_type", "inference_mode",
                                   "base_model_name_or_path", "modules_to_save", "rank_pattern", "alpha_pattern"])
        #expect(json["r"] as? Int == 16)
        #expect(String(decoding: config.encoded(), as: UTF8.self).contains("\"lora_alpha\" : 32,"))
        #expect(json["target_modules"] as? [String] == ["a.q_proj", "b.v_proj"])
        #expect(json["use_rslora"] as? Bool == true)
        #expect(json["base_model_name_or_path"] is NSNull)
        let back = try AdapterConfig.decode(config.encoded(), fileName: "c.json")
        #expect(back == config)
        #expect(try back.hyperparameters() == h)
    }

    @Test func configReadingAcceptsFeaturesLeftOffAndFillsPEFTDefaults() throws {
        let text = #"{"peft_type":"LORA","target_modules":"all-linear","revision":"main","layers_pattern":null,"megatron_config":{},"use_dora":false,"some_new_key":null,"init_lora_weights":"gaussian"}"#
        let config = try AdapterConfig.decode(Data(text.utf8), fileName: "c.json")
        #expect(config.r == 8 && config.loraAlpha == 8 && config.loraDropout == 0 && config.bias == "none")
        #expect(config.targetModules == .allLinear)
        #expect(try config.hyperparameters().initialization == .gaussian)
    }

    @Test func configWithAWrongTypeNamesTheField() throws {
        for (text, field) in [(#"{"r":"16"}"#, "r"), (#"{"lora_alpha":true}"#, "lora_alpha"),
                              (#"{"target_modules":5}"#, "target_modules"), (#"{"use_rslora":"yes"}"#, "use_rslora")] {
            do {
                _ = try AdapterConfig.decode(Data(text.utf8), fileName: "adapter_config.json")
                Issue.record("\(text) decoded")
            } catch {
                #expect(error.kind == .invalidConfig)
                #expect(error.subject == field, "\(error)")
                #expect(error.description.hasPrefix("adapter file 'adapter_config.json', field '\(field)': wrong type"))
            }
        }
        var config = AdapterConfig()
        config.fanInFanOut = true
        #expect(throws: AdapterError.self) { try config.hyperparameters() }
        config.fanInFanOut = false
        config.bias = "all"
        do { _ = try config.hyperparameters(); Issue.record("bias all accepted") } catch { #expect(error.kind == .unsupported) }
    }

    @Test func hostProtocolSavesAndLoadsThroughTheModel() throws {
        struct TinyModel: LoRAAdapterHost {
            var loraLayers: [String: LoRALinear<Linear<Float>>]
            var adaptedLayers: [(path: String, layer: any AdaptedLayer<Float>)] { loraLayers.keys.sorted().map { ($0, loraLayers[$0]!) } }
            mutating func replaceAdaptedLayers(_ layers: [String: any AdaptedLayer<Float>]) {
                loraLayers = layers.mapValues { $0 as! LoRALinear<Linear<Float>> }
            }
        }
        let dir = try makeTemporaryDirectory("host")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trained = TinyModel(loraLayers: try sampleLayers(seed: 5))
        try trained.saveAdapter(to: dir)
        var fresh = TinyModel(loraLayers: try sampleLayers(seed: 5, rank: 2, alpha: 4))
        for key in fresh.loraLayers.keys { fresh.loraLayers[key]!.b = .zeros(fresh.loraLayers[key]!.outFeatures, 2) }
        try fresh.loadAdapter(from: dir)
        for key in trained.loraLayers.keys { #expect(fresh.loraLayers[key]!.b == trained.loraLayers[key]!.b) }
    }
}
