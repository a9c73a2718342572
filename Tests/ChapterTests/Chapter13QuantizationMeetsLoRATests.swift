import Foundation
import Notebook
import Testing

enum Chapter13Run {
    static let result = OnceRun { try? runProduct("ch13-quantization-meets-lora", ["--steps", "60", "--seeds", "3"]) }
}

@Suite struct Chapter13Tests {
    @Test func nf4CostAndRecovery() async throws {
        let run = try #require(await Chapter13Run.result.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let cost = tableRows(after: "loss increase  token accuracy", in: out)
        #expect(cost.count == 9, "\(cost)")
        let float = try #require(cost.first.flatMap { Double($0[1]) })
        for row in cost.dropFirst() {
            // Each row's increase is its loss minus the float model's (printed at 4 decimals).
            let loss = try #require(Double(row[1])), increase = try #require(Double(row[2]))
            #expect(abs(loss - float - increase) <= 1.5e-4, "\(row)")
            let error = try #require(Double(row.last!))
            #expect(error > 0.05 && error < 0.15, "NF4's relative weight error \(error)")
        }
        #expect(cost.map(\.first!).contains("NF4 + DQ, down_proj only"))
        // The recovery verdict lines exist and their margin is a quarter of the printed cost.
        let costLine = try #require(out.split(separator: "\n").first { $0.hasPrefix("NF4 cost ") })
        let lost = try #require(number(after: "NF4 cost", in: String(costLine)))
        let margin = try #require(number(after: "margin ±", in: out))
        #expect(abs(margin - lost / 4) <= 1e-4)
        #expect(out.contains("held-out loss: ") && out.contains("the float32 control"))
    }

    /// LoftQ: the error falls with T, starts below plain NF4's, and the files say init_lora_weights = true.
    @Test func loftqErrorsAndFiles() async throws {
        let run = try #require(await Chapter13Run.result.value)
        let out = run.stdout
        let rows = tableRows(after: "‖W − Q − sBA‖_F (4 layers)", in: out)
        #expect(rows.count == 6)
        let errors = rows.compactMap { Double($0[1]) }
        #expect(errors.count == 6 && errors[1] < errors[0], "\(errors)")
        #expect(zip(errors.dropFirst(), errors.dropFirst(2)).allSatisfy { $1 <= $0 + 1e-4 }, "non-increasing with T: \(errors)")
        #expect(out.contains("saved adapter: adapter_model.safetensors (8 tensors) + adapter_config.json with init_lora_weights = true, r = 8, lora_alpha = 16"))
        let codes = try #require(number(after: "that differ from NF4(W):", in: out))
        #expect(codes > 0 && codes < 50)
    }

    /// Merge 1 is the trained model up to rounding; the table names each merge's PEFT /
    /// transformers call (merge 1 dequantizes first; `merge_and_unload()` on the 4-bit model is
    /// merge 3, because PEFT's `Linear4bit.merge` re-quantizes); every verdict is paired and
    /// follows from its interval.
    @Test func mergesAndPairedVerdicts() async throws {
        let run = try #require(await Chapter13Run.result.value)
        let out = run.stdout
        let merges = tableRows(after: "max |logit − unmerged|", in: out)
        #expect(merges.count == 4)
        let faithful = try #require(merges.first { $0[0].hasPrefix("1.") })
        #expect(try #require(Double(faithful.last!)) <= 1e-4, "\(faithful)")
        #expect(faithful[1].hasPrefix("model.dequantize()") && faithful[1].contains("dequantize_bnb_weight"), "\(faithful)")
        let requantized = try #require(merges.first { $0[0].hasPrefix("3.") })
        #expect(requantized[1].hasPrefix("merge_and_unload() on the 4-bit model") && requantized[1].contains("re-quantizes"), "\(requantized)")
        // Every verdict is paired by seed (2 recovery, 2 LoftQ, 3 merges), and says so.
        let lines = out.split(separator: "\n").filter { $0.contains("95% CI [") && $0.contains("; margin ") }
        #expect(lines.count == 7 && lines.allSatisfy { $0.contains("paired by seed; margin") }, "\(lines)")
        let saturated = lines.filter { $0.contains("cannot compare") }.count
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked + saturated == 7 && verdicts.wrong.isEmpty, "\(verdicts)")
        #expect(!out.contains("\u{1E}"))
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--seeds", "1"], ["--steps", "x"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch13-quantization-meets-lora", arguments), "\(arguments)")
        }
    }
}
