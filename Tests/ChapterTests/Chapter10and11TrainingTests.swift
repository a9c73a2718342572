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

/// Every verdict line of a page must agree with the numbers printed beside it: the words come
/// from the 95% interval "d ± h" and the margin "±m" (Notebook's `Difference`), re-decided here
/// independently. Rounding of the printed numbers is allowed for (half a unit of the last digit).
/// - Returns: the number of verdicts checked and the lines that disagree.
func checkVerdicts(in text: String) -> (checked: Int, wrong: [String]) {
    let words: [(String, Int)] = [("beats", 1), ("trails", -1), ("still rising", 1), ("falling", -1),
                                  ("is close to", 0), ("plateaus", 0), ("cannot separate", 2), ("no clear trend", 2)]
    var checked = 0, wrong: [String] = []
    // A line may hold several verdicts, each closing its own "(… margin ±m)".
    let segments = text.split(separator: "\n").flatMap { $0.components(separatedBy: "); ") }
    for line in segments where line.contains("margin ±") {
        guard let word = words.first(where: { line.contains($0.0) }),
              let open = line.range(of: "(", options: .backwards),
              let inside = Optional(String(line[open.upperBound...])),
              let plus = inside.range(of: " ± ") else { continue }
        let dText = String(inside[..<plus.lowerBound]).components(separatedBy: " ").last!
        let rest = inside[plus.upperBound...]
        let hText = String(rest.prefix { "0123456789.-".contains($0) })
        guard let marginRange = line.range(of: "margin ±") else { continue }
        let mText = String(line[marginRange.upperBound...].prefix { "0123456789.".contains($0) })
        guard let d = Double(dText), let h = Double(hText), let m = Double(mText) else { continue }
        // Lower is better for losses and step counts: "beats" then means a negative difference.
        let lowerIsBetter = line.contains("loss") || line.contains("steps to 90%")
        let unit = { (t: String) in t.contains(".") ? pow(10, -Double(t.split(separator: ".").last!.count)) / 2 : 0.5 }
        let (ed, eh) = (unit(dText), unit(hText))
        var consistent = false
        for dd in [d - ed, d, d + ed] {
            for hh in [max(0, h - eh), h, h + eh] {
                let decided: Int
                if dd - hh > 0 { decided = 1 } else if dd + hh < 0 { decided = -1 } else if dd - hh > -m && dd + hh < m { decided = 0 } else { decided = 2 }
                let expected = (decided == 1 || decided == -1) && lowerIsBetter && (word.0 == "beats" || word.0 == "trails") ? -decided : decided
                if expected == word.1 { consistent = true }
            }
        }
        checked += 1
        if !consistent { wrong.append(line) }
    }
    return (checked, wrong)
}

/// Both chapters train for tens of seconds: each runs once per test process.
enum TrainingChapterRuns {
    static let ch10: Finished? = try? runProduct("ch10-training")
    static let ch11: Finished? = try? runProduct("ch11-rank-targets-limits")
}

@Suite struct VerdictLineTests {
    /// The checker must be able to fail: a verdict contradicting its numbers is caught.
    @Test func checkerCatchesAContradiction() {
        let good = "exact match: A is close to B (difference -0.5 ± 0.8 points, 95% interval; margin ±2)"
        let bad = "exact match: A beats B (difference -0.5 ± 0.8 points, 95% interval; margin ±2)"
        let loss = "held-out loss: A trails B (difference 0.0204 ± 0.0118, 95% interval; margin ±0.05)"
        #expect(checkVerdicts(in: good + "\n" + loss).wrong.isEmpty)
        #expect(checkVerdicts(in: bad).wrong == [bad])
        #expect(checkVerdicts(in: "held-out loss: A beats B (difference 0.0204 ± 0.0118, 95% interval; margin ±0.05)").wrong.count == 1)
    }
}

