import Foundation
import LoRA

/// Cross-checks with Hugging Face's `safetensors` (driven by `Tests/interop/run.sh`): write an
/// adapter plus a ``SafetensorsManifest`` for the Python side to verify, and verify files the
/// Python side wrote against its `expected.json`.
///
/// ```
/// expected.json = { "files": { "<relative path>": { "metadata": {…},
///                   "tensors": { "<name>": { "dtype": "F16", "shape": [..], "bits": [u32, …] } } } } }
/// ```
/// `bits` are the float32 bit patterns of the values after exact widening. NaNs are compared as
/// "is NaN" only: numpy widens a signalling binary16 NaN without quieting it, this reader quiets it.
public enum SafetensorsInterop {
    /// What `expected.json` says about one file.
    struct ExpectedFile: Decodable {
        struct Tensor: Decodable {
            var dtype: String
            var shape: [Int]
            var bits: [UInt32]
        }
        var metadata: [String: String]
        var tensors: [String: Tensor]
    }

    struct Expected: Decodable {
        var files: [String: ExpectedFile]
    }

    /// The module paths and (out, in) sizes of the sample adapter, shared with the Python fixtures.
    public static let sampleModules: [(path: String, outFeatures: Int, inFeatures: Int)] = [
        ("layers.0.self_attn.q_proj", 6, 8), ("layers.0.self_attn.v_proj", 4, 8),
    ]

    /// Writes a seeded sample adapter to `directory/adapter` and its manifest to
    /// `directory/manifest.json`.
    /// - Returns: the layers written.
    @discardableResult
    public static func writeSample(to directory: URL, seed: UInt64 = 42) throws -> [String: LoRALinear<Linear<Float>>] {
        var rng = SeededGenerator(seed: seed)
        var layers: [String: LoRALinear<Linear<Float>>] = [:]
        for (path, outF, inF) in sampleModules {
            let base = Linear<Float>(weight: .normal(outF, inF, std: 0.5, using: &rng))
            var layer = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), using: &rng)
            layer.b = .normal(outF, 2, std: 0.3, using: &rng)  // non-zero B so the check sees real values
            layers[path] = layer
        }
        let adapterDirectory = directory.appendingPathComponent("adapter")
        try AdapterFiles.save(layers, to: adapterDirectory, taskType: "CAUSAL_LM")
        let document = try SafetensorsReader.read(contentsOf: adapterDirectory.appendingPathComponent(AdapterFiles.weightsFileName))
        try SafetensorsManifest(document: document, file: AdapterFiles.weightsFileName)
            .write(to: directory.appendingPathComponent("manifest.json"))
        return layers
    }

    /// Checks every file listed in `directory/expected.json`, and loads `peft_adapter/` (if
    /// listed) into layers of the sample shapes.
    /// - Returns: one line per mismatch (empty when everything agrees) and the number of tensors checked.
    public static func checkFixtures(in directory: URL) -> (mismatches: [String], tensorsChecked: Int) {
        var problems: [String] = []
        var checked = 0
        let expected: Expected
        do {
            expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        } catch {
            return (["expected.json: \(error)"], 0)
        }
        for path in expected.files.keys.sorted() {
            let want = expected.files[path]!
            let document: SafetensorsDocument
            do { document = try SafetensorsReader.read(contentsOf: directory.appendingPathComponent(path)) } catch {
                problems.append("\(path): \(error)")
                continue
            }
            if document.metadata != want.metadata { problems.append("\(path): metadata \(document.metadata), expected \(want.metadata)") }
            if Set(document.tensors.keys) != Set(want.tensors.keys) {
                problems.append("\(path): tensors \(document.tensors.keys.sorted()), expected \(want.tensors.keys.sorted())")
            }
            for (name, t) in want.tensors.sorted(by: { $0.key < $1.key }) {
                guard let got = document.tensors[name] else { continue }
                checked += 1
                if got.dtype.rawValue != t.dtype { problems.append("\(path): \(name): dtype \(got.dtype.rawValue), expected \(t.dtype)") }
                if got.shape != t.shape { problems.append("\(path): \(name): shape \(got.shape), expected \(t.shape)") }
                guard got.values.count == t.bits.count else {
                    problems.append("\(path): \(name): \(got.values.count) values, expected \(t.bits.count)")
                    continue
                }
                for (i, (value, bits)) in zip(got.values, t.bits).enumerated() {
                    let reference = Float(bitPattern: bits)
                    let same = reference.isNaN ? value.isNaN : value.bitPattern == bits
                    if !same {
                        problems.append("\(path): \(name)[\(i)] = \(value) (0x\(String(value.bitPattern, radix: 16))), expected \(reference) (0x\(String(bits, radix: 16)))")
                        break
                    }
                }
            }
        }
        if let adapterFile = expected.files["peft_adapter/adapter_model.safetensors"] {
            problems += checkAdapter(in: directory.appendingPathComponent("peft_adapter"), expected: adapterFile)
        }
        return (problems, checked)
    }

    /// Loads the Python-written PEFT adapter strictly into sample-shaped layers and compares factors.
    private static func checkAdapter(in directory: URL, expected: ExpectedFile) -> [String] {
        do {
            var rng = SeededGenerator(seed: 1)
            var layers: [String: LoRALinear<Linear<Float>>] = [:]
            for (path, outF, inF) in sampleModules {
                let base = Linear<Float>(weight: .zeros(outF, inF))
                layers[path] = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), using: &rng)
            }
            let adapter = try AdapterFiles.read(from: directory)
            let config = adapter.config
            let loaded = try adapter.applied(to: layers.keys.sorted().map { ($0, layers[$0]! as any AdaptedLayer<Float>) })
            var problems: [String] = []
            if config.r != 2 || config.loraAlpha != 4 || config.loraDropout != 0.05 { problems.append("peft_adapter: config \(config)") }
            for (path, layer) in loaded.sorted(by: { $0.key < $1.key }) {
                for (factor, matrix) in [(LoRAFactor.a, layer.branch.a), (.b, layer.branch.b)] {
                    let name = AdapterFiles.tensorName(module: path, factor: factor)
                    if matrix.storage.map(\.bitPattern) != expected.tensors[name]?.bits {
                        problems.append("peft_adapter: \(name) loaded values differ from expected.json")
                    }
                }
                if layer.branch.hyperparameters.dropout != 0.05 { problems.append("peft_adapter: \(path) dropout not taken from the config") }
            }
            return problems
        } catch {
            return ["peft_adapter: \(error)"]
        }
    }
}
