import Foundation
import Testing

/// The cells of a printed table row (columns are separated by two or more spaces).
func tableCells(_ line: Substring) -> [String] {
    line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// The leading number of a cell such as "94.7% ± 2.7", "4,096" or "0.0430".
func leadingNumber(_ cell: String) -> Double? {
    Double(cell.replacingOccurrences(of: ",", with: "").prefix { "0123456789.-+e".contains($0) })
}

/// The rows that follow the header line containing `header` (after its dashes), up to the first
/// line that is not part of the table.
func tableRows(after header: String, in text: String) -> [[String]] {
    let all = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = all.firstIndex(where: { $0.contains(header) }) else { return [] }
    var rows: [[String]] = []
    for line in all[(start + 2)...] {
        let cells = tableCells(line)
        guard cells.count >= 2, !line.hasPrefix("("), !line.contains(":") else { break }
        rows.append(cells)
    }
    return rows
}

/// Both chapters train for tens of seconds: each runs once per test process.
enum TrainingChapterRuns {
    static let ch09: Finished? = try? runProduct("ch09-training")
    static let ch10: Finished? = try? runProduct("ch10-rank-targets-limits")
}

@Suite struct Chapter09Tests {
    @Test func loraLearnsWithFewParametersAndQLoRASavesWeights() throws {
        let run = try #require(TrainingChapterRuns.ch09)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let rows = tableRows(after: "% of total  final train loss", in: out)
        let baseline = try #require(rows.first { $0[0] == "pre-trained, not adapted" })
        let lora = try #require(rows.first { $0[0] == "LoRA q,v r=8" })
        let qlora = try #require(rows.first { $0[0].hasPrefix("QLoRA") })
        let full = try #require(rows.first { $0[0] == "full fine-tuning" })
        // Pre-trained exact match is the last cell; LoRA's exact match is cell 7 ("94.7% ± 2.7").
        let before = try #require(leadingNumber(baseline.last!))
        let loraExact = try #require(leadingNumber(lora[7]))
        let qloraExact = try #require(leadingNumber(qlora[7]))
        let fullExact = try #require(leadingNumber(full[7]))
        #expect(before < 5 && loraExact > before + 60, "exact match \(before)% → \(loraExact)%")
        #expect(qloraExact > before + 60 && fullExact > before + 60)
        let share = try #require(leadingNumber(lora[3]))
        #expect(share < 5, "LoRA trains \(share)% of the model")
        #expect(leadingNumber(full[3]) == 100)
        // Memory: QLoRA's weights are smaller than LoRA's; LoRA's gradients + state far below full's.
        let weights = try #require(out.split(separator: "\n").first { $0.hasPrefix("weights: LoRA") })
        let parts = weights.components(separatedBy: "QLoRA")
        let loraBytes = try #require(leadingNumber(String(parts[0].dropFirst("weights: LoRA ".count))))
        let qloraBytes = try #require(leadingNumber(String(parts[1].drop { $0 == " " })))
        #expect(qloraBytes < loraBytes, "\(qloraBytes) vs \(loraBytes)")
        // QLoRA stores every linear layer but lm_head (2 blocks × 6) in a little over 4 bits.
        let split = try #require(out.split(separator: "\n").first { $0.hasPrefix("QLoRA frozen: ") })
        #expect(split.hasPrefix("QLoRA frozen: 12 linear layers in 4 bits"), "\(split)")
        let bits = try #require(leadingNumber(String(split.split(separator: "(").last!)))
        #expect(bits > 4 && bits < 4.2, "\(bits) bits per parameter")
        // The float part of the base (embeddings, norms, head) is a small share of LoRA's weights,
        // so QLoRA's weights are well under half of LoRA's.
        #expect(2 * qloraBytes < loraBytes, "\(qloraBytes) vs \(loraBytes)")
        let stateLine = try #require(out.split(separator: "\n").first { $0.hasPrefix("gradients + optimizer state") })
        let ratio = try #require(leadingNumber(String(stateLine.split(separator: "(").last!)))
        #expect(ratio > 10, "gradients + optimizer state shrink \(ratio)×")
        // The learning-rate sweep: LoRA needs a higher rate than full fine-tuning to work.
        #expect(out.contains("full fine-tuning: lowest held-out loss at lr ="))
        #expect(out.contains("LoRA q,v r=8: lowest held-out loss at lr ="))
        // Dropout lowers the held-out loss on the small training set.
        let dropout = tableRows(after: "lora_dropout  train loss", in: out)
        #expect(dropout.count == 3)
        if dropout.count == 3 {
            let heldOut = dropout.compactMap { leadingNumber($0[2]) }
            #expect(heldOut[2] < heldOut[0], "held-out loss \(heldOut)")
        }
        #expect(out.contains("RoBERTa-base LoRA") && out.contains("seed, illustrative"))
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--task", "bogus"], ["--seeds", "0"], ["--steps", "x"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch09-training", arguments), "\(arguments)")
        }
    }
}

@Suite struct Chapter10Tests {
    @Test func rankTargetsMergingAndLimits() throws {
        let run = try #require(TrainingChapterRuns.ch10)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // Rank sweep rows: r, α, trainable, %, loss, token accuracy, exact match.
        let sweep = tableRows(after: "trainable  % of model", in: out)
        let byRank = Dictionary(uniqueKeysWithValues: sweep.compactMap { row in Int(row[0]).map { ($0, row) } })
        let r1 = try #require(byRank[1]), r8 = try #require(byRank[8])
        #expect(byRank.keys.sorted() == [1, 2, 4, 8, 16, 32, 64])
        let (acc1, acc8) = (try #require(leadingNumber(r1[5])), try #require(leadingNumber(r8[5])))
        #expect(acc1 + 20 < acc8, "token accuracy r=1 \(acc1)% vs r=8 \(acc8)%")
        #expect(out.contains("r = 65: invalid LoRA configuration: rank r = 65 exceeds min(in, out) = 64"))
        // The seed's ["all_linear"] fails with the no-match error; "all-linear" adapts 12 layers.
        #expect(out.contains("[\"all_linear\"] → error: target modules [\"all_linear\"] not found in the base model"))
        #expect(out.contains("\"all-linear\" → 12 layers"))
        // Merging two adapters: each task's accuracy drops.
        let drops = out.split(separator: "\n").filter { $0.contains("merged with the other (drop") }
        #expect(drops.count == 2)
        for line in drops {
            let drop = try #require(number(after: "(drop", in: String(line)))
            #expect(drop > 20, "\(line)")
        }
        // rsLoRA beats α/r at r = 64 with α fixed.
        let scaling = tableRows(after: "s = α/r", in: out)
        let r64 = try #require(scaling.first { $0[0] == "64" })
        #expect(try #require(leadingNumber(r64[4])) > #require(leadingNumber(r64[7])), "loss α/r vs rsLoRA at r = 64")
        // The low-rank limit: r = 1 after 1200 steps stays below r = 8 after 300.
        let limit = tableRows(after: "r (v_proj only)", in: out)
        let l1 = try #require(limit.first { $0[0] == "1" }), l8 = try #require(limit.first { $0[0] == "8" })
        #expect(try #require(leadingNumber(l1[6])) + 20 < #require(leadingNumber(l8[2])))
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--steps", "0"], ["--lr", "fast"], ["--seed", "-1"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch10-rank-targets-limits", arguments), "\(arguments)")
        }
    }
}
