import Foundation
import LoRA
import Testing

/// Each broken adapter directory must be refused with a message naming the file and the
/// problem, and must leave the destination layers exactly as they were.
@Suite final class AdapterLoadErrorTests {
    let q = "layers.0.self_attn.q_proj"
    /// The folder of the last `loadError` call (messages name files by their full path in it).
    var lastDirectory: URL?
    func weightsPath() -> String { lastDirectory!.appendingPathComponent(AdapterFiles.weightsFileName).path }
    let v = "layers.0.self_attn.v_proj"

    /// Saves `sampleLayers()`, lets `edit` change the files, then loads into fresh layers.
    func loadError(_ edit: (URL, inout SafetensorsDocument, inout AdapterConfig) throws -> Void,
                   into destination: [String: LoRALinear<Linear<Float>>]? = nil) throws -> AdapterError? {
        let dir = try makeTemporaryDirectory("bad-adapter")
        lastDirectory = dir
        defer { try? FileManager.default.removeItem(at: dir) }
        let layers = try sampleLayers(seed: 3)
        var config = try AdapterFiles.save(layers, to: dir)
        let weights = dir.appendingPathComponent(AdapterFiles.weightsFileName)
        var document = try SafetensorsReader.read(contentsOf: weights)
        try edit(dir, &document, &config)
        if FileManager.default.fileExists(atPath: weights.path) == true,
           (try? SafetensorsReader.read(contentsOf: weights)) != nil {
            try SafetensorsWriter.write(document, to: weights)
        }
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        var target = try destination ?? sampleLayers(seed: 8)
        let before = target
        do throws(AdapterError) {
            try AdapterFiles.load(from: dir, into: &target)
            return nil
        } catch {
            for key in before.keys {
                #expect(target[key]!.a == before[key]!.a && target[key]!.b == before[key]!.b, "destination changed by a failed load")
            }
            return error
        }
    }

    func name(_ module: String, _ f: LoRAFactor) -> String { AdapterFiles.tensorName(module: module, factor: f) }

