// Chapter 06: NF4, the 4-bit NormalFloat of QLoRA: where its 16 levels come from, how it rounds,
// how it compares with INT4 and FP4, and in what sense it is (not) optimal.
import LoRA
import Notebook

/*:
# 06 · NF4: a 4-bit code shaped like a bell curve

**What this chapter shows.** The seed's first QLoRA technique (核心技术 1, "4-bit NormalFloat
(NF4)"), which it describes in two lines: "信息论最优的量化数据类型" (the information-theoretically
optimal data type) and "对于正态分布权重，NF4 比 4-bit 整数更精确" (more precise than 4-bit
integers on normally distributed weights). We build the 16 NF4 levels from normal quantiles and
compare them with the table every implementation hard-codes, look at how a value is rounded and
packed, measure NF4 against INT4 and FP4 on Gaussian weights, and test the seed's "optimal":
NF4 spreads the codes evenly, but it does not minimise the error
([erratum 6](errata.md#erratum-6)).

Run it with `swift run ch06-nf4`; `--rows N` changes the test tensor (N × 1024 Gaussian
weights) and `--seed S` its draw (`--help` lists the knobs).

## Why normal quantiles

A 4-bit code has 16 values. Blockwise quantization (bitsandbytes, QLoRA §2) divides each block
of `blocksize` consecutive weights by its largest magnitude, the *absmax*, so every value lands
in $[-1, 1]$, and then rounds it to the nearest of 16 levels $c_0 < \dots < c_{15}$:

$$\hat x_i = \frac{x_i}{\operatorname{absmax}_b}, \qquad
q_i = \arg\min_k |\hat x_i - c_k|, \qquad \tilde x_i = c_{q_i} \cdot \operatorname{absmax}_b .$$

INT4 spaces the levels evenly ($k/7$). But trained weights are close to normally distributed
(QLoRA §3 cites this as the premise of NF4), so most values sit near 0 and evenly spaced
levels waste codes on the tails. NF4 instead places level $k$ at a quantile of the normal
distribution, $c_k \propto \Phi^{-1}(p_k)$, so that each level covers about the same
probability mass: on normal data every code is used about equally often.

Infinite quantiles at $p = 0$ and $p = 1$ are avoided with an offset
$\delta = 0.9677083$ that replaces 1. bitsandbytes (`create_normal_map`) takes 9 evenly spaced
probabilities from $\delta$ to $\tfrac12$ for the positive side (8 levels after dropping
$\tfrac12$), 8 for the negative side (7 levels), adds an exact 0, and divides by the largest:

$$c^{+}_i = \Phi^{-1}\!\big(\operatorname{linspace}(\delta, \tfrac12, 9)_i\big)_{i<8},\quad
c^{-}_i = -\Phi^{-1}\!\big(\operatorname{linspace}(\delta, \tfrac12, 8)_i\big)_{i<7},\quad
c = \frac{\operatorname{sort}(c^{+} \cup \{0\} \cup c^{-})}{\max}.$$

A bad value of a knob prints the usage and exits with status 2.
*/
cell()
//- hide
var options = Options(
    program: "ch06-nf4",
    summary: "Builds the NF4 levels from normal quantiles and measures NF4, FP4 and INT4 on Gaussian weights.")
let rows = options.int("rows", default: 1024, "rows of the N(0,1) test tensor (it has rows × 1024 weights)", in: 16...4096)
let seed = options.int("seed", default: 1, "seed of the test tensor", in: 0...1_000_000)
options.finish()
//- show

/*:
## The 16 levels, derived and hard-coded

`NF4Construction.derivedLevels()` computes the recipe above in Double (our $\Phi^{-1}$ is
Acklam's approximation refined by one Halley step, accurate to about $10^{-15}$).
`NF4.levels` is the float32 table that bitsandbytes hard-codes in its CUDA kernels and that we
copy bit for bit. They do not agree exactly, and the differences are worth seeing rather than
hiding:
*/
cell("The 16 levels, derived and hard-coded")
let derived = NF4Construction.derivedLevels()
let differences = NF4Construction.differencesFromTable()
var levelTable = Table(columns: ["code", "derived Φ⁻¹ (Double)", "table (float32)", "derived − table"])  // hide
for code in 0..<16 {
    levelTable.add(String(code), fmt(derived[code], 12), fmt(Double(NF4.levels[code]), 12), sci(differences[code], 2))
}
levelTable.print()  // hide
let maxDifference = differences.map(abs).max()!
print("Φ⁻¹(δ) = Φ⁻¹(0.9677083) = \(fmt(NF4Construction.inverseNormalCDF(NF4Construction.offset), 9)) (the divisor)")
print("max |derived − table| = \(sci(maxDifference, 2))   bound 1.2e-07: \(maxDifference <= 1.2e-7 ? "within" : "EXCEEDED")")
print("half an ulp of float32 near 0.7 = \(sci(Double(Float(0.7).ulp) / 2, 2))")

