import Foundation
import Testing

@Suite struct Chapter12Tests {
    @Test func trainsSavesReloadsIdenticallyAndRefusesTamperedCopies() throws {
        let run = try runProduct("ch12-best-practice")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // The recommended config as JSON, read back with s = 2.
        #expect(out.contains("\"lora_alpha\" : 32") && out.contains("\"r\" : 16") && out.contains("\"task_type\" : \"CAUSAL_LM\""))
        #expect(out.contains("read back: r = 16, α = 32, s = α/r = 2.00, dropout = 0.05"))
        // Erratum 5: the seed's spelling matches nothing; all-linear leaves out lm_head.
        #expect(out.contains("[\"all_linear\"] → error: target modules [\"all_linear\"] not found in the base model"))
        #expect(out.contains("\"all-linear\" → 12 modules"))
        // Fine-tuning works: the base cannot do the task, the adapter can.
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("exact match on 'reverse': base") })
        let base = try #require(number(after: "base", in: String(line)))
        let adapted = try #require(number(after: "with the adapter", in: String(line)))
        #expect(base < 10 && adapted > 90, "\(line)")
        // PEFT names and shapes, and the file's byte count adds up.
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix("base_model.model.layers.0.self_attn.q_proj.lora_A.weight") })
        #expect(row.contains("F32") && row.contains("(16, 64)") && row.contains("4,096"), "\(row)")
        #expect(out.contains("base_model.model.layers.1.self_attn.o_proj.lora_B.weight  F32    (64, 16)"))
        #expect(!out.contains("mlp.up_proj.lora_A"))
        // Identical outputs after reload; the base alone differs.
        #expect(out.contains("reloaded vs trained logits: max |difference| = 0.0 over"))
        let baseDifference = try #require(number(after: "base (no adapter) vs trained logits: max |difference|", in: out))
        #expect(baseDifference > 0.1)
        // Strict loading: both refusals printed, the model untouched both times.
        #expect(out.contains("r = 8 in the config: refused (rankMismatch)"))
        #expect(out.contains("rank disagrees with adapter_config.json: expected r = 8"))
        #expect(out.contains("truncated weights file: refused (corruptFile)"))
        #expect(out.components(separatedBy: "model untouched: max |difference| of its logits = 0.0").count == 3)
        #expect(out.contains("target_modules [\"all_linear\"]: refused (targetMismatch)"))
        #expect(!out.contains("(unexpected)"))
        // Paths stay relative: nothing from the temporary directory is printed.
        #expect(!out.contains(FileManager.default.temporaryDirectory.path + "/ch12-"))
    }

    @Test func outKeepsTheAdapterDirectory() throws {
        let dir = try Products.temporaryDirectory("ch12-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("kept")
        let run = try runProduct("ch12-best-practice", ["--out", target.path, "--pretrain-steps", "5", "--steps", "3", "--task", "shift5"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("saved into \(target.path):"))
        let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
        #expect(files == ["adapter_config.json", "adapter_model.safetensors"])
        let config = try String(contentsOf: target.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        #expect(config.contains("\"layers.1.self_attn.v_proj\"") && config.contains("\"lora_dropout\" : 0.05"))
    }

    @Test func badKnobsExitWithUsage() throws {
        for arguments in [["--task", "copy"], ["--steps", "0"], ["--lr", "abc"], ["--out"], ["--pretrain-steps", "-1"]] {
            #expect(try expectUsageError("ch12-best-practice", arguments), "\(arguments)")
        }
    }
}
