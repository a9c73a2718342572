import Foundation
import Notebook
import Testing

enum Chapter15Run {
    static let seeds = 3
    static let result = OnceRun { try? runProduct("ch15-combining-and-serving", ["--steps", "150", "--seeds", String(seeds)]) }
}

@Suite struct Chapter15Tests {
    /// cat and full-rank svd reproduce the sum; rank-8 svd misses exactly the dropped spectrum.
    @Test func combinationsComputeWhatTheFormulasSay() async throws {
        let run = try #require(await Chapter15Run.result.value)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let rows = plainTableRows(after: "cat: rank, distance", in: run.stdout)
        #expect(rows.count == 4)
        for row in rows {
            let pairs = row[1...4].map { $0.components(separatedBy: ", ") }
            #expect(pairs.map { $0[0] } == ["16", "8", "8", "16"], "\(row)")
            let distances = pairs.compactMap { Double($0[1]) }
            let share = try #require(Double(row[5]))
            #expect(distances[0] < 1e-5 && distances[3] < 1e-5, "\(row)")
            #expect(abs(distances[2] - share) <= 0.006, "svd r=8 distance \(distances[2]) vs spectrum share \(share)")
            #expect(distances[1] > 1e-2, "linear has cross terms: \(row)")
            // Each adapter's update relative to its base weight: a positive, finite ratio.
            let ratios = row[6...7].compactMap { Double($0) }
            #expect(ratios.count == 2 && ratios.allSatisfy { $0 > 0 && $0 < 100 }, "\(row)")
        }
        // The weight sweep of cat, both updates scaled alike.
        let combos = run.stdout.split(separator: "\n").filter { $0.hasPrefix("cat, w = ") }.map { tableCells($0)[0] }
        #expect(["cat, w = 0.25, 0.25", "cat, w = 0.50, 0.50", "cat, w = 0.75, 0.75"].allSatisfy(combos.contains), "\(combos)")
    }

    /// Each verdict line is paired by seed and agrees with its printed interval and margin.
    @Test func verdictsFollowFromThePrintedNumbers() async throws {
        let run = try #require(await Chapter15Run.result.value)
        let out = run.stdout
        let lines = out.split(separator: "\n").filter { $0.contains(" tokens: ") && $0.contains("95% CI [") }
        #expect(lines.count == 14 && lines.allSatisfy { $0.contains("paired by seed; margin ±3") }, "\(lines)")
        let saturated = lines.filter { $0.contains("cannot compare") }.count
        let verdicts = checkVerdicts(in: out)
        #expect(verdicts.checked + saturated == 14 && verdicts.wrong.isEmpty, "\(verdicts)")
    }

    @Test func servingMatchesEachAdapterAloneAndSwapsWithoutTouchingTheBase() async throws {
        let run = try #require(await Chapter15Run.result.value)
        let out = run.stdout
        let rows = tableRows(after: "max |mixed − alone|", in: out)
        #expect(rows.map(\.first!) == ["reverse", "shift5", "base (no adapter)"])
        for row in rows {
            #expect(row[1] == "32")
            #expect(try #require(Double(row[2])) <= 1e-4, "\(row)")
            #expect(row[4] == row[5], "exact match mixed vs alone: \(row)")
        }
        #expect(out.contains("base weights changed by at most 0.0 (20 tensors)"))
        #expect(out.contains("served adapters: shift5, reverse-v2;"))
        #expect(out.contains("asking for the removed adapter: serving: no adapter named 'reverse' is served"))
        let swap = try #require(number(after: "reverse-v2 rows against that adapter alone: max |difference| =", in: out))
        #expect(swap <= 1e-4)
        #expect(out.contains("one adapter's branches: 8,192 (4.1% more)"))
        #expect(!out.contains("\u{1E}"))
    }

    @Test func badKnobsExitTwo() throws {
        for arguments in [["--seeds", "1"], ["--steps", "0"], ["--rank", "4"]] {
            #expect(try expectUsageError("ch15-combining-and-serving", arguments), "\(arguments)")
        }
    }
}
