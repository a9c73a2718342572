import Foundation
import Notebook
import Testing

enum Chapter13Run {
    static let result: Finished? = try? runProduct("ch13-quantization-meets-lora", ["--steps", "60", "--seeds", "3"])
}

/// The verdict the rule gives an interval d ± h with equivalence margin m.
func verdictWord(_ d: Double, _ h: Double, margin m: Double) -> Comparison {
    if d - h > 0 { return .higher }
    if d + h < 0 { return .lower }
    if d - h > -m && d + h < m { return .equivalent }
    return .inconclusive
}

@Suite struct Chapter13Tests {
    @Test func nf4CostAndRecovery() throws {
        let run = try #require(Chapter13Run.result)
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
    @Test func loftqErrorsAndFiles() throws {
        let run = try #require(Chapter13Run.result)
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

    /// Merge 1 is the trained model up to rounding; every verdict is paired and follows from its interval.
    @Test func mergesAndPairedVerdicts() throws {
        let run = try #require(Chapter13Run.result)
        let out = run.stdout
        let merges = tableRows(after: "max |logit − unmerged|", in: out)
        #expect(merges.count == 4)
        let faithful = try #require(merges.first { $0[0].hasPrefix("1.") })
        #expect(try #require(Double(faithful.last!)) <= 1e-4, "\(faithful)")
        // Every verdict is paired by seed (2 recovery, 2 LoftQ, 3 merges), and says so.
        let paired = out.split(separator: "\n").filter { $0.contains("(paired difference") }
        #expect(paired.count == 7)
        #expect(!out.contains("(difference "), "an unpaired verdict line")
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked == 7 && verdicts.wrong.isEmpty, "\(verdicts)")
        for line in paired {
            let text = String(line)
            let d = try #require(number(after: "paired difference", in: text))
            let h = try #require(number(after: "±", in: String(text[text.range(of: "paired difference")!.upperBound...])))
            let m = try #require(number(after: "margin ±", in: text))
            let higherIsBetter = text.hasPrefix("exact match")
            let expected = verdictWord(d, h, margin: m)
            let word: String = switch (expected, higherIsBetter) {
            case (.higher, true), (.lower, false): "beats"
            case (.higher, false), (.lower, true): "trails"
            case (.equivalent, _): "is close to"
            case (.inconclusive, _): "cannot separate"
            }
            // Printed values are rounded: skip lines whose interval ends sit on a boundary.
            let scale = text.hasPrefix("exact match") ? 0.05 : 0.00005
            guard ![d - h, d + h, d - h + m, d + h - m].contains(where: { abs($0) <= scale }) else { continue }
            #expect(text.contains(word), "\(text): expected '\(word)'")
        }
        #expect(!out.contains("\u{1E}"))
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--seeds", "1"], ["--steps", "x"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch13-quantization-meets-lora", arguments), "\(arguments)")
        }
    }
}
