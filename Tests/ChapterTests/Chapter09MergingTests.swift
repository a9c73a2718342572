import Foundation
import Testing

@Suite struct Chapter09Tests {
    @Test func mergeAgreesAndSafeMergeRefuses() throws {
        let run = try runProduct("ch09-merging")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let difference = try #require(number(after: "merged/unmerged max difference", in: out))
        #expect(difference > 0 && difference < 1e-4, "\(difference)")
        let fromBase = try #require(number(after: "merged output vs base model alone", in: out))
        #expect(fromBase > 1e-2, "the merge must change the output")
        #expect(out.contains("safe merge: safe merge refused: merging adapter 'diverged' would put NaN or infinity into the base weight"))
        #expect(out.contains("merged = false, base weight unchanged: true"))
        // NF4: some codes flip; merging into W0 is worse than into dequant(W4).
        let flipped = try #require(number(after: "codes that flipped:", in: out))
        #expect(flipped > 0 && flipped < 100)
        let ratio = try #require(number(after: "merging into W0 instead of dequant(W4):", in: out))
        #expect(ratio > 1)
    }

    @Test func knobsAndBadValues() throws {
        let tiny = try runProduct("ch09-merging", ["--b-std", "0.0001"])
        #expect(tiny.status == 0, "stderr: \(tiny.stderr)")
        #expect(tiny.stdout.contains("codes that flipped:       0.00%"))
        for arguments in [["--b-std", "0"], ["--b-std", "nan"], ["--seed", "1.5"]] {
            #expect(try expectUsageError("ch09-merging", arguments), "\(arguments)")
        }
    }
}
