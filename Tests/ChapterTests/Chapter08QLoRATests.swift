import Foundation
import Testing

@Suite struct Chapter08Tests {
    @Test func gradientsMemoryAndPaging() throws {
        let run = try runProduct("ch08-qlora")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let out = run.stdout
        let agreement = try #require(number(after: "worst difference", in: out))
        #expect(agreement < 1e-5 && out.contains("(tolerance 1e-05): agree"))
        let central = try #require(number(after: "worst relative error", in: out))
        #expect(central < 1e-5 && out.contains("(tolerance 1e-05): pass"))
        // The measured full fine-tuning rows are estimated at 8 and 16 B/param, not the table's 12.
        #expect(out.contains("the full FT rows' estimates: bf16 run at 8 B/param") && out.contains("fp32-master run at 16 B/param"))
        // The seed's 65B row: 16-bit weights ≈ 130 GB; QLoRA below 48 GB before activations.
        let weights65 = try #require(number(after: "16-bit weights alone", in: out))
        #expect(weights65 > 125 && weights65 < 135)
        let qlora65 = try #require(number(after: "total before activations", in: out))
        #expect(qlora65 < 48 && qlora65 > 30)
        let pagesIn = try #require(number(after: "pages in", in: out))
        let pagesOut = try #require(number(after: "pages out", in: out.components(separatedBy: "pages in").dropFirst().joined()))
        #expect(pagesIn > 0 && pagesOut > 0)
        #expect(out.contains("paged vs plain AdamW: bit-identical"))
        #expect(out.contains("= 0.195% of the FLOPs"), "1/(2·256)")
        // The figures: the dataflow of the default batch, and the stacked memory estimate whose
        // largest parts are the optimizer state (full fine-tuning) and the weights (LoRA, QLoRA).
        #expect(out.contains("ch08-qlora-dataflow.svg (QLoRA forward pass: one (4096, 4096) layer, 256 tokens)"), "\(out)")
        #expect(out.contains("ch08-memory-breakdown.svg ("))
        for (run, part) in [("full, fp32", "optimizer state"), ("full, bf16", "optimizer state"), ("LoRA      ", "weights"), ("QLoRA     ", "weights")] {
            let line = try #require(lines(out, startingWith: run + " total").first, "\(run)")
            #expect(line.contains("largest part: \(part) "), "\(line)")
        }
        let qloraTotal = try #require(number(after: "QLoRA      total", in: out))
        let loraTotal = try #require(number(after: "LoRA       total", in: out))
        #expect(qloraTotal < loraTotal / 2, "\(qloraTotal) vs \(loraTotal)")
    }

    @Test func knobsAndBadValues() throws {
        let roomy = try runProduct("ch08-qlora", ["--budget-kib", "4096", "--tokens", "16"])
        #expect(roomy.status == 0, "stderr: \(roomy.stderr)")
        #expect(roomy.stdout.contains("pages out 0 "))
        #expect(roomy.stdout.contains("bit-identical"))
        #expect(roomy.stdout.contains("(QLoRA forward pass: one (4096, 4096) layer, 16 tokens)"), "the dataflow follows --tokens")
        for arguments in [["--budget-kib", "100"], ["--tokens", "0"], ["--budget", "1"]] {
            #expect(try expectUsageError("ch08-qlora", arguments), "\(arguments)")
        }
    }
}
