import Foundation
import LoRA
import Testing

/// Checkpoint folders written by transformers' `save_pretrained` (Fixtures/llama): one file,
/// sharded BF16, and every refusal naming the tensor or shard.
@Suite struct LlamaCheckpointFileTests {
    static let root = LlamaConfigTests.root

    static func fixture(_ name: String) throws -> LlamaCheckpoint {
        try LlamaCheckpoint.read(from: root.appendingPathComponent(name))
    }

    /// Writes `checkpoint` (without validating it) and reads it back.
    static func roundTrip(_ checkpoint: LlamaCheckpoint) throws -> LlamaCheckpoint {
        let dir = try makeTemporaryDirectory("llama-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        try checkpoint.write(to: dir)
        return try LlamaCheckpoint.read(from: dir)
    }

    @Test func readsSingleFileCheckpoints() throws {
        let tied = try Self.fixture("tied")
        #expect(tied.tensors.count == 1 + 2 * 9 + 1)
        #expect(tied.tensors["lm_head.weight"] == nil)
        #expect(tied.tensors["model.layers.1.self_attn.k_proj.weight"]?.shape == [32, 64])  // 2 KV heads × 16
        let untied = try Self.fixture("untied")
        #expect(untied.tensors.count == 1 + 2 * 9 + 1 + 1)
        #expect(untied.tensors["lm_head.weight"]?.shape == [300, 64])
        #expect(untied.tensors.values.allSatisfy { $0.dtype == .f32 })
    }

    /// The sharded BF16 copy holds torch's round-to-nearest-even bfloat16 of every F32 weight.
    @Test func readsShardedBFloat16() throws {
        let bf16 = try Self.fixture("tied_bf16")
        let f32 = try Self.fixture("tied")
        #expect(Set(bf16.tensors.keys) == Set(f32.tensors.keys))
        func roundedToBF16(_ x: Float) -> Float {
            let bits = x.bitPattern
            let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
            return Float(bitPattern: rounded)
        }
        for (name, t) in bf16.tensors {
            #expect(t.dtype == .bf16, "\(name)")
            #expect(t.values == f32.tensors[name]!.values.map(roundedToBF16), "\(name)")
        }
    }

    /// An F16 copy of `tied`, written by hand (not by the package's writer): every value is
    /// the binary16 rounding of the F32 weight, read back exactly.
    @Test func readsFloat16() throws {
        let f32 = try Self.fixture("tied")
        let names = f32.tensors.keys.sorted()
        var entries: [String] = [], data: [UInt8] = [], offset = 0
        for name in names {
            let t = f32.tensors[name]!
            for v in t.values {
                let bits = Float16(v).bitPattern
                data += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8)]
            }
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(#""\#(name)":{"dtype":"F16","shape":[\#(shape)],"data_offsets":[\#(offset),\#(data.count)]}"#)
            offset = data.count
        }
        let dir = try makeTemporaryDirectory("llama-f16")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("tied/config.json"), to: dir.appendingPathComponent("config.json"))
        try Data(handMadeSafetensors(header: "{" + entries.joined(separator: ",") + "}", data: data))
            .write(to: dir.appendingPathComponent("model.safetensors"))
        let f16 = try LlamaCheckpoint.read(from: dir)
        for name in names {
            #expect(f16.tensors[name]!.dtype == .f16)
            #expect(f16.tensors[name]!.values == f32.tensors[name]!.values.map { Float(Float16($0)) }, "\(name)")
        }
        // And it runs: the F16 weights give logits near the F32 ones.
        let ids = try LlamaCheckpointModelTests.inputIds()
        let a = try TransformerModel<Float>(checkpoint: f16).logits(tokens: ids, sequenceLength: ids.count)
        let b = try TransformerModel<Float>(checkpoint: f32).logits(tokens: ids, sequenceLength: ids.count)
        #expect(a.maxAbsDifference(b) < 0.05)
    }

    @Test func writtenCheckpointReadsBackIdentical() throws {
        for name in ["tied", "untied", "tied_bf16"] {
            let original = try Self.fixture(name)
            let copy = try Self.roundTrip(original)
            #expect(copy.tensors.mapValues(\.values) == original.tensors.mapValues(\.values), "\(name)")
            #expect(copy.tensors.values.allSatisfy { $0.dtype == .f32 })
            var config = original.config
            config.dtype = "float32"
            #expect(copy.config == config, "\(name)")
        }
    }

    @Test func missingShardIsNamed() throws {
        let dir = try makeTemporaryDirectory("llama-shard")
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("ckpt")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("tied_bf16"), to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("model-00002-of-00002.safetensors"))
        let error = try #require(throws: CheckpointError.self) { try LlamaCheckpoint.read(from: copy) }
        #expect(error.kind == .missingShard)
        #expect(error.file == "model-00002-of-00002.safetensors")
        #expect(error.description.contains("model-00002-of-00002.safetensors"))
    }

    @Test func indexNamingAPathOutsideTheFolderIsRefused() throws {
        let dir = try makeTemporaryDirectory("llama-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("ckpt")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("tied_bf16"), to: copy)
        let index = copy.appendingPathComponent(LlamaCheckpoint.indexFileName)
        let text = try String(contentsOf: index, encoding: .utf8)
            .replacingOccurrences(of: "\"model-00001-of-00002.safetensors\"", with: "\"../model-00001-of-00002.safetensors\"")
        try text.write(to: index, atomically: true, encoding: .utf8)
        let error = try #require(throws: CheckpointError.self) { try LlamaCheckpoint.read(from: copy) }
        #expect(error.kind == .corruptFile)
        #expect(error.subject?.hasPrefix("weight_map.") == true, "\(error)")
    }

    @Test func missingUnexpectedAndMisshapenWeightsAreNamed() throws {
        let tied = try Self.fixture("tied")
        let name = "model.layers.1.mlp.up_proj.weight"

        var missing = tied
        missing.tensors[name] = nil
        var error = try #require(throws: CheckpointError.self) { try Self.roundTrip(missing) }
        #expect(error.kind == .missingTensor && error.subject == name, "\(error)")

        var misshapen = tied
        misshapen.tensors[name] = SafetensorsTensor(shape: [64, 128], values: tied.tensors[name]!.values)
        error = try #require(throws: CheckpointError.self) { try Self.roundTrip(misshapen) }
        #expect(error.kind == .shapeMismatch && error.subject == name, "\(error)")
        #expect(error.description.contains("expected [128, 64], found [64, 128]"), "\(error)")

        var extra = tied
        extra.tensors["model.layers.2.mlp.up_proj.weight"] = tied.tensors[name]
        error = try #require(throws: CheckpointError.self) { try Self.roundTrip(extra) }
        #expect(error.kind == .unexpectedTensor && error.subject == "model.layers.2.mlp.up_proj.weight", "\(error)")

        // Tied: an lm_head.weight equal to the embedding is dropped, a different one refused.
        var copied = tied
        copied.tensors["lm_head.weight"] = tied.tensors["model.embed_tokens.weight"]
        #expect(try Self.roundTrip(copied).tensors["lm_head.weight"] == nil)
        var different = tied
        different.tensors["lm_head.weight"] = SafetensorsTensor(shape: [300, 64], values: [Float](repeating: 0, count: 300 * 64))
        error = try #require(throws: CheckpointError.self) { try Self.roundTrip(different) }
        #expect(error.kind == .unexpectedTensor && error.subject == "lm_head.weight", "\(error)")
    }

    @Test func unreadableDTypeIsNamed() throws {
        let dir = try makeTemporaryDirectory("llama-dtype")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("tied/config.json"), to: dir.appendingPathComponent("config.json"))
        let bytes = handMadeSafetensors(header: #"{"model.norm.weight":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#,
                                        data: [0, 0, 0, 0])
        try Data(bytes).write(to: dir.appendingPathComponent("model.safetensors"))
        let error = try #require(throws: CheckpointError.self) { try LlamaCheckpoint.read(from: dir) }
        #expect(error.kind == .unsupportedDType, "\(error)")
        #expect(error.subject == "model.norm.weight", "\(error)")
    }

    @Test func folderWithoutWeightsIsNamed() throws {
        let dir = try makeTemporaryDirectory("llama-empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("tied/config.json"), to: dir.appendingPathComponent("config.json"))
        let error = try #require(throws: CheckpointError.self) { try LlamaCheckpoint.read(from: dir) }
        #expect(error.kind == .io && error.description.contains("model.safetensors.index.json"), "\(error)")
        try Data([0x80, 0x02]).write(to: dir.appendingPathComponent("pytorch_model.bin"))
        let pickled = try #require(throws: CheckpointError.self) { try LlamaCheckpoint.read(from: dir) }
        #expect(pickled.kind == .io && pickled.description.contains("pytorch_model.bin is PyTorch's pickle format"), "\(pickled)")
    }
}
