import Foundation
import Testing

/// Chapters 16 and 17 run once per test process: 16 at its defaults with a prompt of the
/// reader's, 17 short (its defaults run in the docs check, whose page PageVerdictTests reads).
enum RealTextRuns {
    static let ch16 = OnceRun { try? runProduct("ch16-a-tiny-llama", ["--prompt", "To be or not"]) }
    static let out = FileManager.default.temporaryDirectory.appendingPathComponent("ch17-out-\(UUID().uuidString)")
    static let ch17 = OnceRun { try? runProduct("ch17-a-new-voice", ["--steps", "6", "--seeds", "2", "--prompt", "Kirk", "--out", out.path]) }
}

@Suite struct Chapter16Tests {
    @Test func baselinesVerdictAndSamples() async throws {
        let run = try #require(await RealTextRuns.ch16.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // The vocabulary adds up: 1 special + 256 bytes + the merges.
        let vocabulary = try #require(out.split(separator: "\n").first { $0.hasPrefix("vocabulary: ") })
        let numbers = vocabulary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 4 && numbers[0] == numbers[1] + numbers[2] + numbers[3], "\(vocabulary)")
        // Byte n-grams of every order, then the model; higher orders than 1 beat the unigram.
        let rows = tableRows(after: "validation bits/byte", in: out)
        #expect(rows.count == 8, "\(rows)")
        let unigram = try #require(rows.first { $0[0].hasPrefix("byte 1-gram") }.flatMap { Double($0.last!) })
        let model = try #require(rows.last.flatMap { Double($0.last!) })
        #expect(rows.last![0].hasPrefix("tiny LLaMA"))
        #expect(model < unigram && model > 0.5, "model \(model), unigram \(unigram)")
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked == 1 && verdicts.wrong.isEmpty, "\(verdicts)")
        #expect(out.contains("paired by document"))
        // The reader's prompt is continued three ways, like the fixed ones.
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let prompt = try #require(lines.firstIndex(of: "prompt: To be or not"))
        #expect(lines[prompt + 1].hasPrefix("  greedy") && lines[prompt + 2].hasPrefix("  seed 1") && lines[prompt + 3].hasPrefix("  seed 2"))
        #expect(lines.filter { $0.hasPrefix("prompt: ") }.count == 4)
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--tokens", "0"], ["--tokens", "500"], ["--bogus"], ["--prompt"]] {
            #expect(try expectUsageError("ch16-a-tiny-llama", arguments), "\(arguments)")
        }
    }
}

@Suite struct Chapter17Tests {
    @Test func methodsForgettingMergingServingAndFiles() async throws {
        let run = try #require(await RealTextRuns.ch17.value)
        defer { try? FileManager.default.removeItem(at: RealTextRuns.out) }
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let rows = tableRows(after: "startrek test bits/byte", in: out)
        #expect(rows.map(\.first!) == ["full fine-tuning", "LoRA q,v r=8", "LoRA all-linear r=8", "QLoRA all-linear r=8",
                                       "rsLoRA all-linear r=32", "pre-trained, not adapted"], "\(rows)")
        // LoRA's trainable count, from the shapes: q (192 → 192) and v (192 → 64, two KV heads of 32)
        // in 4 layers at r = 8: 4 · 8 · ((192 + 192) + (192 + 64)).
        #expect(rows[1][1].hasPrefix("20,480 "), "\(rows[1])")
        #expect(rows[0][1].hasPrefix("1,771,200 "), "\(rows[0])")
        // Equal rank on fewer layers; counts from the shapes, 4 layers at r = 8: attention
        // q, o (192 → 192) and k, v (192 → 64); MLP gate, up (192 → 512) and down (512 → 192).
        let targets = tableRows(after: "targets (r = 8)", in: out)
        #expect(targets.map(\.first!) == ["LoRA q,v r=8", "LoRA attention r=8", "LoRA MLP r=8", "LoRA all-linear r=8"], "\(targets)")
        #expect(targets.map { $0[1] } == ["20,480", "40,960", "67,584", "108,544"], "\(targets)")
        #expect(4 * 8 * (2 * (192 + 192) + 2 * (192 + 64)) == 40_960 && 4 * 8 * 3 * (192 + 512) == 67_584)
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked == 13 && verdicts.wrong.isEmpty, "\(verdicts)")
        // Merging changes the logits by rounding only; one mixed batch equals each adapter alone.
        let merged = try #require(number(after: "merged vs unmerged over the test windows:", in: out))
        #expect(merged < 1e-3)
        let mixed = try #require(number(after: "against each adapter alone: largest |logit difference|", in: out))
        #expect(mixed <= 1e-5)
        // Both voices decoded in one batch, each row the text of its adapter alone.
        #expect(out.contains("4 rows generated together (one pass per token): each the same text as its adapter generating alone"))
        #expect(out.contains("prompt: Kirk"))
        // --out wrote a PEFT adapter folder.
        let folder = RealTextRuns.out.appendingPathComponent("startrek-adapter")
        let config = try String(contentsOf: folder.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        #expect(config.contains("\"CAUSAL_LM\"") && config.contains("\"LORA\""), "\(config)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("adapter_model.safetensors").path))
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--seeds", "1"], ["--steps", "0"], ["--out", "/dev/null"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch17-a-new-voice", arguments), "\(arguments)")
        }
    }
}
