import Foundation
import LoRA
import SafetensorsInteropSupport
import Testing

/// Files written by Hugging Face's `safetensors` 0.8 (committed fixtures, regenerated with
/// `python3 Tests/interop/check_safetensors.py fixtures Tests/LoRATests/Fixtures`).
@Suite struct SafetensorsInteropTests {
    @Test func filesWrittenByTheRealLibraryReadBitExactly() throws {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let (mismatches, checked) = SafetensorsInterop.checkFixtures(in: directory)
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(checked == 16)  // mixed 5 + reordered 5 + bf16 2 + peft_adapter 4
    }

    @Test func sampleAdapterAndManifestAgree() throws {
        let dir = try makeTemporaryDirectory("interop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let layers = try SafetensorsInterop.writeSample(to: dir)
        let manifest = try JSONDecoder().decode(SafetensorsManifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        #expect(manifest.tensors.count == 4)
        let qB = try #require(manifest.tensors.first { $0.name == "base_model.model.layers.0.self_attn.q_proj.lora_B.weight" })
        let b = layers["layers.0.self_attn.q_proj"]!.b.storage
        #expect(qB.shape == [6, 2] && qB.count == 12)
        #expect(qB.first.map { Float($0)! } == Array(b.prefix(4)))
        #expect(Double(qB.sum)! == b.reduce(0.0) { $0 + Double($1) })
    }

    @Test func modelSampleIsAModelProducedAdapterWithPEFTNames() throws {
        let dir = try makeTemporaryDirectory("interop-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try SafetensorsInterop.writeModelSample(to: dir)
        let manifest = try JSONDecoder().decode(SafetensorsManifest.self, from: Data(contentsOf: dir.appendingPathComponent("model_manifest.json")))
        #expect(manifest.tensors.count == 16)  // 2 layers × q, k, v, o × A, B
        let qA = try #require(manifest.tensors.first { $0.name == "base_model.model.layers.0.self_attn.q_proj.lora_A.weight" })
        #expect(qA.shape == [4, 16])
        #expect(qA.first.map { Float($0)! } == Array(model.loraLayers["layers.0.self_attn.q_proj"]!.a.storage.prefix(4)))
        let oB = try #require(manifest.tensors.first { $0.name == "base_model.model.layers.1.self_attn.o_proj.lora_B.weight" })
        #expect(oB.shape == [16, 4] && Double(oB.sum)! != 0)  // trained: B moved off zero
        // The directory loads back onto the same base with identical logits.
        let reloaded = try SafetensorsInterop.modelSampleBase().loadingAdapter(from: dir.appendingPathComponent("model_adapter"))
        var g = SeededGenerator(seed: 3)
        let batch = TaskSuite(alphabetSize: 12, length: 4).reverse.batch(size: 4, using: &g)
        #expect(reloaded.logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength)
                == model.logits(tokens: batch.tokens, sequenceLength: batch.sequenceLength))
    }
}