/*:
Every difference is below $1.2 \times 10^{-7}$: the table is the same recipe computed in
float32 (torch evaluates the `linspace` and the division in single precision), so the last bit
or so differs. Because codes and dequantized bytes must match bitsandbytes exactly, the library
uses the table and keeps the derivation only to teach where the numbers come from.

## Seven below zero, an exact zero, eight above

The recipe is deliberately lopsided: 8 positive levels, 7 negative ones, and 0. With 16 codes
a symmetric set around an exact zero is impossible (it would need an odd count), so NF4 keeps
the zero and gives the extra level to the positive side.
*/
cell("Seven below zero, an exact zero, eight above")
let negative = NF4.levels.filter { $0 < 0 }.count
let zeros = NF4.levels.filter { $0 == 0 }.count
let positive = NF4.levels.filter { $0 > 0 }.count
print("levels < 0: \(negative)   levels = 0: \(zeros) (code \(NF4.zeroCode))   levels > 0: \(positive)")
print("smallest positive level  \(fmt(Double(NF4.levels[8]), 6))   largest negative level \(fmt(Double(NF4.levels[6]), 6))")
print("step next to zero: +\(fmt(Double(NF4.levels[8]), 6)) on the right, −\(fmt(-Double(NF4.levels[6]), 6)) on the left")
print("exact ends: c₀ = \(fmt(Double(NF4.levels[0]), 1)), c₁₅ = \(fmt(Double(NF4.levels[15]), 1)): each block's absmax weight comes back exactly")

/*:
The exact zero matters: padding, pruned weights and zero biases stay exactly zero after a round
trip. The exact $\pm 1$ means the largest weight of every block is reconstructed without error.
The price is a slightly finer grid on the positive side than on the negative side.

## How a value is rounded

Rounding to the nearest level means comparing $\hat x$ with the 15 midpoints between
neighbouring levels; the code is the number of midpoints strictly below $\hat x$. (Which float32
number each midpoint is, to the last bit, matters only for matching bitsandbytes byte for byte:
see [the section for the curious](#for-the-curious-matching-bitsandbytes-bit-for-bit) at the end.)

The test tensor for the rest of the chapter: `--rows` × 1024 weights drawn from $N(0, 1)$,
each divided by the absmax of its block of 64.
*/
cell("The test weights")
var generator = SeededGenerator(seed: UInt64(seed))
let weights = Matrix<Float>.normal(rows, 1024, using: &generator)
let normalized64 = QuantizationAnalysis.normalized(weights.storage, blocksize: 64)
print("weights: \(grouped(weights.count)) N(0, 1) values, blocksize 64")

