import Foundation
import Notebook
import Testing

/// "12.3 ± 4.5%" or "0.099 ± 0.037" → (12.3, 4.5).
func meanAndError(_ cell: String) -> (mean: Double, error: Double)? {
    let parts = cell.replacingOccurrences(of: "%", with: "").components(separatedBy: " ± ")
    guard parts.count == 2, let m = Double(parts[0].replacingOccurrences(of: ",", with: "")), let e = Double(parts[1]) else { return nil }
    return (m, e)
}

/// Table rows after the header containing `header`, up to the first blank line (cells may hold colons).
func plainTableRows(after header: String, in text: String) -> [[String]] {
    let all = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = all.firstIndex(where: { $0.contains(header) }) else { return [] }
    return all[(start + 2)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("(") }.map(tableCells)
}

/// The chapter runs once per test process, with fewer steps and seeds than the page.
enum Chapter14Run {
    static let arguments = ["--steps", "60", "--seeds", "3"]
    static let result = OnceRun { try? runProduct("ch14-dora-and-loraplus", arguments) }
}

@Suite struct Chapter14Tests {
    @Test func doraChecksAndLoRAPlusSteps() async throws {
        let run = try #require(await Chapter14Run.result.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // DoRA starts as its base, exactly; m is the row norms.
        #expect(out.contains("at initialisation: max |DoRA(x) − base(x)| = 0.0e+00"))
        let m = try #require(out.split(separator: "\n").first { $0.hasPrefix("m (first 4 rows):") })
        let norms = try #require(out.split(separator: "\n").first { $0.hasPrefix("‖W0 row‖ (first 4 rows):") })
        #expect(m.split(separator: " ").suffix(4) == norms.split(separator: " ").suffix(4))
        // The gradient check passes with n held and fails (for A and B only) against the true forward.
        let grads = tableRows(after: "∂L/∂x", in: out)
        #expect(grads.count == 2)
        #expect(grads.first?.last == "yes" && grads.last?.last == "no", "\(grads)")
        if grads.count == 2 {
            let held = grads[0].dropFirst(grads[0].count - 5).dropLast().compactMap { Double($0) }
            #expect(held.count == 4 && held.allSatisfy { $0 <= 1e-6 }, "\(grads[0])")
            let full = grads[1].dropFirst(grads[1].count - 5).dropLast().compactMap { Double($0) }
            #expect(full.count == 4 && full[0] <= 1e-6 && full[3] <= 1e-6 && full[1] > 1e-3 && full[2] > 1e-3, "\(grads[1])")
        }
        let mergeLine = try #require(out.split(separator: "\n").first { $0.hasPrefix("merge: ") })
        #expect(try #require(number(after: "max |merged(x) − unmerged(x)| =", in: String(mergeLine))) < 1e-10)
        // Step 0: A gets no gradient. After one step A has not moved and LoRA+ moved B 16× as far.
        #expect(out.contains("step 0: ‖∂L/∂A‖ = 0.00e+00"))
        let moves = tableRows(after: "‖A − A₀‖", in: out)
        let plain = try #require(moves.first { $0.first == "AdamW (λ = 1)" && $0[1] == "1" })
        let plus = try #require(moves.first { $0.first == "LoRA+ λ = 16" && $0[1] == "1" })
        #expect(plain[2] == "0.00e+00" && plus[2] == "0.00e+00")
        let ratio = try #require(Double(plus[3])) / #require(Double(plain[3]))
        #expect(abs(ratio - 16) < 0.2, "B moved \(ratio)× as far")
    }

    /// The results table has the five variants at their budgets, and every verdict line is what
    /// `Difference` decides from the printed estimates (recomputed here from the table).
    @Test func verdictsFollowFromThePrintedNumbers() async throws {
        let run = try #require(await Chapter14Run.result.value)
        let out = run.stdout
        let rows = tableRows(after: "steps to loss 1.0", in: out)
        #expect(rows.map(\.first!) == ["LoRA", "rsLoRA", "DoRA", "LoRA+", "PiSSA"])
        let trainable = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
        #expect(trainable["LoRA"] == "4,096" && trainable["DoRA"] == "4,352" && trainable["PiSSA"] == "4,096")
        // Every method's rate is bracketed or said not to be.
        let tuning = plainTableRows(after: "rates tried (validation loss", in: out)
        #expect(tuning.count == 5 && tuning.allSatisfy { $0.last == "yes" || $0.last == "no (grid end)" })
        // Every verdict is paired by seed and agrees with its printed interval and margin.
        let lines = out.split(separator: "\n").filter { ($0.hasPrefix("exact match: ") || $0.hasPrefix("steps to loss 1.0: ")) && $0.contains("95% CI [") }
        #expect(lines.count == 8 && lines.allSatisfy { $0.contains("paired by seed; margin ±") }, "\(lines)")
        let saturated = lines.filter { $0.contains("cannot compare") }.count
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked + saturated == 8 && verdicts.wrong.isEmpty, "\(verdicts)")
        #expect(out.contains("exact match, by verdict: "))
        #expect(out.contains("rsLoRA at r = 8: s = 16/√8 = 5.66, the s of plain LoRA with α = 16·√8 = 45.3"))
        #expect(out.contains("chosen learning rates: LoRA "))
        #expect(!out.contains("\u{1E}"))
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--seeds", "1"], ["--steps", "5"], ["--bogus", "1"]] {
            #expect(try expectUsageError("ch14-dora-and-loraplus", arguments), "\(arguments)")
        }
    }
}
