import Foundation
import Testing

/// Statements issue 22 found wrong stay corrected: each check fails on the old sentence.
@Suite struct CorrectedStatementTests {
    func text(_ path: String) throws -> String {
        try String(contentsOf: Products.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// Item 1: merge 1 dequantizes first; `merge_and_unload()` on the 4-bit model re-quantizes
    /// (PEFT's `Linear4bit.merge` stores a new `Params4bit`), and it is PEFT's code.
    @Test func qloraMergesNameTheRightCalls() throws {
        let ch13 = try text("Chapters/13-quantization-meets-lora/main.swift")
        #expect(!ch13.contains("bitsandbytes' `Linear4bit` merge"))
        #expect(!ch13.contains("4-bit model with the result dequantized (1)"))
        #expect(ch13.contains("\"PEFT / transformers call\""))
        #expect(ch13.contains("model.dequantize()") && ch13.contains("dequantize_bnb_weight") && ch13.contains("Params4bit"))
    }

    /// Item 2: under Adam, s is a rate for B alone (LoRA+ with λ = s), never a global rate.
    @Test func scaleIsNotAGlobalLearningRate() throws {
        let ch11 = try text("Chapters/11-rank-targets-limits/main.swift")
        #expect(!ch11.contains("which under Adam a different learning rate can absorb"))
        #expect(!ch11.contains("the scaling rule matters much less"))
        let errata = try text("docs-src/errata.md"), appendix = try text("docs-src/appendix-formulas.md")
        #expect(!errata.contains("true for Adam-style optimizers") && !errata.contains("the rule mostly changes which rate is best"))
        for page in [errata, appendix, try text("Chapters/05-scaling/main.swift")] {
            #expect(page.contains("LoRA+ with") && page.contains("\\lambda = s"))
        }
        let ch05 = try text("Chapters/05-scaling/main.swift")
        #expect(!ch05.contains("formula 4 holds") && !ch05.contains("formula 4 is\nright for Adam"))
        let ch14 = try text("Chapters/14-dora-and-loraplus/main.swift")
        #expect(ch14.contains("rsLoRA at one rank is an α effect"))
    }

    /// Item 3: `linear`'s cross terms vanish when A_j's columns lie in ker B_i, not when row and
    /// column spaces are orthogonal; exercise 28's header keeps the cross term's sign.
    @Test func crossTermsConditionAndSign() throws {
        let appendix = try text("docs-src/appendix-formulas.md")
        #expect(!appendix.contains("e.g. when the row spaces of\nthe $A_j$ are orthogonal"))
        #expect(appendix.contains("kernel of $B_i$") && appendix.contains("B_1A_2 = e_1e_2^\\top \\ne 0"))
        let exercise = try text("Exercises/28-combine-adapters.swift")
        #expect(exercise.contains("cross terms sign(cᵢ)·√|cᵢcⱼ|·Bⱼ·Aᵢ"))
    }

    /// Smaller items: stale cross-references and PEFT's exact behaviour.
    @Test func crossReferencesAndPEFTBehaviour() throws {
        #expect(!(try text("Chapters/06-nf4/main.swift")).contains("that trade-off is chapter\n06's subject"))
        let ch12 = try text("Chapters/12-best-practice/main.swift")
        #expect(!ch12.contains("(`use_dora: false`,") && ch12.contains("strict_adapter_check=\"warn\""))
        #expect(!(try text("Chapters/15-combining-and-serving/main.swift")).contains("chapter 11 merged both into"))
        #expect((try text("Chapters/11-rank-targets-limits/main.swift")).contains("where PEFT accepts it silently"))
        // Erratum 6 names a heading page 06 has; page 06 says why INT4 uses 15 codes.
        let errata = try text("docs-src/errata.md"), ch06 = try text("Chapters/06-nf4/main.swift")
        #expect(!errata.contains("\"Entropy of the codes\" counts") && errata.contains("section *\"信息论最优\"? Entropy is not error*"))
        #expect(ch06.contains("## \"信息论最优\"? Entropy is not error") && ch06.contains("Symmetric INT4 uses 15 of its 16 codes"))
        // PEFT prints "trainable%: 0.0622" (a bare number, `{:.4f}`), not a percentage sign.
        let page02 = try text("docs/02-parameter-counts.md")
        #expect(page02.contains("trainable%: 0.0622\n") && !page02.contains("trainable%: 0.0622%"))
    }

    /// Item 15: chapter 12's recipe marks every row as measured here (and where) or not testable.
    @Test func recipeRowsSayWhereTheyWereMeasured() throws {
        let ch12 = try text("Chapters/12-best-practice/main.swift")
        let start = try #require(ch12.range(of: "| setting | recipe | why | source | in this package |"))
        let rows = ch12[start.upperBound...].split(separator: "\n").dropFirst().prefix { $0.hasPrefix("|") }
        #expect(rows.count >= 10)
        for row in rows {
            let last = row.split(separator: "|").last!.trimmingCharacters(in: .whitespaces)
            #expect(last.hasPrefix("measured in chapter") || last.hasPrefix("not testable in the miniature"), "\(row)")
        }
        for setting in ["target modules", "rank $r$", "learning rate", "batch size", "epochs", "`lora_dropout`", "deployment"] {
            #expect(rows.contains { $0.hasPrefix("| \(setting) |") }, "\(setting)")
        }
    }

    /// Smaller items: terms defined where first used, named tensors, PEFT's embedding init,
    /// chapter 01's preview and the Gaussian baselines beside the spectra (item 9).
    @Test func definitionsAndBaselines() throws {
        let ch03 = try text("Chapters/03-forward-pass/main.swift")
        #expect(ch03.contains("Basic Linear Algebra Subprograms") && ch03.contains("GEneral Matrix-Matrix multiply"))
        #expect((try text("Chapters/15-combining-and-serving/main.swift")).contains("\"task\n  vectors\""))
        let ch11 = try text("Chapters/11-rank-targets-limits/main.swift")
        #expect(ch11.contains("TIES (Yadav et al., 2023") && ch11.contains("DARE (Yu et al., 2024"))
        #expect(!ch11.contains("## The rank a task needs") && ch11.contains("i.i.d. Gaussian 64 × 64 (baseline)"))
        let ch10 = try text("Chapters/10-training/main.swift")
        #expect(ch10.contains("### Reading a verdict: a primer") && ch10.contains("**Standard error (SE).**") && ch10.contains("**Paired or Welch.**"))
        #expect(ch10.contains("**What \"cannot separate\" does not mean.**"))
        #expect((try text("Chapters/08-qlora/main.swift")).contains("$8d$ for the two norms' inputs and outputs"))
        #expect((try text("Chapters/04-initialisation/main.swift")).contains("`lora_embedding_A`/`lora_embedding_B`"))
        let ch01 = try text("Chapters/01-low-rank-update/main.swift")
        #expect(ch01.contains("*A preview: the model and its training are introduced in chapter") && ch01.contains("i.i.d. Gaussian (baseline)"))
    }
}