/*:
## NF4 against INT4 and FP4 on Gaussian weights

The seed's second claim is that NF4 is more precise than 4-bit integers on normal weights. Here
it is measured for the three 4-bit codebooks of the library at three blocksizes, on the same
$N(0, 1)$ tensor: NF4; bitsandbytes' FP4 (a sign, two exponent bits and one mantissa bit,
scaled so its largest magnitude is 1); and symmetric INT4, $\operatorname{round}(7\hat x)/7$.
Symmetric INT4 uses 15 of its 16 codes, $-7 \dots 7$: a grid symmetric about an exact zero has an
odd number of points, and with absmax scaling ($\hat x \in [-1, 1]$) the 16th code, $-8$,
would never be chosen. NF4 spends its 16th level instead, on an eighth positive level (the
section above). An asymmetric INT4 would use all 16 codes, but needs a zero point per block
besides the scale. Errors are in the units of the weights ($\sigma = 1$):
*/
cell("NF4 against INT4 and FP4 on Gaussian weights")
var errorTable = Table(columns: ["codebook", "blocksize", "mean |error|", "max |error|", "RMS error"])  // hide
var meanErrors: [String: Double] = [:]
for blocksize in [32, 64, 256] {
    for codebook in [FourBitCodebook.nf4, .fp4, .int4] {
        let q = try QuantizedTensor(quantizing: weights, blocksize: blocksize, codebook: codebook)
        let e = QuantizationAnalysis.errors(weights.storage, q.dequantized().storage)
        meanErrors["\(codebook.rawValue.uppercased()) \(blocksize)"] = e.meanAbsolute
        errorTable.add(codebook.rawValue.uppercased(), String(blocksize), fmt(e.meanAbsolute, 6), fmt(e.maxAbsolute, 6), fmt(e.meanSquared.squareRoot(), 6))
    }
}
errorTable.print()  // hide
for blocksize in [32, 64, 256] {
    let (nf4, fp4, int4) = (meanErrors["NF4 \(blocksize)"]!, meanErrors["FP4 \(blocksize)"]!, meanErrors["INT4 \(blocksize)"]!)
    print("blocksize \(blocksize): NF4 mean |error| \(fmt(nf4, 6)) < FP4 \(fmt(fp4, 6)): \(nf4 < fp4)   < INT4 \(fmt(int4, 6)): \(nf4 < int4)")
}

/*:
NF4 has the smallest mean error at every blocksize, as the seed says, and the margin over INT4
is large. bitsandbytes' own test suite (`tests/test_functional.py`) expects a mean error of
about 0.0728 for NF4 and 0.0965 for FP4 at blocksize 64, 0.0677 for NF4 at 32 and 0.0803 at
256, which the rows above reproduce. Smaller blocks help every codebook (a block's absmax is
closer to its typical value), at the price of more scale constants; that trade-off is chapter
[07](07-double-quantization.md)'s subject. The *maximum* error tells a different story: it is set by the widest gap between
levels times the largest absmax, and NF4's widest gaps are in the tails.

The figure shows why: the normalised values $\hat x$ of the whole tensor (blocksize 64), with
the 16 NF4 levels as dashed lines. The levels crowd where the values are.
*/
cell("Figure: the levels over the weights")
var histogram = Histogram(
    title: "Normalised weights x / absmax (blocksize 64) and the 16 NF4 levels",
    values: normalized64.map(Double.init), bins: 100, range: -1...1, xLabel: "x / absmax of its block")
histogram.markers = NF4.levels.map(Double.init)
histogram.markerLabel = "NF4 levels"
histogram.save(as: "ch06-nf4-levels")
print("values binned: \(grouped(histogram.counts.reduce(0, +)))   tallest bin: \(grouped(histogram.counts.max()!))")
// The largest |x̂| of each block: its absmax times the rounded reciprocal 1/absmax.
let blockPeaks = stride(from: 0, to: normalized64.count, by: 64).map { normalized64[$0..<min($0 + 64, normalized64.count)].map(abs).max()! }
let peaksAtOne = blockPeaks.filter { $0 == 1 }.count, peaksOneStepBelow = blockPeaks.filter { $0 == Float(1).nextDown }.count
print("largest |x / absmax| of each of the \(grouped(blockPeaks.count)) blocks (\(percent(Double(blockPeaks.count) / Double(normalized64.count), 2)) of the values):"
      + " exactly 1 in \(grouped(peaksAtOne)), one float32 step below 1 in \(grouped(peaksOneStepBelow))"
      + " → \(peaksAtOne + peaksOneStepBelow == blockPeaks.count ? "every block has a value at ±1" : "some blocks do not reach ±1")")