    @Test func missingTensor() throws {
        let e = try #require(try loadError { _, doc, _ in doc.tensors[name(v, .b)] = nil })
        #expect(e.kind == .missingTensor && e.subject == name(v, .b))
        #expect(e.description.hasPrefix("adapter file '\(weightsPath())', tensor 'base_model.model.layers.0.self_attn.v_proj.lora_B.weight'"))
        // A whole module missing from the file, while the destination has it.
        let e2 = try #require(try loadError { _, doc, config in
            doc.tensors[name(v, .a)] = nil; doc.tensors[name(v, .b)] = nil
            config.targetModules = .names([q])
        })
        #expect(e2.kind == .missingTensor && e2.subject == name(v, .a))
    }

    @Test func unexpectedTensor() throws {
        let extra = try #require(try loadError { _, doc, _ in
            doc.tensors["base_model.model.lm_head.weight"] = SafetensorsTensor(shape: [1], values: [0])
        })
        #expect(extra.kind == .unexpectedTensor && extra.subject == "base_model.model.lm_head.weight")
        // A module the destination does not have.
        var only = try sampleLayers(seed: 8)
        only[v] = nil
        let e = try #require(try loadError({ _, _, _ in }, into: only))
        #expect(e.kind == .unexpectedTensor && e.subject == name(v, .a))
    }

    @Test func wrongShapeNamesTensorAndBothShapes() throws {
        let e = try #require(try loadError { _, doc, _ in
            doc.tensors[name(q, .a)] = SafetensorsTensor(shape: [2, 7], values: Array(repeating: 0.5, count: 14))
        })
        #expect(e.kind == .shapeMismatch)
        #expect(e.description == "adapter file '\(weightsPath())', tensor '\(name(q, .a))': wrong shape for layer '\(q)': expected [2, 8], found [2, 7]")
        // The last module (sorted) is the bad one: a loader that wrote layer by layer would
        // already have changed q_proj; `loadError` checks that nothing changed.
        let late = try #require(try loadError { _, doc, _ in
            doc.tensors[name(v, .b)] = SafetensorsTensor(shape: [5, 2], values: Array(repeating: 1, count: 10))
        })
        #expect(late.kind == .shapeMismatch && late.expected == "[4, 2]" && late.found == "[5, 2]")
        let flat = try #require(try loadError { _, doc, _ in doc.tensors[name(q, .b)] = SafetensorsTensor(shape: [12], values: Array(repeating: 1, count: 12)) })
        #expect(flat.kind == .shapeMismatch && flat.found == "[12]")
    }

    @Test func wrongDType() throws {
        // Re-encode one tensor as F16 by hand: its bytes are valid, its dtype is not accepted as F32.
        let dir = try makeTemporaryDirectory("dtype")
        defer { try? FileManager.default.removeItem(at: dir) }
        try AdapterFiles.save(try sampleLayers(), to: dir)
        let header = #"{"base_model.model.x.lora_A.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"base_model.model.x.lora_B.weight":{"dtype":"I32","shape":[2,2],"data_offsets":[8,24]}}"#
        try Data(handMadeSafetensors(header: header, data: Array(repeating: 0, count: 24)))
            .write(to: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        do { _ = try AdapterFiles.read(from: dir); Issue.record("I32 accepted") } catch {
            #expect(error.kind == .dtypeMismatch && error.subject == "base_model.model.x.lora_B.weight" && error.found == "\"I32\"")
        }
        let half = #"{"base_model.model.x.lora_A.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"base_model.model.x.lora_B.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]}}"#
        try Data(handMadeSafetensors(header: half, data: Array(repeating: 0, count: 16)))
            .write(to: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        do { _ = try AdapterFiles.read(from: dir, dtypes: [.f32]); Issue.record("F16 accepted") } catch {
            #expect(error.kind == .dtypeMismatch && error.expected == "F32" && error.found == "F16")
        }
    }

    @Test func truncatedOrCorruptFile() throws {
        for cut in [3, 40, 200, -1] {
            let e = try #require(try loadError { dir, _, _ in
                let url = dir.appendingPathComponent(AdapterFiles.weightsFileName)
                let bytes = try Data(contentsOf: url)
                try bytes.prefix(cut < 0 ? bytes.count - 1 : cut).write(to: url)
            })
            #expect(e.kind == .corruptFile, "\(e)")
            #expect(e.description.hasPrefix("adapter file '\(weightsPath())'"))
        }
        let gone = try #require(try loadError { dir, _, _ in
            try FileManager.default.removeItem(at: dir.appendingPathComponent(AdapterFiles.weightsFileName))
        })
        #expect(gone.kind == .io)
    }

    @Test func rankInConfigDisagreesWithTensors() throws {
        let e = try #require(try loadError { _, _, config in config.r = 4 })
        #expect(e.kind == .rankMismatch)
        #expect(e.expected == "r = 4 (shape [4, in])" && e.found == "r = 2 (shape [2, 8])")
    }

    @Test func targetListDisagreesWithTensors() throws {
        let untargeted = try #require(try loadError { _, _, config in config.targetModules = .names(["q_proj"]) })
        #expect(untargeted.kind == .targetMismatch && untargeted.problem.contains(v))
        let absent = try #require(try loadError { _, _, config in config.targetModules = .names([q, v, "k_proj"]) })
        #expect(absent.kind == .targetMismatch && absent.problem.contains("'k_proj'"))
        let excluded = try #require(try loadError { _, _, config in config.excludeModules = .pattern(".*v_proj") })
        #expect(excluded.kind == .targetMismatch && excluded.subject == "exclude_modules")
        // Suffix and regex forms that do cover the file load fine.
        #expect(try loadError { _, _, config in config.targetModules = .names(["q_proj", "v_proj"]) } == nil)
        #expect(try loadError { _, _, config in config.targetModules = .pattern(#".*\.(q|v)_proj"#) } == nil)
    }

    @Test func mergedDestinationIsRefused() throws {
        var layers = try sampleLayers(seed: 8)
        _ = try layers[q]!.merge()
        let e = try #require(try loadError({ _, _, _ in }, into: layers))
        #expect(e.kind == .inconsistentLayers && e.subject == q)
    }

    /// PEFT has rank_pattern and alpha_pattern but one dropout per config.
    @Test func layersWithDifferentDropoutCannotShareOneConfig() throws {
        var layers = try sampleLayers(seed: 1)
        var rng = SeededGenerator(seed: 2)
        let other = try sampleLayers(seed: 2)[q]!
        layers["other"] = try LoRALinear(base: other.base, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4, dropout: 0.2), using: &rng)
        let dir = try makeTemporaryDirectory("mixed")
        defer { try? FileManager.default.removeItem(at: dir) }
        do { try AdapterFiles.save(layers, to: dir); Issue.record("mixed dropout saved") } catch {
            #expect(error.kind == .inconsistentLayers && error.subject == "other")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
