import Foundation
import Testing

/// Chapter 18 runs once per test process at its defaults, once with other knobs.
enum LlamaBlockRuns {
    static let defaults = OnceRun { try? runProduct("ch18-inside-the-llama-block") }
    static let knobs = OnceRun { try? runProduct("ch18-inside-the-llama-block", ["--position", "0", "--rank", "4", "--tokens", "5", "--prompt", "Never trust"]) }
}

@Suite struct Chapter18Tests {
    /// The first line of `out` containing `label`, as a Substring.
    func line(_ label: String, in out: String) throws -> Substring {
        try #require(out.split(separator: "\n").first { $0.contains(label) }, "no line with '\(label)'")
    }

    /// "2.00 KiB", "1.25 GiB", "512 B" → bytes.
    func byteCount(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count >= 2, let value = Double(parts[0]) else { return nil }
        let unit: [Substring: Double] = ["B": 1, "bytes": 1, "KiB": 1024, "MiB": 1024 * 1024, "GiB": 1024 * 1024 * 1024]
        return unit[parts[1]].map { value * $0 }
    }

    @Test func ropeSwiGLUAttentionCountsCacheAndAdapter() async throws {
        let run = try #require(await LlamaBlockRuns.defaults.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // RoPE by hand equals the library, keeps the length, and scores depend on the offset only.
        #expect(try number(after: "max |difference|", in: line("library RotaryEmbedding:", in: out)).map { $0 <= 1e-12 } == true)
        let lengths = try line("length |x| = ", in: out)
        #expect(number(after: "length |x| = ", in: lengths) == number(after: "|rope(x)| = ", in: lengths), "\(lengths)")
        let relative = try #require(number(after: "largest difference over all offsets:", in: line("largest difference over all offsets:", in: out)))
        #expect(relative < 1e-12)
        let offsets = tableRows(after: "offset m − n", in: out)
        #expect(offsets.count == 5 && Set(offsets.map { $0[1] }).count == 5, "the scores change with the offset: \(offsets)")
        #expect(try number(after: "unpermute(halves(permute(q)))| =", in: line("neighbours(q)", in: out)).map { $0 <= 1e-12 } == true)
        // SwiGLU by hand in Double against the library in Float.
        let swiglu = try #require(number(after: "outputs:", in: line("max |by hand − library|", in: out)))
        #expect(swiglu < 1e-4)
        #expect(out.contains("rounded up to a multiple of 256 = 11,008; ModelSpec.llama7B: 11,008"))
        // GQA: heads 0–2 share key/value head 0; shared equals repeated heads.
        #expect(out.contains("key/value head 0 ← query heads 0, 1, 2") && out.contains("key/value head 1 ← query heads 3, 4, 5"))
        #expect(try number(after: "(repeat_kv): max |difference|", in: line("repeat_kv", in: out)).map { $0 <= 1e-6 } == true)
        // Cache bytes per token = 2 · L · KV · d_h · bytes per number (Float for the tiny model, 16-bit otherwise).
        let gqa = tableRows(after: "k_proj + v_proj per block", in: out)
        #expect(gqa.map(\.first!) == ["tiny LLaMA (chapter 16)", "LLaMA-2-7B", "LLaMA-2-70B", "LLaMA-3-8B"], "\(gqa)")
        for row in gqa {
            let (layers, kv, dh) = (Double(row[1])!, Double(row[3])!, Double(row[4])!)
            let perNumber: Double = row[0].hasPrefix("tiny") ? 4 : 2
            #expect(byteCount(row[7]) == 2 * layers * kv * dh * perNumber, "\(row)")
            let heads = Double(row[2])!
            #expect(byteCount(row[8]) == 2 * layers * heads * dh * perNumber, "\(row)")
        }
        // Counts: the configuration reproduces chapter 08's LLaMA-7B and -65B and the loaded model.
        let counts = tableRows(after: "configuration.parameterCount", in: out)
        #expect(counts.count == 5, "\(counts)")
        #expect(counts.prefix(2).allSatisfy { $0.last == "yes" && $0[1] == $0[2] }, "\(counts)")
        #expect(counts[0][1] == "6,738,415,616")
        #expect(out.contains("tiny LLaMA: configuration.parameterCount 1,771,200, the loaded model's parameters 1,771,200: equal"))
        // Cached decoding: the same tokens and (up to rounding) the same logits.
        #expect(out.contains("the same tokens without the cache: yes"))
        #expect(try number(after: "cached vs uncached: max |difference|", in: line("cached vs uncached", in: out)).map { $0 <= 1e-5 } == true)
        // Rows through the projections: the uncached run feeds P, P + 1, …, P + n − 1 rows; the cached one P, then 1 per step.
        let rows = try line("token rows through the projections for", in: out)
        let n = try #require(number(after: "projections for", in: rows).map(Int.init))
        let total = try #require(number(after: "cache after", in: line("cache after", in: out)).map(Int.init))
        let p = total - n
        #expect(number(after: "tokens:", in: rows).map(Int.init) == n * p + n * (n - 1) / 2, "\(rows)")
        #expect(number(after: "without the cache,", in: rows).map(Int.init) == p + n - 1, "\(rows)")
        // LoRA on q, v at r = 8: 4 layers · 8 · ((192 + 192) + (192 + 64)), as chapter 17 counts it.
        #expect(out.contains("trainable 20,480 of "))
        #expect(out.contains("= 20,480"))
        #expect(try number(after: "vs without: max |difference|", in: line("fresh adapter", in: out)) == 0)
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func knobsChangeTheNumbers() async throws {
        let run = try #require(await LlamaBlockRuns.knobs.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // Position 0 turns nothing: the rotated vector is x.
        let xLine = try line("x                    [", in: out), rotatedLine = try line("x·cos + rot(x)·sin   [", in: out)
        #expect(xLine.split(separator: "[").last == rotatedLine.split(separator: "[").last, "\(xLine) / \(rotatedLine)")
        #expect(out.contains("prompt: Never trust"))
        #expect(out.contains("trainable 10,240 of "))
    }

    @Test func badKnobsExitTwo() throws {
        let long = String(repeating: "word ", count: 200)
        for arguments in [["--rank", "0"], ["--tokens", "0"], ["--tokens", "101"], ["--position", "-1"], ["--bogus"], ["--prompt"], ["--prompt", long]] {
            #expect(try expectUsageError("ch18-inside-the-llama-block", arguments), "\(arguments.prefix(1))")
        }
    }
}
