import Foundation
@testable import LoRA
import Testing

/// Saving over an adapter is killed (SIGKILL, in a child process) after each step of the save;
/// the folder must then load as the complete old adapter or the complete new one.
@Suite struct AdapterSaveCrashTests {
    let q = "layers.0.self_attn.q_proj"

    /// Which adapter `directory` holds now: "old", "new", "interrupted" (a detected mix whose
    /// message names the kept previous weights, which load as the old adapter with the config
    /// beside them), or a description of what went wrong.
    func whichAdapter(in directory: URL, old: [String: LoRALinear<Linear<Float>>], new: [String: LoRALinear<Linear<Float>>]) -> String {
        do {
            let loaded = try AdapterFiles.read(from: directory)
            let a = loaded.factors[q]?.a
            if a == old[q]!.a { return "old" }
            if a == new[q]!.a { return "new" }
            return "neither (factors differ from both)"
        } catch where error.kind == .interruptedSave {
            let previous = directory.appendingPathComponent(".adapter_model.safetensors.lora-previous")
            guard "\(error)".contains(previous.lastPathComponent),
                  let document = try? SafetensorsReader.read(contentsOf: previous),
                  document.tensors[AdapterFiles.tensorName(module: q, factor: .a)]?.values == old[q]!.a.storage else {
                return "interrupted, but the previous weights are not where the message says: \(error)"
            }
            return "interrupted"
        } catch {
            return "unreadable: \(error)"
        }
    }

    /// Files left beside `directory` other than `directory` itself.
    func leftovers(beside directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.deletingLastPathComponent().path)
            .filter { $0 != directory.lastPathComponent }.sorted()
    }

    @Test("a save killed after any step leaves the old adapter, the new one, or a detected interrupted save; the next save clears the leftovers")
    func killedAtEveryStep() async throws {
        let parent = try makeTemporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        let old = try sampleLayers(seed: 3), new = try sampleLayers(seed: 4, alpha: 8)
        #expect(old[q]!.a != new[q]!.a)
        try AdapterFiles.save(old, to: directory)
        try "keep me\n".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        var before = stat()
        stat(directory.path, &before)

        var seen: [String: String] = [:]
        for step in AtomicFolder.Step.allCases {
            await #expect(processExitsWith: .signal(SIGKILL), "killed after \(step)") {
                [directory = directory as URL, step = step.rawValue as String] in
                AtomicFolder.afterStep = { if $0.rawValue == step { kill(getpid(), SIGKILL) } }
                try AdapterFiles.save(try sampleLayers(seed: 4, alpha: 8), to: directory)
            }
            let state = whichAdapter(in: directory, old: old, new: new)
            #expect(["old", "new", "interrupted"].contains(state), "after a kill at \(step): \(state)")
            seen[step.rawValue] = state
            // Put the old adapter back for the next step (this save also sweeps the leftovers).
            if state != "old" { try AdapterFiles.save(old, to: directory) }
        }
        #expect(seen == ["locked": "old", "swept": "old", "firstWritten": "old", "allWritten": "old", "previousKept": "old",
                         "firstInPlace": "interrupted", "allInPlace": "new", "previousRemoved": "new"])

        // Leftovers of killed saves are swept by the next save; other files and the folder itself are kept.
        try AdapterFiles.save(new, to: directory)
        #expect(whichAdapter(in: directory, old: old, new: new) == "new")
        #expect(try leftovers(beside: directory) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["README.md", "adapter_config.json", "adapter_model.safetensors"])
        #expect(try String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8) == "keep me\n")
        var after = stat()
        stat(directory.path, &after)
        #expect(after.st_ino == before.st_ino && after.st_dev == before.st_dev, "the folder is the same folder")
    }

    @Test("many killed saves do not pile up temporary entries")
    func killedSavesDoNotPileUp() async throws {
        let parent = try makeTemporaryDirectory("pile")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        for _ in 0..<6 {
            await #expect(processExitsWith: .signal(SIGKILL)) { [directory = directory as URL] in
                AtomicFolder.afterStep = { if $0 == .allWritten { kill(getpid(), SIGKILL) } }
                try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
            }
        }
        // Each killed save left at most its own two temporaries: the earlier ones were swept.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count <= 4)
        try AdapterFiles.save(try sampleLayers(seed: 5), to: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["adapter_config.json", "adapter_model.safetensors"])
        #expect(try leftovers(beside: directory) == [])
    }

    @Test("a single-file atomic write sweeps the temporary files of killed writers")
    func atomicFileSweepsStaleTemporaries() throws {
        let dir = try makeTemporaryDirectory("atomic-file")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A process id that cannot be running: above the kernel's maximum.
        let stale = dir.appendingPathComponent(".manifest.json.tmp-2147483646-1")
        try Data("partial".utf8).write(to: stale)
        let foreign = dir.appendingPathComponent(".other.json.tmp-2147483646-1")
        try Data("not ours".utf8).write(to: foreign)
        try AtomicFile.write(Array("{}\n".utf8), to: dir.appendingPathComponent("manifest.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [".other.json.tmp-2147483646-1", "manifest.json"])
    }
}