@Suite struct Chapter10Tests {
    @Test func methodsAtTunedRatesWithComputedVerdicts() throws {
        let run = try #require(TrainingChapterRuns.ch10)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let rows = tableRows(after: "% of total  final train loss", in: out)
        let baseline = try #require(rows.first { $0[0] == "pre-trained, not adapted" })
        let lora = try #require(rows.first { $0[0] == "LoRA q,v r=8" })
        let full = try #require(rows.first { $0[0] == "full fine-tuning" })
        #expect(rows.contains { $0[0].hasPrefix("QLoRA") })
        #expect(try #require(leadingNumber(baseline.last!)) < 5)
        let share = try #require(leadingNumber(lora[3]))
        #expect(share < 5, "LoRA trains \(share)% of the model")
        #expect(leadingNumber(full[3]) == 100)
        // Each method's rate was chosen once, inside its grid.
        #expect(out.components(separatedBy: "← chosen").count - 1 == 3)
        #expect(!out.contains("grid end"), "a chosen rate sits at the end of its grid")
        // Memory: QLoRA's weights are smaller than LoRA's; LoRA's gradients + state far below full's.
        let weights = try #require(out.split(separator: "\n").first { $0.hasPrefix("weights: LoRA") })
        let parts = weights.components(separatedBy: "QLoRA")
        let loraBytes = try #require(leadingNumber(String(parts[0].dropFirst("weights: LoRA ".count))))
        let qloraBytes = try #require(leadingNumber(String(parts[1].drop { $0 == " " })))
        #expect(2 * qloraBytes < loraBytes, "\(qloraBytes) vs \(loraBytes)")
        let split = try #require(out.split(separator: "\n").first { $0.hasPrefix("QLoRA frozen: ") })
        #expect(split.hasPrefix("QLoRA frozen: 12 linear layers in 4 bits"), "\(split)")
        let bits = try #require(leadingNumber(String(split.split(separator: "(").last!)))
        #expect(bits > 4 && bits < 4.2, "\(bits) bits per parameter")
        let stateLine = try #require(out.split(separator: "\n").first { $0.hasPrefix("gradients + optimizer state") })
        let ratio = try #require(leadingNumber(String(stateLine.split(separator: "(").last!)))
        #expect(ratio > 10, "gradients + optimizer state shrink \(ratio)×")
        #expect(tableRows(after: "lora_dropout  train loss", in: out).count == 3)
        // Every comparison is a computed verdict that agrees with its interval.
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked >= 6, "\(verdicts.checked) verdicts")
        #expect(verdicts.wrong.isEmpty, "\(verdicts.wrong)")
        #expect(out.contains("RoBERTa-base LoRA") && out.contains("seed, illustrative"))
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--task", "bogus"], ["--seeds", "1"], ["--steps", "x"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch10-training", arguments), "\(arguments)")
        }
    }
}

@Suite struct Chapter11Tests {
    @Test func rankTargetsCombiningAndTheRankATaskNeeds() throws {
        let run = try #require(TrainingChapterRuns.ch11)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let sweep = tableRows(after: "trainable  tuned lr", in: out)
        #expect(sweep.compactMap { Int($0[0]) } == [1, 4, 16, 64])
        #expect(out.contains("r = 65: invalid LoRA configuration: rank r = 65 exceeds min(in, out) = 64"))
        #expect(out.contains("[\"all_linear\"] → error: target modules [\"all_linear\"] not found in the base model"))
        #expect(out.contains("\"all-linear\" → 12 layers"))
        // The spectrum: the energy held by the top r grows with r, in both v_proj layers.
        let energy = tableRows(after: "top 1        top 2", in: out)
        #expect(energy.count == 2)
        for row in energy {
            let shares = row[1...6].compactMap { leadingNumber($0) }
            #expect(shares.count == 6 && zip(shares, shares.dropFirst()).allSatisfy { $0 <= $1 }, "\(row)")
        }
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked >= 8, "\(verdicts.checked) verdicts")
        #expect(verdicts.wrong.isEmpty, "\(verdicts.wrong)")
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--steps", "0"], ["--seeds", "1"], ["--lr", "0.1"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch11-rank-targets-limits", arguments), "\(arguments)")
        }
    }
}
