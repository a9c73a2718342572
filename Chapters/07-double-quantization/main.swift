// Chapter 07: double quantization: the cost of the blockwise scales, quantizing them again,
// the bits per parameter on a real tensor, the gigabytes saved on LLaMA-7B/65B, and what it costs in accuracy.
import LoRA
import Notebook

/*:
# 07 · Double quantization: compressing the compression constants

**What this chapter shows.** The seed's second QLoRA technique, 双重量化 (double
quantization): "对量化常数再次量化" (quantize the quantization constants again), "进一步减少内存
（约 0.5GB/65B模型）" (saving about 0.5 GB on a 65B model). The idea is right; the number is
not. We count what the blockwise scales cost, quantize them as bitsandbytes does, measure the
bits per parameter on a real 4096 × 4096 NF4 tensor, convert that into gigabytes for LLaMA-7B
and LLaMA-65B (about 3 GB on 65B, [erratum 4](errata.md#erratum-4)), and measure what double
quantization costs in accuracy.

Run it with `swift run ch07-double-quantization`; `--size N` changes the test tensor to
N × N and `--seed S` its draw.

## What the scales cost

Chapter 06 quantized each block of $b$ consecutive weights with its own absmax, a float32:
32 bits per block, on top of 4 bits per weight. Per parameter that is (QLoRA §3)

$$\text{bits/param} = 4 + \frac{32}{b} \qquad (b = 64:\ 4 + 0.5 = 4.5).$$

Smaller blocks quantize more accurately (chapter 06's table) but pay more for scales; at
$b = 64$ the scales alone are an eighth of the 4-bit payload. Double quantization (DQ)
quantizes those absmax values in turn: subtract their mean $c$, quantize the centred values in
groups of 256 with an 8-bit code, and keep one float32 per group plus the one offset:

$$\text{bits/param} = 4 + \frac{8}{b} + \frac{32}{256\,b} \qquad (b = 64:\ 4 + 0.125 + 0.00195 = 4.127).$$
*/
cell()
//- hide
var options = Options(
    program: "ch07-double-quantization",
    summary: "Counts and measures the memory saved by double quantization of NF4 absmax constants.")
let size = options.int("size", default: 4096, "the test tensor is size × size N(0, 1) weights", in: 64...8192)
let seed = options.int("seed", default: 6, "seed of the test tensor", in: 0...1_000_000)
options.finish()
//- show

/*:
## The formula for common blocksizes
*/
cell("The formula for common blocksizes")
var formula = Table(columns: ["blocksize b", "scales, float32 (bits/param)", "total", "scales with DQ (bits/param)", "total with DQ", "saved"])  // hide
for b in [32, 64, 128, 256] {
    let plain = QuantizationStorage.formulaBitsPerParameter(blocksize: b, doubleQuantization: false)
    let dq = QuantizationStorage.formulaBitsPerParameter(blocksize: b, doubleQuantization: true)
    formula.add(String(b), fmt(plain - 4, 6), fmt(plain, 6), fmt(dq - 4, 6), fmt(dq, 6), fmt(plain - dq, 6))
}
formula.print()  // hide

/*:
At the QLoRA default $b = 64$, DQ cuts the constants from 0.5 to about 0.127 bits per
parameter, a saving of 0.373 bits per parameter.

## Measured on a real tensor

A formula is a claim about storage; `QuantizedTensor.storage` counts the bytes a tensor really
holds: the packed codes, and either one float32 per block or (with DQ) one byte per block, one
float32 per 256 blocks and the 4-byte offset. On a 4096 × 4096 matrix of $N(0, 1)$ weights
(the shape of LLaMA-7B's attention projections):
*/
cell("Measured on a real tensor")
var generator = SeededGenerator(seed: UInt64(seed))
let weights = Matrix<Float>.normal(size, size, using: &generator)
let plain = try QuantizedTensor(quantizing: weights, blocksize: 64, doubleQuantization: false)
let doubled = try QuantizedTensor(quantizing: weights, blocksize: 64, doubleQuantization: true)
var storageTable = Table(columns: ["", "parameters", "code bytes", "constant bytes", "total", "bits per parameter"])  // hide
for (label, tensor) in [("NF4, float32 absmax", plain), ("NF4 + double quantization", doubled)] {
    let s = tensor.storage
    storageTable.add(label, grouped(s.parameters), grouped(s.codeBytes), grouped(s.constantBytes), bytes(s.totalBytes), fmt(s.bitsPerParameter, 6))
}
storageTable.print()  // hide
print("bits per parameter without DQ: \(fmt(plain.storage.bitsPerParameter, 6))   formula \(fmt(QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: false), 6))")
print("bits per parameter with DQ:    \(fmt(doubled.storage.bitsPerParameter, 6))   formula \(fmt(QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: true), 6))")
print("float32 would need \(bytes(4 * weights.count)), 16-bit \(bytes(2 * weights.count))")