/*:
The spikes in the outermost bins are made by the scaling, not by the weights: each block's
value of largest magnitude is its absmax, so it normalises to $-1$ or $+1$ (exactly, or one
float32 step short, because the library multiplies by the rounded reciprocal of the absmax),
one value per block, which the last line counts. NF4's outermost levels are $\pm 1$, so each
block's largest weight is stored almost exactly.

## "信息论最优"? Entropy is not error

The seed calls NF4 information-theoretically optimal. What the construction guarantees is
narrower: if $\hat x$ were distributed exactly as the normal distribution the levels were cut
from, every code would be used with about the same probability, so the 4-bit code stream would
carry close to its maximum of 4 bits of entropy. That is a statement about *code usage*, and
even it depends on the data: blockwise absmax scaling divides each block by its own maximum,
which is a random variable, so the values NF4 actually sees are not the distribution it was
designed for ([erratum 6](errata.md#erratum-6); Yoshida 2023, "NF4 Isn't Information
Theoretically Optimal (and that's Good)", arXiv:2306.06965).

First, the entropy of the codes, $H = -\sum_k p_k \log_2 p_k$ with $p_k$ the share of code $k$:
on the design distribution ($z \sim N(0,1)$ divided by $\Phi^{-1}(\delta)$) and on the real,
blockwise-normalised tensor:
*/
cell("Entropy of the codes")
let divisor = NF4Construction.inverseNormalCDF(NF4Construction.offset)
var designGenerator = SeededGenerator(seed: UInt64(seed) &+ 1000)
let design = Matrix<Float>.normal(rows, 1024, std: Float(1 / divisor), using: &designGenerator).storage
let designCounts = QuantizationAnalysis.codeCounts(normalized: design, codebook: .nf4)
let realCounts = QuantizationAnalysis.codeCounts(normalized: normalized64, codebook: .nf4)
//- hide
var entropyTable = Table(columns: ["data", "codebook", "entropy (bits)", "least used code", "most used code"])
func usage(_ counts: [Int]) -> (String, String) {
    let n = Double(counts.reduce(0, +))
    return (percent(Double(counts.min()!) / n, 2), percent(Double(counts.max()!) / n, 2))
}
//- show
let (designMin, designMax) = usage(designCounts)
entropyTable.add("N(0,1) / Φ⁻¹(δ) (design)", "NF4", fmt(QuantizationAnalysis.entropyBits(designCounts), 4), designMin, designMax)
for codebook in [FourBitCodebook.nf4, .fp4, .int4] {
    let counts = QuantizationAnalysis.codeCounts(normalized: normalized64, codebook: codebook)
    let (lo, hi) = usage(counts)
    entropyTable.add("N(0,1), blockwise absmax 64", codebook.rawValue.uppercased(), fmt(QuantizationAnalysis.entropyBits(counts), 4), lo, hi)
}
//- hide
entropyTable.print()
func shares(_ counts: [Int]) -> String {
    let n = Double(counts.reduce(0, +))
    return counts.map { fmt(100 * Double($0) / n, 1) }.joined(separator: " ")
}
//- show
print("share of each code 0…15 (%):")
print("  design data     \(shares(designCounts))")
print("  blockwise, 64   \(shares(realCounts))")
let absmax64 = try QuantizedTensor(quantizing: weights, blocksize: 64).effectiveAbsmax
let meanAbsmax = absmax64.reduce(0.0) { $0 + Double($1) } / Double(absmax64.count)
print("mean absmax of a 64-weight block: \(fmt(meanAbsmax, 3))σ   design divisor Φ⁻¹(δ): \(fmt(divisor, 3))σ")

var usageChart = BarChart(
    title: "How often each NF4 code is used", categories: (0..<16).map(String.init),
    xLabel: "NF4 code", yLabel: "share of weights (%)")
usageChart.add("design data N(0,1)/Φ⁻¹(δ)", values: designCounts.map { 100 * Double($0) / Double(design.count) })
usageChart.add("blockwise absmax, blocksize 64", values: realCounts.map { 100 * Double($0) / Double(normalized64.count) })
usageChart.save(as: "ch06-code-usage")

