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
/// from the 95% interval "95% CI [lo, hi]" and the margin "margin ±m" (or, for a ratio,
/// "margin ×f"), re-decided here independently of Notebook's `Difference` by the rule
/// (inside ±m → close, with its side if it excludes 0; else excluding 0 → beats/trails; else
/// cannot separate). Rounding of the printed numbers is allowed for (half a unit of the last digit).
/// Ceiling and floor lines ("cannot compare", "cannot tell") are counted apart: the checker
/// cannot re-decide them from the interval.
/// - Returns: the number of verdicts checked and the lines that disagree.
func checkVerdicts(in text: String) -> (checked: Int, wrong: [String]) {
    // -2: lower, -1: close and lower, 0: close, 1: close and higher, 2: higher, 3: inconclusive.
    func printed(_ line: String, lowerIsBetter: Bool) -> Int? {
        if line.contains("higher by less than the margin") || line.contains("plateaus (rising by less") { return 1 }
        if line.contains("lower by less than the margin") || line.contains("plateaus (falling by less") { return -1 }
        if line.contains("is close to") || line.contains("plateaus") { return 0 }
        if line.contains("cannot separate") || line.contains("no clear trend") { return 3 }
        if line.contains("beats") { return lowerIsBetter ? -2 : 2 }
        if line.contains("trails") { return lowerIsBetter ? 2 : -2 }
        if line.contains("still rising") { return 2 }
        if line.contains("falling") { return -2 }
        return nil
    }
    func decide(_ lo: Double, _ hi: Double, _ m: Double) -> Int {
        if lo > -m && hi < m { return lo > 0 ? 1 : hi < 0 ? -1 : 0 }
        return lo > 0 ? 2 : hi < 0 ? -2 : 3
    }
    var checked = 0, wrong: [String] = []
    // A line may hold several verdicts, each closing its own "(… margin ±m)".
    let segments = text.split(separator: "\n").flatMap { $0.components(separatedBy: "); ") }
    for line in segments where line.contains("95% CI [") && (line.contains("margin ±") || line.contains("margin ×")) {
        if line.contains("cannot compare") || line.contains("cannot tell") { continue }
        let lowerIsBetter = line.contains("loss") || line.contains("steps to")
        guard let word = printed(line, lowerIsBetter: lowerIsBetter),
              let open = line.range(of: "95% CI ["), let close = line[open.upperBound...].firstIndex(of: "]") else { wrong.append(line); continue }
        let ends = line[open.upperBound..<close].components(separatedBy: ", ")
        let isRatio = line.contains("margin ×")
        let marginRange = line.range(of: isRatio ? "margin ×" : "margin ±")!
        let mText = String(line[marginRange.upperBound...].prefix { "0123456789.".contains($0) })
        guard ends.count == 2, let lo = Double(ends[0]), let hi = Double(ends[1]), let m = Double(mText) else { wrong.append(line); continue }
        let unit = { (t: String) in t.contains(".") ? pow(10, -Double(t.split(separator: ".").last!.count)) / 2 : 0.5 }
        let (el, eh) = (unit(ends[0]), unit(ends[1]))
        var consistent = false
        for l in [lo - el, lo, lo + el] {
            for h in [hi - eh, hi, hi + eh] where l <= h {
                let decided = isRatio ? (l > 0 ? decide(log(l), log(h), log(m)) : nil) : decide(l, h, m)
                if decided == word { consistent = true }
            }
        }
        checked += 1
        if !consistent { wrong.append(line) }
    }
    return (checked, wrong)
}

/// Both chapters train for a minute or more: each runs once per test process. Chapter 11 at its
/// defaults takes minutes and the docs check already runs it so (DocsCheckTests, whose pages
/// hold every verdict of that run, checked by ProseVerdictTests); here it runs short, for the
/// structure of its output, which does not depend on the steps or seeds.
enum TrainingChapterRuns {
    static let ch10 = OnceRun { try? runProduct("ch10-training") }
    static let ch11 = OnceRun { try? runProduct("ch11-rank-targets-limits", ["--steps", "40", "--seeds", "2"]) }
}