/*:
The measured value with DQ sits a hair above the formula: the formula leaves out the single
4-byte offset, which on $2^{24}$ weights adds a few millionths of a bit per parameter.

## What the second quantization does

The absmax values of a Gaussian tensor are all positive and bunched together: subtracting
their mean $c$ centres them on zero, so a *signed* 8-bit code can use its whole range.
bitsandbytes quantizes them with its signed 8-bit "dynamic" map (256 values from
−0.99296875 to 1 with fine steps near 0 and coarse steps near ±1; the QLoRA paper calls it
8-bit float, but it is not IEEE FP8) in blocks of 256 constants, each with its own float32
absmax₂:

$$c = \operatorname{mean}_j \operatorname{absmax}_j, \quad
q_j = \operatorname{dyn8}\!\left(\frac{\operatorname{absmax}_j - c}{\operatorname{absmax}_{2,g}}\right), \quad
\operatorname{absmax}'_j = \operatorname{dyn}[q_j] \cdot \operatorname{absmax}_{2,g} + c,
\quad g = \lfloor j / 256 \rfloor .$$
*/
cell("What the second quantization does")
let absmax = plain.effectiveAbsmax
let absmaxDQ = doubled.effectiveAbsmax
guard case .doubleQuantized(let dq) = doubled.scales else { fatalError("expected double-quantized scales") }
let absmaxMean = absmax.reduce(0.0) { $0 + Double($1) } / Double(absmax.count)
print("first-level constants: \(grouped(absmax.count)) absmax values, min \(fmt(Double(absmax.min()!), 4)), mean \(fmt(absmaxMean, 4)), max \(fmt(Double(absmax.max()!), 4))")
print("offset c = \(fmt(Double(dq.offset), 6));  centred range [\(fmt(Double(absmax.min()!) - Double(dq.offset), 4)), \(fmt(Double(absmax.max()!) - Double(dq.offset), 4))]")
print("second level: \(grouped(dq.absmax2.count)) groups of \(DoubleQuantizedScales.groupSize), one float32 absmax₂ each; \(grouped(dq.codes.count)) one-byte codes")
let dyn = DynamicMap.values
print("dynamic map: \(dyn.count) values, dyn[0] = \(fmt(Double(dyn[0]), 8)), dyn[127] = \(fmt(Double(dyn[127]), 1)), dyn[255] = \(fmt(Double(dyn[255]), 1))")
print("  step next to 0: \(sci(Double(dyn[128] - dyn[127]), 2));  step next to 1: \(sci(Double(dyn[255] - dyn[254]), 2))")
var firstBlocks = Table(columns: ["block j", "absmax_j", "code q_j", "absmax'_j", "absmax' − absmax"])  // hide
for j in 0..<5 {
    firstBlocks.add(String(j), fmt(Double(absmax[j]), 6), String(dq.codes[j]), fmt(Double(absmaxDQ[j]), 6), sci(Double(absmaxDQ[j]) - Double(absmax[j]), 2))
}
firstBlocks.print()  // hide

/*:
## What it costs in accuracy

Double quantization perturbs each block's scale, so every weight of the block is reconstructed
with a slightly wrong factor. How much that matters, on the same tensor:
*/
cell("What it costs in accuracy")
let scaleErrors = zip(absmaxDQ, absmax).map { Double($0) - Double($1) }
let maxScaleError = scaleErrors.map(abs).max()!
let maxRelativeScaleError = zip(scaleErrors, absmax).map { abs($0) / Double($1) }.max()!
let errorsPlain = QuantizationAnalysis.errors(weights.storage, plain.dequantized().storage)
let errorsDQ = QuantizationAnalysis.errors(weights.storage, doubled.dequantized().storage)
print("max |absmax' − absmax| = \(fmt(maxScaleError, 6))   (max relative \(percent(maxRelativeScaleError, 3)))")
var accuracy = Table(columns: ["", "mean |error|", "max |error|", "RMS error"])  // hide
accuracy.add("NF4, float32 absmax", fmt(errorsPlain.meanAbsolute, 6), fmt(errorsPlain.maxAbsolute, 6), fmt(errorsPlain.meanSquared.squareRoot(), 6))
accuracy.add("NF4 + DQ", fmt(errorsDQ.meanAbsolute, 6), fmt(errorsDQ.maxAbsolute, 6), fmt(errorsDQ.meanSquared.squareRoot(), 6))
accuracy.print()  // hide
print("mean |error| grows by \(percent(errorsDQ.meanAbsolute / errorsPlain.meanAbsolute - 1, 3)) for \(percent(1 - doubled.storage.bitsPerParameter / plain.storage.bitsPerParameter, 2)) less memory")

