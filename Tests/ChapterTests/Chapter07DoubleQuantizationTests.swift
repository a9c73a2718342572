import Foundation
import Testing

@Suite struct Chapter07Tests {
    @Test func bitsPerParameterAndGigabytes() throws {
        let run = try runProduct("ch07-double-quantization")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let plain = try #require(number(after: "bits per parameter without DQ:", in: out))
        let dq = try #require(number(after: "bits per parameter with DQ:", in: out))
        #expect(plain == 4.5)
        #expect(abs(dq - 4.127) < 0.001 && dq > 4.126953, "\(dq)")
        let saved = try #require(number(after: "LLaMA-65B, counted:", in: out))
        #expect(saved > 2.9 && saved < 3.1, "\(saved) GB")
        // The accuracy cost is measured, and small but not zero.
        let growth = try #require(number(after: "mean |error| grows by", in: out))
        #expect(growth > 0 && growth < 0.5, "\(growth)%")
    }

    @Test func knobsAndBadValues() throws {
        let small = try runProduct("ch07-double-quantization", ["--size", "256"])
        #expect(small.status == 0, "stderr: \(small.stderr)")
        #expect(small.stdout.contains("65,536"))
        for arguments in [["--size", "10"], ["--size"], ["--seed", "-1"]] {
            #expect(try expectUsageError("ch07-double-quantization", arguments), "\(arguments)")
        }
    }
}
