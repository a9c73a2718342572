import Foundation
import LoRA

// Checks for exercises 30–32 (chapters 16 and 17, the tiny LLaMA on real text). Oracles: the
// unit conversion written out with Foundation's log, the library's sampler
// (Sampling.distribution(from:), the code chapter 16 samples with), and the paired log-ratio
// interval written out here in Double (the formula of Notebook's Difference(pairedRatio:), which
// this target does not link: the t quantiles are passed in, with Notebook's studentT975 values).

// MARK: - 30 bits per byte

func checkBitsPerByte(_ impl: Implementations) -> CheckResult {
    // Tolerance: relative 1e-12. Equivalent orders of the three operations, and this package's
    // Double.log against Foundation's, differ by a few ulp (~1e-16); a wrong unit is off by a
    // factor (ln 2 ≈ 0.69, log₂ e ≈ 1.44, tokens/bytes).
    func close(_ got: Double, _ want: Double) -> Bool { abs(got - want) <= 1e-12 * max(1, abs(want)) }
    let cases: [(loss: Double, tokens: Int, bytes: Int, hand: Double?, why: String)] = [
        (Foundation.log(2.0), 1000, 1000, 1,
         "a byte-level model (one token per byte) at loss ln 2 nats per token spends log₂ e · ln 2 = 1 bit per byte"),
        (1.2, 101, 100, nil,
         "a byte-level model on a 100-byte document scores 101 tokens: end-of-text is scored but stands for no bytes, so its cost is spread over the 100 bytes"),
        (3.1, 250, 1000, nil,
         "a BPE tokenizer: 250 tokens (end-of-text included) for 1000 bytes; total nats = 3.1 · 250, then per byte, then ÷ ln 2 for bits"),
        (2.85, 48_213, 131_072, nil, "bitsPerByte = meanLoss · tokens / bytes / ln 2"),
        (0, 17, 64, 0, "a model that predicts every token with certainty spends 0 bits"),
    ]
    for c in cases {
        let want = c.hand ?? c.loss * Double(c.tokens) / Double(c.bytes) / Foundation.log(2.0)
        let got = impl.bitsPerByte(c.loss, c.tokens, c.bytes)
        if !close(got, want) {
            return .failed(CheckFailure(
                checking: "bitsPerByte(meanLoss: \(show(c.loss)), tokens: \(c.tokens), bytes: \(c.bytes)) (tolerance 1e-12 relative)",
                expected: show(want), got: show(got), why: c.why))
        }
    }
    return .passed
}

// MARK: - 31 temperature and top-p

/// The library's sampling distribution as one probability per token (0 for removed tokens).
func samplingOracle(_ logits: [Double], temperature: Double, topP: Double) -> [Double] {
    var dense = Array(repeating: 0.0, count: logits.count)
    for entry in Sampling.random(temperature: temperature, topP: topP).distribution(from: logits) {
        dense[entry.token] = entry.probability
    }
    return dense
}

func checkTopPSampling(_ impl: Implementations) -> CheckResult {
    let spread = [2.0, 1.0, 0.5, -1.0, 0.0]
    let cases: [(logits: [Double], temperature: Double, topP: Double, why: String)] = [
        (spread, 1, 0.9, "softmax, then keep tokens in descending p while the ones before sum to < 0.9, then renormalise"),
        (spread, 0.5, 0.9, "temperature comes first: z/T with T = 0.5 sharpens p, so fewer tokens are needed to reach top_p"),
        (spread, 2, 0.9, "temperature comes first: z/T with T = 2 flattens p, so more tokens are needed to reach top_p"),
        ([1, 2, 2, 0], 1, 0.3, "tokens 1 and 2 tie; on a tie the smaller token id comes first, and token 1 alone already reaches 0.3"),
        ([1, 2, 2, 0], 1, 0.5, "after token 1 (p ≈ 0.40) the sum is < 0.5, so the next one, token 2 (the tie), is kept too"),
        ([0, 0, 0, 0], 1, 0.5, "each p = 0.25: after two tokens the sum is exactly 0.5, which reaches top_p, so the third is not kept (a token is kept while its predecessors sum to < top_p)"),
        ([0.3, 1.7, -0.4], 1, 0.01, "however small top_p, the most likely token is always kept"),
        ([1000, 999, 998], 0.8, 0.9, "z/T up to 1250: exp(1250) is ∞ in Double, so subtract the largest z before exp (it cancels in the softmax)"),
        (spread, 0.7, 1, "top_p = 1 switches top-p off: every token keeps its softmax probability"),
        ([40, 0, -5], 1, 1, "top_p = 1 switches top-p off (transformers adds its TopPLogitsWarper only when top_p < 1): tokens 1 and 2 keep p ≈ 4e-18 and 3e-20, although token 0 alone is already 1.0 in Double"),
    ]
    for c in cases {
        let call = "samplingProbabilities(logits: \(show(c.logits, show)), temperature: \(show(c.temperature)), topP: \(show(c.topP)))"
        let want = samplingOracle(c.logits, temperature: c.temperature, topP: c.topP)
        let got = impl.samplingProbabilities(c.logits, c.temperature, c.topP)
        guard got.count == want.count else {
            return .failed(CheckFailure(checking: call + ".count", expected: "\(want.count) (one probability per token)", got: "\(got.count)",
                                        why: "removed tokens get probability 0; the array keeps every token, in token-id order"))
        }
        // Which tokens survive must match exactly (a kept token has p > 0, a removed one p = 0);
        // the values to 1e-12 + 1e-9·p (softmax in another order or with Foundation's exp
        // differs by a few ulp).
        for i in want.indices where (want[i] == 0) != (got[i] == 0) || !(abs(got[i] - want[i]) <= 1e-12 + 1e-9 * want[i]) {
            let kept = want.indices.filter { want[$0] > 0 }.map(String.init).joined(separator: ", ")
            return .failed(CheckFailure(
                checking: call + "[\(i)] (tolerance 1e-12 + 1e-9·|expected|; tokens kept: \(kept))",
                expected: show(want[i]), got: show(got[i]), why: c.why))
        }
    }
    return .passed
}