/*:
Each scale moves by at most about a percent of itself (typically much less), which is small
next to the 4-bit rounding steps of chapter 06, so the weights' mean error barely moves and the
largest error not at all: DQ is almost free in accuracy. (The QLoRA paper
reports no degradation from it in its ablations.)

## The blocksize trade-off, with and without DQ

DQ changes where the trade-off between blocksize and memory lands. On the same tensor:
*/
cell("The blocksize trade-off, with and without DQ")
var tradeoff = Table(columns: ["blocksize", "DQ", "bits per parameter", "mean |error|"])  // hide
for b in [32, 64, 128, 256] {
    for useDQ in [false, true] {
        let q = try QuantizedTensor(quantizing: weights, blocksize: b, doubleQuantization: useDQ)
        let e = QuantizationAnalysis.errors(weights.storage, q.dequantized().storage)
        tradeoff.add(String(b), useDQ ? "yes" : "no", fmt(q.storage.bitsPerParameter, 4), fmt(e.meanAbsolute, 6))
    }
}
tradeoff.print()  // hide

/*:
With DQ, blocksize 32 takes less memory than blocksize 64 without it and is more accurate:
the bits DQ frees can buy smaller blocks.

## Gigabytes: 7B and 65B

QLoRA quantizes the linear layers of every transformer block (embeddings, the output head and
norms stay 16-bit). `ModelSpec` counts those parameters from the LLaMA shapes (chapter 02);
`MemoryEstimator.doubleQuantizationSavings` multiplies by the 0.373 bits saved:
*/
cell("Gigabytes: 7B and 65B")
var savings = Table(columns: ["model", "quantized parameters", "constants, float32", "constants, DQ", "saved by DQ"])  // hide
for model in [ModelSpec.llama7B, .llama65B] {
    let n = Double(model.linearParameterCount)
    let plainBytes = n * (QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: false) - 4) / 8
    let dqBytes = n * (QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: true) - 4) / 8
    savings.add(model.name, grouped(model.linearParameterCount), bytes(plainBytes, decimal: true), bytes(dqBytes, decimal: true),
                bytes(MemoryEstimator.doubleQuantizationSavings(model), decimal: true))
}
savings.print()  // hide
let saved65 = MemoryEstimator.doubleQuantizationSavings(.llama65B)
let paper65 = 0.373 * 65e9 / 8
print("QLoRA paper, 0.373 bits × 65e9 parameters / 8 = \(fmt(paper65 / 1e9, 2)) GB")
print("LLaMA-65B, counted: \(fmt(saved65 / 1e9, 2)) GB saved;  the seed's \"约 0.5GB\" is \(fmt(saved65 / 0.5e9, 1)) times too small")

/*:
The saving is about 3 GB on a 65B model, as the QLoRA paper says ("approximately 3 GB for a
65B model"), not the seed's 0.5 GB ([erratum 4](errata.md#erratum-4)). Counting only the
linear layers that QLoRA actually quantizes gives slightly less than the paper's round
$0.373 \times 65 \times 10^9 / 8$, which treats all 65 billion parameters as quantized.
Chapter 08 puts these gigabytes next to the rest of a 65B QLoRA memory budget.

## Compared with bitsandbytes

- `quantize_4bit(..., compress_statistics=True)` does exactly this: the offset is
  `absmax.mean()`, the centred constants go through `quantize_blockwise` with blocksize 256
  and the signed dynamic map, and `dequantize_4bit` rebuilds absmax′ before the 4-bit
  dequantization. Our codes, absmax₂ and dequantized values follow the same steps
  (`functional.py`, `quantize_4bit` and `dequantize_4bit`).
- One difference we cannot avoid: torch computes the mean in float32 with an unspecified
  CUDA reduction order, so its offset can differ from ours in the last bit; everything after
  the offset is exact.
- In Hugging Face `BitsAndBytesConfig` the switch is `bnb_4bit_use_double_quant=True`.

## Summary

- Blockwise scales cost $32/b$ bits per parameter: 0.5 at $b = 64$, so NF4 is 4.5 bits per
  parameter, not 4.
- Double quantization stores each scale in 8 bits (dynamic map, groups of 256, a mean offset):
  4.127 bits per parameter, measured on a real tensor's storage.
- It saves 0.373 bits per quantized parameter: about 3 GB on LLaMA-65B (0.3 GB on
  LLaMA-7B), not the seed's 0.5 GB.
- Its accuracy cost is tiny: each scale moves by at most about a percent, and the weights'
  mean error grows by about a tenth of a percent.

## Exercises

<!-- exercises -->
*/