@Suite struct VerdictLineTests {
    /// The checker must be able to fail: a verdict contradicting its numbers is caught.
    @Test func checkerCatchesAContradiction() {
        let good = "exact match: A is close to B (difference -0.5 points, 95% CI [-1.3, 0.3], paired by seed; margin ±2)"
        let bad = "exact match: A beats B (difference -0.5 points, 95% CI [-1.3, 0.3], paired by seed; margin ±2)"
        // The old precedence's error: an interval inside the margin called "trails".
        let old = "exact match: A trails B (difference -1.6 points, 95% CI [-2.5, -0.8], Welch; margin ±5)"
        let side = "exact match: A is close to B, and lower by less than the margin (difference -1.6 points, 95% CI [-2.5, -0.8], Welch; margin ±5)"
        let sideless = "exact match: A is close to B (difference -1.6 points, 95% CI [-2.5, -0.8], Welch; margin ±5)"
        let loss = "held-out loss: A beats B (ratio 0.500, 95% CI [0.450, 0.560], paired by seed; margin ×1.25)"
        let lossClose = "held-out loss: A is close to B (ratio 0.990, 95% CI [0.900, 1.100], paired by seed; margin ×1.25)"
        #expect(checkVerdicts(in: [good, side, loss, lossClose].joined(separator: "\n")) == (4, []))
        #expect(checkVerdicts(in: bad).wrong == [bad])
        #expect(checkVerdicts(in: old).wrong == [old])
        #expect(checkVerdicts(in: sideless).wrong == [sideless])
        #expect(checkVerdicts(in: "held-out loss: A trails B (ratio 0.500, 95% CI [0.450, 0.560], paired by seed; margin ×1.25)").wrong.count == 1)
        #expect(checkVerdicts(in: "held-out loss: A is close to B (ratio 0.700, 95% CI [0.600, 0.820], paired by seed; margin ×1.25)").wrong.count == 1)
    }
}

@Suite struct Chapter10Tests {
    @Test func methodsAtTunedRatesWithComputedVerdicts() async throws {
        let run = try #require(await TrainingChapterRuns.ch10.value)
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
        // Forgetting: the pre-training tasks scored after fine-tuning, compared paired by seed.
        #expect(out.components(separatedBy: "pre-training token accuracy kept: ").count - 1 == 2)
        #expect(out.components(separatedBy: "pre-training held-out loss: ").count - 1 == 2)
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
    @Test func rankTargetsCombiningAndTheRankATaskNeeds() async throws {
        let run = try #require(await TrainingChapterRuns.ch11.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let sweep = tableRows(after: "trainable  tuned lr", in: out)
        #expect(sweep.compactMap { Int($0[0]) } == [1, 4, 16, 64])
        #expect(out.contains("r = 65: invalid LoRA configuration: rank r = 65 exceeds min(in, out) = 64"))
        #expect(out.contains("[\"all_linear\"] → error: target modules [\"all_linear\"] not found in the base model"))
        #expect(out.contains("\"all-linear\" → 12 layers"))
        // The spectrum: the energy held by the top r grows with r, in both v_proj layers.
        let energy = tableRows(after: "top 1        top 2", in: out)
        #expect(energy.count == 3)
        // The i.i.d. Gaussian baseline needs about half its 64 directions for 90% of its energy.
        let gaussian = try #require(energy.last)
        #expect(gaussian[0].hasPrefix("i.i.d. Gaussian"))
        let gaussianRank = try #require(leadingNumber(gaussian.last!))
        #expect(gaussianRank > 25 && gaussianRank < 40, "\(gaussian)")
        #expect(out.contains("smallest swept rank with mean exact match ≥ 90% on reverse"))
        for row in energy {
            let shares = row[1...6].compactMap { leadingNumber($0) }
            #expect(shares.count == 6 && zip(shares, shares.dropFirst()).allSatisfy { $0 <= $1 }, "\(row)")
        }
        // The short run prints fewer interval verdicts than the page (steps to 90% that no rank
        // reaches in 40 steps become "neither reaches 90%"): each one printed must agree.
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked >= 5, "\(verdicts.checked) verdicts")
        #expect(verdicts.wrong.isEmpty, "\(verdicts.wrong)")
        #expect(!out.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--steps", "0"], ["--seeds", "1"], ["--lr", "0.1"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch11-rank-targets-limits", arguments), "\(arguments)")
        }
    }
}