/*:
On the design data the codes are close to equiprobable and the entropy is close to 4 bits. On
real blockwise-normalised weights it is lower: dividing by a block's maximum, which for 64
normal values is on average well above the design divisor $\Phi^{-1}(\delta)$ (both printed
above), squeezes the values towards 0, so the codes next to zero are overused and the outer
ones starved (the second row of shares, and the figure). It is still the highest of the
three codebooks.

Second, and more to the point: maximal entropy is not minimal error. The quantizer that
minimises the mean squared error on given data is the Lloyd–Max quantizer (Lloyd 1982; Max
1960): alternate "each value goes to its nearest level" and "each level moves to the mean of
its values" until nothing moves. `LloydMax.fit` does that on one draw of blockwise-normalised
values, starting from the NF4 levels; we then measure both codebooks on a *different* draw so
the fitted levels get no home advantage:
*/
cell("Lloyd–Max: the minimum-error 4-bit code for the same data")
var fitGenerator = SeededGenerator(seed: UInt64(seed) &+ 2000)
let fitSample = QuantizationAnalysis.normalized(Matrix<Float>.normal(rows, 1024, using: &fitGenerator).storage, blocksize: 64)
let lloyd = LloydMax.fit(fitSample, initial: NF4.levels.map(Double.init), maxIterations: 2000, tolerance: 1e-7)
let nf4MSE = LloydMax.meanSquaredError(normalized64, levels: NF4.levels.map(Double.init))
let lloydMSE = LloydMax.meanSquaredError(normalized64, levels: lloyd.levels)
print("Lloyd–Max levels after \(lloyd.iterations) rounds:")
print("  " + lloyd.levels.map { fmt($0, 4) }.joined(separator: " "))
print("mean squared error on the normalised test values (blocksize 64):")
print("  NF4        \(sci(nf4MSE, 4))")
print("  Lloyd–Max  \(sci(lloydMSE, 4))   (\(percent(1 - lloydMSE / nf4MSE, 1)) lower than NF4)")
let closestToZero = lloyd.levels.min { abs($0) < abs($1) }!
print("Lloyd–Max level closest to 0: \(fmt(closestToZero, 5));  ends: \(fmt(lloyd.levels.first!, 4)), \(fmt(lloyd.levels.last!, 4))")

/*:
The Lloyd–Max code has a lower squared error than NF4 on exactly the data NF4 is used for, so
NF4 is not the minimum-error 4-bit type, and the seed's "optimal" needs a qualifier: equal
probability mass per level, for a distribution the data only approximately follow. Notice
also what Lloyd–Max gives up: it has no exact zero and its end levels are not $\pm 1$, so a
block's largest weight and true zeros are no longer reproduced exactly. NF4's fixed, simple
construction with those two properties is a reasonable engineering choice ("and that's good"),
just not an optimum.

## Packing two codes into a byte

Codes are stored two per byte, the first element in the *high* nibble, and an odd-length
tensor is padded with the code of 0.0 (code 7 in NF4). The smallest example, one block holding
$[1.0, -1.0, 0.0]$ with absmax 1:
*/
cell("Packing two codes into a byte")
let tiny = try QuantizedTensor(quantizing: Matrix<Float>([[1.0, -1.0, 0.0]]))
let codes = (0..<3).map { Int(tiny.code(at: $0)) }
let hex = tiny.packed.map { byte -> String in
    let text = String(byte, radix: 16, uppercase: true)
    return text.count == 1 ? "0" + text : text
}
print("values     [1.0, -1.0, 0.0]   absmax \(fmt(Double(tiny.effectiveAbsmax[0]), 1))")
print("codes      \(codes.map(String.init).joined(separator: ", ")) (+ padding code \(NF4.zeroCode))")
print("bytes      \(hex.joined(separator: " "))   (0x\(hex[0]) = \(codes[0]) << 4 | \(codes[1]),  0x\(hex[1]) = \(codes[2]) << 4 | \(NF4.zeroCode))")
print("dequantized [\(tiny.dequantized().storage.map { fmt(Double($0), 1) }.joined(separator: ", "))]")
print("storage    \(tiny.storage.codeBytes) code bytes + \(tiny.storage.constantBytes) bytes of absmax")

/*:
`F0 77` is what bitsandbytes' `quantize_4bit(..., quant_type="nf4")` produces for the same
input (the library's tests check this case): code 15 ($+1$) and code 0 ($-1$) in the first byte, code 7 (0) and
the padding 7 in the second.

## Compared with bitsandbytes

- The levels, the thresholds (including the four one-ulp literals), the multiply by
  $1/\text{absmax}$, the nibble order and the padding are bitsandbytes' CUDA path, so
  `QuantizedTensor` produces the same bytes for the same float32 input; the library's tests
  check this against a reference written from the specification.
- bitsandbytes computes the NF4 table with `scipy.stats.norm.ppf` in `create_normal_map` and
  then hard-codes the float32 result in its kernels; we derive it in Double and show the
  difference instead.
- Error figures reproduce bitsandbytes' test expectations for NF4 and FP4 (the table above).

## For the curious: matching bitsandbytes bit for bit

The result above (NF4 against INT4 and FP4) does not depend on this section. It is here for
whoever writes a quantizer that must produce the same bytes as bitsandbytes.

### The 16 levels as float32 bit patterns

A file written by bitsandbytes stores codes, not levels, but a dequantizer must multiply by
exactly these sixteen float32 numbers to reproduce its bytes:
*/
cell("The 16 levels as float32 bit patterns")
var bitsTable = Table(columns: ["code", "level", "float32 bits"])  // hide
for code in 0..<16 {
    let bits = String(NF4.levels[code].bitPattern, radix: 16, uppercase: true)
    bitsTable.add(String(code), fmt(Double(NF4.levels[code]), 9), String(repeating: "0", count: 8 - bits.count) + bits)
}
bitsTable.print()  // hide

