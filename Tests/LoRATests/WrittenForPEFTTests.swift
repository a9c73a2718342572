import Foundation
import LoRA
import Testing

/// Adapters this package writes for real PEFT to read (Tests/LoRATests/Fixtures/written_by_us).
///
/// Each case folder holds what ``LoRAAdapterHost/saveAdapter(to:baseModel:taskType:)`` writes
/// plus `expected.safetensors` with, per adapted module P, our `P.base_weight`, a fixed
/// `P.input` (3, in) and our layer's `P.output`. `check_with_peft.py` (run with the PEFT venv,
/// never by CI) loads each folder with `LoraConfig.from_pretrained` and
/// `PeftModel.from_pretrained` into the fixture model of `peft_written/make_fixtures.py` with
/// our base weights, and requires no unknown config keys, no missing or unexpected tensor keys,
/// and PEFT's outputs equal to ours within 1e-5.
///
/// The tests here rebuild every case and compare it with the committed files, so the committed
/// folders are what the code writes today. `LORA_WRITE_FIXTURES=1 swift test --filter
/// WrittenForPEFTTests` rewrites them in the source tree (then rerun the Python check).
@Suite struct WrittenForPEFTTests {
    static let sourceFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("written_by_us")
    static let bundledFolder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("written_by_us")

    /// The DoRA case: r = 4, α = 8 on q_proj and v_proj of the fixture-shaped model, B and m
    /// moved off their initial values with seeded draws so that every term is exercised.
    static func doraModel() throws -> TransformerModel<Float> {
        var model = try PEFTWrittenAdapterTests.base()
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 4, alpha: 8, useDoRA: true), seed: 21)
        var g = SeededGenerator(seed: 22)
        var layers: [String: any AdaptedLayer<Float>] = [:]
        for (path, layer) in model.adaptedLayers {
            let dora = layer as! DoRALinear<Linear<Float>>
            var branch = dora.branch
            branch.b = .normal(branch.b.rows, branch.b.columns, std: 0.5, using: &g)
            let m = dora.magnitude.zipMap(.uniform(1, dora.outFeatures, low: 0.7, high: 1.3, using: &g)) { $0 * $1 }
            layers[path] = try dora.replacingAdapter(branch: branch, extraTensors: [NamedTensor(DoRA.magnitudeName, m)])
        }
        model.replaceAdaptedLayers(layers)
        return model
    }

    /// The LoftQ case: r = 4, α = 8 (s = 2), T = 3 on q_proj and v_proj; the base the adapter
    /// belongs to is LoftQ's own Q, so `expected.safetensors` holds dequant(Q) as the base weight
    /// (what PEFT's LoftQ example saves as the base model).
    static func loftqModel() throws -> TransformerModel<Float> {
        var model = try PEFTWrittenAdapterTests.base()
        try model.injectLoftQ(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 4, alpha: 8), iterations: 3, seed: 1)
        return model
    }

    /// Writes the adapter and `expected.safetensors` (our per-module base weights, inputs and outputs).
    static func write(_ model: TransformerModel<Float>, to dir: URL) throws {
        try model.saveAdapter(to: dir)
        var tensors: [String: SafetensorsTensor] = [:]
        for (index, entry) in model.adaptedLayers.enumerated() {
            var g = SeededGenerator(seed: 500 + UInt64(index))
            let x = Matrix<Float>.normal(3, entry.layer.inFeatures, using: &g)
            let weight = baseWeight(of: entry.layer.converted(to: Float.self) as! any AdaptedLayer<Float>)
            tensors[entry.path + ".base_weight"] = SafetensorsTensor(weight)
            tensors[entry.path + ".input"] = SafetensorsTensor(x)
            tensors[entry.path + ".output"] = SafetensorsTensor(entry.layer.forward(x))
        }
        try SafetensorsWriter.write(SafetensorsDocument(tensors: tensors, metadata: ["format": "pt"]),
                                    to: dir.appendingPathComponent("expected.safetensors"))
    }

    /// W0 of an adapted dense layer, read through the parameter traversal (the frozen `weight`).
    static func baseWeight(of layer: any AdaptedLayer<Float>) -> Matrix<Float> {
        var copy = layer
        var weight: Matrix<Float>?
        copy.visitParameters { name, value, _ in if name == "weight" { weight = value } }
        return weight!
    }

    @Test(arguments: ["dora", "loftq"])
    func folderIsWhatWeWrite(_ name: String) throws {
        let model = try name == "dora" ? Self.doraModel() : Self.loftqModel()
        if ProcessInfo.processInfo.environment["LORA_WRITE_FIXTURES"] == "1" {
            let dir = Self.sourceFolder.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: dir)
            try Self.write(model, to: dir)
        }
        let fresh = try makeTemporaryDirectory("ours-\(name)")
        defer { try? FileManager.default.removeItem(at: fresh) }
        try Self.write(model, to: fresh)
        let committed = Self.bundledFolder.appendingPathComponent(name)
        // The config is byte for byte what we write.
        #expect(try Data(contentsOf: fresh.appendingPathComponent(AdapterConfig.fileName))
                == Data(contentsOf: committed.appendingPathComponent(AdapterConfig.fileName)))
        // Tensors: same names, shapes, and values (outputs within float32 product rounding).
        for file in [AdapterFiles.weightsFileName, "expected.safetensors"] {
            let a = try SafetensorsReader.read(contentsOf: fresh.appendingPathComponent(file))
            let b = try SafetensorsReader.read(contentsOf: committed.appendingPathComponent(file))
            #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted(), "\(file)")
            for (name, t) in a.tensors {
                guard let u = b.tensors[name] else { continue }
                #expect(t.shape == u.shape, "\(file) \(name)")
                let difference = zip(t.values, u.values).map { abs($0 - $1) }.max() ?? 0
                #expect(difference <= 1e-5, "\(file) \(name): \(difference)")
            }
        }
        // And it reads back as what was saved (DoRA layers for the DoRA case).
        let loaded = try PEFTWrittenAdapterTests.base().loadingAdapter(from: committed)
        #expect(loaded.adaptedLayers.count == 4)
        #expect(loaded.adaptedLayers.allSatisfy { $0.layer.variant is DoRAVariant<Float> } == (name == "dora"))
    }
}
