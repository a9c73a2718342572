import Foundation
import Testing

@Suite struct Chapter06Tests {
    @Test func levelsErrorsAndPacking() throws {
        let run = try runProduct("ch06-nf4")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        // Derived levels vs the float32 table: shown, and within the bound.
        let difference = try #require(number(after: "max |derived − table|", in: out))
        #expect(difference > 0 && difference <= 1.2e-7, "\(difference)")
        #expect(out.contains("thresholds one ulp away from the float32 mean: k = 0, 8, 12, 14"))
        // NF4 at blocksize 64 reproduces bitsandbytes' 0.0728 and beats FP4 and INT4 at every blocksize.
        let nf4 = try #require(number(after: "blocksize 64: NF4 mean |error|", in: out))
        #expect(abs(nf4 - 0.0728) / 0.0728 < 0.02, "\(nf4)")
        for blocksize in [32, 64, 256] {
            let line = try #require(out.split(separator: "\n").first { $0.hasPrefix("blocksize \(blocksize): NF4 mean |error|") })
            let fp4 = try #require(number(after: "< FP4", in: String(line)))
            let int4 = try #require(number(after: "< INT4", in: String(line)))
            let own = try #require(number(after: "NF4 mean |error|", in: String(line)))
            #expect(own < fp4 && own < int4, "\(line)")
        }
        #expect(out.contains("levels < 0: 7   levels = 0: 1 (code 7)   levels > 0: 8"))
        // Erratum 6: Lloyd–Max beats NF4 on squared error; design-data entropy is near 4 bits.
        let nf4MSE = try #require(number(after: "  NF4        ", in: out))
        let lloydMSE = try #require(number(after: "  Lloyd–Max  ", in: out))
        #expect(lloydMSE < nf4MSE)
        let entropyLine = try #require(out.split(separator: "\n").first { $0.contains("(design)") })
        let entropy = try #require(entropyLine.split(separator: " ").compactMap { Double($0) }.first)
        #expect(entropy > 3.95 && entropy <= 4)
        #expect(out.contains("bytes      F0 77"))
        // The spikes at ±1 of the histogram: each block's absmax, one value per block.
        let peaks = try #require(lines(out, startingWith: "largest |x / absmax| of each of the 16,384 blocks").first)
        #expect(peaks.hasSuffix("→ every block has a value at ±1"), "\(peaks)")
        let digits = peaks.replacingOccurrences(of: ",", with: "")
        let atOne = try #require(number(after: "exactly 1 in", in: digits))
        let below = try #require(number(after: "one float32 step below 1 in", in: digits))
        #expect(atOne > 0 && below > 0 && atOne + below == 16_384, "\(peaks)")
    }

    @Test func knobsAndBadValues() throws {
        let small = try runProduct("ch06-nf4", ["--rows", "64", "--seed", "7"])
        #expect(small.status == 0, "stderr: \(small.stderr)")
        #expect(small.stdout.contains("weights: 65,536 N(0, 1) values"))
        for arguments in [["--rows", "3"], ["--seed", "x"], ["--blocks", "2"]] {
            #expect(try expectUsageError("ch06-nf4", arguments), "\(arguments)")
        }
    }
}
