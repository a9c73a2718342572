import Foundation
import Testing

/// `llama-adapt` on the package's own checkpoint folder (a transformers LlamaForCausalLM with
/// its tokenizer.json), as a learner would run it on theirs: load, generate, QLoRA at load, a
/// few steps with the memory ledger, the adapter saved; and every bad input named.
@Suite struct LlamaAdaptToolTests {
    static let checkpoint = "Sources/TinyLlama/Checkpoint"

    @Test func loadsGeneratesTrainsAndSavesAQLoRAAdapter() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("llama-adapt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runProduct("llama-adapt", ["--checkpoint", Self.checkpoint, "--prompt", "Captain", "--bos", "--tokens", "12",
                                                 "--method", "qlora", "--targets", "all-linear", "--text", "Sources/Corpus/Text/startrek.train.txt",
                                                 "--steps", "3", "--length", "32", "--out", out.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let text = run.stdout
        #expect(text.contains("LlamaForCausalLM, 1,771,200 parameters"), "\(text)")
        #expect(text.contains("quantized 28 linear layers to NF4"))
        // 4 layers × 7 projections; all-linear leaves the (tied) head out.
        #expect(text.contains("QLoRA r = 8, alpha = 16.00 on 28 layers: 108,544 trainable parameters"), "\(text)")
        #expect(text.contains("memory of a step: weights ") && text.contains("optimizer state"))
        #expect(text.components(separatedBy: "\nstep ").count - 1 == 3, "\(text)")
        #expect(text.contains("greedy: Captain…") && text.contains("greedy after training: Captain…"))
        let config = try String(contentsOf: out.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        #expect(config.contains("\"CAUSAL_LM\"") && config.contains("gate_proj"), "\(config)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("adapter_model.safetensors").path))
    }

    @Test func badArgumentsAreUsageErrors() throws {
        for arguments in [[String](), ["--checkpoint", Self.checkpoint, "--method", "dora"],
                          ["--checkpoint", Self.checkpoint, "--steps", "3"], ["--checkpoint", Self.checkpoint, "--targets", ","],
                          ["--checkpoint", Self.checkpoint, "--out", "/dev/null"], ["--checkpoint", Self.checkpoint, "--rank", "0"]] {
            #expect(try expectUsageError("llama-adapt", arguments), "\(arguments)")
        }
    }

    /// Problems found while running: a message naming what was wrong, exit status 1, no crash.
    @Test func problemsAreNamed() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("llama-adapt-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let noTokenizer = scratch.appendingPathComponent("no-tokenizer")
        try FileManager.default.createDirectory(at: noTokenizer, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: Self.checkpoint + "/" + name, toPath: noTokenizer.appendingPathComponent(name).path)
        }
        let cases: [([String], String)] = [
            (["--checkpoint", scratch.appendingPathComponent("missing").path], "config.json"),
            (["--checkpoint", noTokenizer.path], "no tokenizer.json"),
            (["--checkpoint", Self.checkpoint, "--targets", "nonexistent_proj"], "nonexistent_proj"),
            (["--checkpoint", Self.checkpoint, "--targets", "q_proj,lm_head"], "tie_word_embeddings"),
            (["--checkpoint", Self.checkpoint, "--text", scratch.appendingPathComponent("none.txt").path, "--steps", "2"], "none.txt"),
        ]
        for (arguments, named) in cases {
            let run = try runProduct("llama-adapt", arguments + ["--tokens", "0"])
            #expect(run.status == 1 && run.exitedNormally, "\(arguments): status \(run.status)")
            #expect(run.stderr.hasPrefix("llama-adapt: ") && run.stderr.contains(named), "\(arguments): \(run.stderr)")
        }
    }
}