/*:
### The 15 thresholds, to the bit

Rounding to the nearest level means comparing $\hat x$ with the 15 midpoints between
neighbouring levels; the code is the number of thresholds strictly below $\hat x$. bitsandbytes
writes these thresholds as decimal literals in a CUDA decision tree (`dQuantizeNF4`). They are
the *double-precision* means of the neighbouring levels, printed with an `f` suffix, so the
compiler rounds each to float32. Recomputing them as float32 means $(c_k + c_{k+1}) \cdot 0.5$
agrees with that for eleven of them; for four the exact mean sits halfway between two floats and
the two roundings go opposite ways, one ulp apart:
*/
cell("How a value is rounded: 15 thresholds")
var thresholdTable = Table(columns: ["k", "exact mean (Double)", "float32 mean", "bitsandbytes literal", "ulps apart"])  // hide
var offByOne: [Int] = []
for k in 0..<15 {
    let exact = (Double(NF4.levels[k]) + Double(NF4.levels[k + 1])) / 2
    let mean32 = (NF4.levels[k] + NF4.levels[k + 1]) * 0.5
    let literal = NF4.thresholds[k]
    let ulps = Int(Int64(literal.bitPattern) - Int64(mean32.bitPattern)) * (literal < 0 ? -1 : 1)
    if ulps != 0 { offByOne.append(k) }
    thresholdTable.add(String(k), fmt(exact, 12), fmt(Double(mean32), 12), fmt(Double(literal), 12), String(ulps))
}
thresholdTable.print()  // hide
print("thresholds one ulp away from the float32 mean: k = \(offByOne.map(String.init).joined(separator: ", "))")

/*:
So an implementation that computes the midpoints itself, or copies the float32 means (as the
spec we started from did), disagrees with bitsandbytes on a one-ulp sliver of inputs next to
four thresholds. That is not worth worrying about for accuracy, but it is worth knowing for a
byte-exact file format, so `NF4.thresholds` holds the CUDA literals. How many of the chapter's
Gaussian test weights actually land in one of those slivers:
*/
cell("How many weights land in a sliver")
var inSliver = 0
for k in offByOne {
    let mean32 = (NF4.levels[k] + NF4.levels[k + 1]) * 0.5
    let (lo, hi) = (min(mean32, NF4.thresholds[k]), max(mean32, NF4.thresholds[k]))
    inSliver += normalized64.filter { $0 >= lo && $0 <= hi }.count
}
print("normalised values inside a one-ulp sliver: \(inSliver)")

/*:
## Summary

- NF4's 16 levels are normal quantiles, normalised to $[-1, 1]$, at probabilities evenly spaced
  from $\delta = 0.9677083$ towards $\tfrac12$ on each side, with different spacings on the two
  halves: 9 points (8 steps) for the positive side, 8 points (7 steps) for the negative one.
  Recomputing them agrees with the hard-coded float32 table to the difference printed above,
  and four of bitsandbytes' 15 rounding thresholds sit one ulp from the float32 midpoints.
- NF4 is asymmetric: 7 negative levels, an exact 0, 8 positive levels, with exact $\pm 1$.
- On Gaussian weights NF4's mean error is below FP4's and INT4's at blocksizes 32, 64 and 256.
- "Information-theoretically optimal" is too strong: NF4 equalises code usage for its design
  distribution, blockwise absmax scaling moves the data away from it, and a Lloyd–Max
  quantizer fitted to the same kind of data has a lower squared error.
- Two codes per byte, first element in the high nibble: $[1, -1, 0] \to$ `F0 77`.

## Exercises

<!-- exercises -->
*/
