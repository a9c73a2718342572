import Foundation
@testable import LoRA
import Testing

/// Saving over an adapter is killed (SIGKILL, in a child process) after each step of the save;
/// the folder must then load as the complete old adapter or the complete new one.
@Suite struct AdapterSaveCrashTests {
    let q = "layers.0.self_attn.q_proj"

    /// Which adapter `directory` holds now: "old", "new", or a description of what went wrong.
    func whichAdapter(in directory: URL, old: [String: LoRALinear<Linear<Float>>], new: [String: LoRALinear<Linear<Float>>]) -> String {
        do {
            let loaded = try AdapterFiles.read(from: directory)
            let a = loaded.factors[q]?.a
            if a == old[q]!.a { return "old" }
            if a == new[q]!.a { return "new" }
            return "neither (factors differ from both)"
        } catch {
            return "unreadable: \(error)"
        }
    }

    /// Files left beside `directory` other than `directory` itself.
    func leftovers(beside directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.deletingLastPathComponent().path)
            .filter { $0 != directory.lastPathComponent }.sorted()
    }

    @Test("a save killed after any step leaves the old or the new adapter, and the next save clears the leftovers",
          arguments: [false, true])
    func killedAtEveryStep(asideStrategy: Bool) async throws {
        let parent = try makeTemporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        let old = try sampleLayers(seed: 3), new = try sampleLayers(seed: 4)
        #expect(old[q]!.a != new[q]!.a)
        try AdapterFiles.save(old, to: directory)
        try "keep me\n".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)

        let steps = AtomicFolder.Step.allCases.filter { asideStrategy || $0 != .oldMovedAside }
        var seen: Set<String> = []
        for step in steps {
            await #expect(processExitsWith: .signal(SIGKILL), "killed after \(step)") {
                [directory = directory as URL, step = step.rawValue as String, aside = asideStrategy as Bool] in
                if aside { AtomicFolder.forcedStrategy = .aside }
                AtomicFolder.afterStep = { if $0.rawValue == step { kill(getpid(), SIGKILL) } }
                try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
            }
            let state = whichAdapter(in: directory, old: old, new: new)
            #expect(state == "old" || state == "new", "after a kill at \(step): \(state)")
            seen.insert(state)
            // Put the old adapter back for the next step (this save also sweeps the leftovers).
            if state == "new" { try AdapterFiles.save(old, to: directory) }
        }
        #expect(seen == ["old", "new"], "the kills should fall both before and after the swap")

        // Leftovers of killed saves are swept by the next save; other files are kept.
        try AdapterFiles.save(new, to: directory)
        #expect(whichAdapter(in: directory, old: old, new: new) == "new")
        #expect(try leftovers(beside: directory) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["README.md", "adapter_config.json", "adapter_model.safetensors"])
        #expect(try String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8) == "keep me\n")
    }

    @Test("many killed saves do not pile up temporary entries")
    func killedSavesDoNotPileUp() async throws {
        let parent = try makeTemporaryDirectory("pile")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        for _ in 0..<6 {
            await #expect(processExitsWith: .signal(SIGKILL)) { [directory = directory as URL] in
                AtomicFolder.afterStep = { if $0 == .configWritten { kill(getpid(), SIGKILL) } }
                try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
            }
        }
        // Each killed save left at most its own temporary folder: the earlier ones were swept.
        #expect(try leftovers(beside: directory).count <= 1)
        try AdapterFiles.save(try sampleLayers(seed: 5), to: directory)
        #expect(try leftovers(beside: directory) == [])
    }

    @Test("a folder moved aside by a killed save is read from there, and moved back by the next save")
    func asideFolderIsRecovered() async throws {
        let parent = try makeTemporaryDirectory("aside")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        let old = try sampleLayers(seed: 3), new = try sampleLayers(seed: 4)
        try AdapterFiles.save(old, to: directory)
        await #expect(processExitsWith: .signal(SIGKILL)) { [directory = directory as URL] in
            AtomicFolder.forcedStrategy = .aside
            AtomicFolder.afterStep = { if $0 == .oldMovedAside { kill(getpid(), SIGKILL) } }
            try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path), "the kill fell between the two renames")
        #expect(whichAdapter(in: directory, old: old, new: new) == "old")
        try AdapterFiles.save(new, to: directory)
        #expect(whichAdapter(in: directory, old: old, new: new) == "new")
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
