import Foundation
import LoRA
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
}