// MARK: - 32 paired ratio

/// The paired log-ratio interval in Double: exp(d̄) and exp(d̄ ± t·s/√n) with dᵢ = ln aᵢ − ln bᵢ.
func pairedRatioOracle(_ a: [Double], _ b: [Double], t975: Double) -> (ratio: Double, low: Double, high: Double) {
    var d: [Double] = []
    for i in a.indices { d.append(Foundation.log(a[i] / b[i])) }
    let n = Double(d.count)
    var sum = 0.0
    for x in d { sum += x }
    let mean = sum / n
    var squares = 0.0
    for x in d { squares += (x - mean) * (x - mean) }
    let h = t975 * (squares / (n - 1) / n).squareRoot()
    return (Foundation.exp(mean), Foundation.exp(mean - h), Foundation.exp(mean + h))
}

func checkPairedRatio(_ impl: Implementations) -> CheckResult {
    // Ten seeds whose losses vary a lot from seed to seed, with method a 3 % ± 1 % above b on
    // each seed: the pairing removes the shared spread.
    var g = SeededGenerator(seed: 3201)
    let b10 = (0..<10).map { _ in g.nextUniform(2.0, 2.6) }
    let a10 = b10.map { $0 * g.nextNormal(mean: 1.03, std: 0.01) }
    let b5 = [2.28, 2.30, 2.30, 2.36, 2.29]
    // Notebook's studentT975(degreesOfFreedom:) for 4, 2 and 9 degrees of freedom.
    let cases: [(a: [Double], b: [Double], t: Double, label: String, why: String)] = [
        ([2.31, 2.35, 2.29, 2.40, 2.33], b5, 2.776, "5 seeds",
         "dᵢ = ln aᵢ − ln bᵢ; ratio = exp(mean d), 95% CI exp(mean d ± t·s/√n) with the sample s (n − 1)"),
        ([1.90, 2.05, 1.98], [2.00, 2.01, 2.10], 4.303, "3 seeds",
         "the interval is exp(d̄ ± h) with h = t₀.₉₇₅(n − 1)·s/√n; with 3 seeds t = 4.303, not 1.96"),
        (a10, b10, 2.262, "10 seeds, losses spread over [2, 2.6], a ≈ 1.03·b on each seed",
         "paired: the spread the two methods share from seed to seed cancels in dᵢ, so the interval is narrow; the ratio of means would not pair"),
        (b5.map { 1.05 * $0 }, b5, 2.776, "5 seeds, a = 1.05·b exactly",
         "every dᵢ = ln 1.05, so s = 0 and the interval shrinks to the ratio 1.05 itself"),
        (b5, b5, 2.776, "5 seeds, a = b", "identical runs: every dᵢ = 0, ratio 1 with interval [1, 1]"),
    ]
    for c in cases {
        let want = pairedRatioOracle(c.a, c.b, t975: c.t)
        let got = impl.pairedRatio(c.a, c.b, c.t)
        let arguments = c.a.count <= 5 ? "\(show(c.a, show)), \(show(c.b, show))" : "a, b"
        // Tolerance: 1e-12 + 1e-10 relative; Double.log against Foundation's log, or ln(a/b)
        // against ln a − ln b, moves the results by ~1e-15.
        for (name, g, w) in [("ratio", got.ratio, want.ratio), ("low", got.low, want.low), ("high", got.high, want.high)]
        where !(abs(g - w) <= 1e-12 + 1e-10 * abs(w)) {
            return .failed(CheckFailure(
                checking: "pairedRatio(\(arguments), t975: \(show(c.t))).\(name), \(c.label) (tolerance 1e-12 + 1e-10·|expected|)",
                expected: show(w), got: show(g), why: c.why))
        }
    }
    return .passed
}
