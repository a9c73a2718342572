import Foundation
@testable import LoRA
import Testing

/// `rank_pattern` / `alpha_pattern` keys evaluated by PEFT's rule, `re.match(rf"(.*\.)?({key})$", path)`,
/// without ever giving up: a key is evaluated exactly or refused by name.
@Suite struct ModuleKeyPatternTests {
    /// (key, path, Python's answer), the answers from Python 3's `re` (see the comment in each row).
    static let pythonCases: [(String, String, Bool)] = [
        ("q_proj", "layers.0.self_attn.q_proj", true),
        ("proj", "layers.0.self_attn.q_proj", false),                      // whole components only
        ("layers.0.self_attn.q_proj", "layersX0.self_attn.q_proj", true),  // "." is any character
        (#"layers\.0\..*"#, "layers.0.self_attn.q_proj", true),
        (#"layers\.0\..*"#, "layers.10.self_attn.q_proj", false),
        (#"layers\.\d+\.mlp\.(up|down)_proj"#, "model.layers.12.mlp.down_proj", true),
        ("[qk]_proj", "layers.1.self_attn.v_proj", false),
        (#"(?:self_attn\.)?[^.]+_proj"#, "layers.1.self_attn.k_proj", true),
        ("a{2,3}", "x.aaaa", false),
        ("a{2,3}", "x.aaa", true),
        ("^layers.*", "model.layers.0.q_proj", false),
        ("^layers.*", "layers.0.q_proj", true),
        ("x{", "x{", true),                                                // not a repetition: a literal
        ("(?P<n>q)_proj", "a.q_proj", true),
    ]

    @Test("keys match module paths as Python's re does")
    func matchesLikePython() throws {
        for (key, path, expected) in Self.pythonCases {
            #expect(try ModuleKeyPattern(key).matches(path) == expected, "\(key) on \(path)")
        }
    }

    @Test("a key that makes a backtracking engine give up is evaluated: α = 32 by PEFT's rule, at once",
          .timeLimit(.minutes(5)))
    func catastrophicKeyIsEvaluated() throws {
        let dir = try makeTemporaryDirectory("pattern")
        defer { try? FileManager.default.removeItem(at: dir) }
        try AdapterFiles.save(try sampleLayers(seed: 3, alpha: 8), to: dir)
        // Rewrite the config with the key; the weights' binding is dropped with the rewrite.
        let configURL = dir.appendingPathComponent("adapter_config.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        json["alpha_pattern"] = ["(.*)*y|layers.*": 32]
        try JSONSerialization.data(withJSONObject: json).write(to: configURL)
        var document = try SafetensorsReader.read(contentsOf: dir.appendingPathComponent("adapter_model.safetensors"))
        document.metadata = ["format": "pt"]
        try SafetensorsWriter.write(document, to: dir.appendingPathComponent("adapter_model.safetensors"))
        let start = Date()
        let loaded = try AdapterFiles.read(from: dir)
        let h = loaded.hyperparameters(for: "layers.0.self_attn.q_proj")
        #expect(h.alpha == 32 && h.scale == 16, "α \(h.alpha)")
        #expect(Date().timeIntervalSince(start) < 1, "took \(Date().timeIntervalSince(start)) s")
    }

    @Test("a key using a construct outside regular expressions is an error naming the key")
    func unsupportedKeyIsRefused() throws {
        for key in ["(?=q)_proj", #"(a)\1"#, "(?i)Q_PROJ", "q_proj*+"] {
            let json = #"{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":["q_proj"],"rank_pattern":{"\#(key.replacingOccurrences(of: "\\", with: "\\\\"))":4}}"#
            #expect {
                _ = try AdapterConfig.decode(Data(json.utf8), fileName: "adapter_config.json")
            } throws: { error in
                guard let error = error as? AdapterError else { return false }
                return error.kind == .invalidConfig && error.subject == "rank_pattern." + key
            }
        }
    }

    @Test("1,000 modules against 999 keys: each key compiled once, looked up in well under a second")
    func manyKeysAreFast() throws {
        var config = AdapterConfig(hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), targetModules: [])
        let modules = (0..<1000).map { "model.layers.\($0).self_attn.q_proj" }
        config.alphaPattern = modules.dropLast().map { PatternEntry(key: String($0.dropFirst(6)), value: 8) }
        let start = Date()
        let patterns = try CompiledPatterns(config)
        var matched = 0
        for module in modules where patterns.alpha(for: module) != nil { matched += 1 }
        let seconds = Date().timeIntervalSince(start)
        #expect(matched == 999)
        #expect(seconds < 1, "took \(seconds) s")
    }
}
