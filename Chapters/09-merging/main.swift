// Chapter 09: merging an adapter into the base weight (formula 5): merge, unmerge, merge-and-unload,
// the inference cost, safe merge, and merging into an NF4 base.
import LoRA
import Notebook

/*:
# 09 · Merging: folding the adapter into the weight

**What this chapter shows.** The seed's 合并策略 (merge strategy): after training, fold the
adapter into the base weight, so that "合并后模型与原模型结构相同，部署时无需 LoRA 代码，无额外推理开销"
(the merged model has the original architecture, needs no LoRA code, and costs nothing extra
at inference). We merge, unmerge and merge-and-unload a `LoRALinear` and compare outputs,
count what merging saves at inference, watch a safe merge refuse a broken adapter, and then
merge into a 4-bit NF4 base, where merging is no longer exact.

Run it with `swift run ch09-merging`; `--b-std X` sets the size of the adapter merged into the
NF4 base and `--seed S` the draw.

<a id="formula-5"></a>
## The formula

$$W_{\text{merged}} = W_0 + \frac{\alpha}{r} B A$$

([formula 5](appendix-formulas.md#formula-5))

- **Meaning**: replace the frozen weight and its adapter by one matrix.
- **Variables**: $W_0$ the pre-trained weight; $B$, $A$ the trained factors; $\alpha / r$ the
  same scale $s$ as in the forward pass (formula 3).
- **Intuition**: the forward pass is linear in the weight, $W_0 x + s B (A x) = (W_0 + s B A) x$,
  so one matrix does the work of two paths.

Unmerging subtracts the same product, $W_0 = W_{\text{merged}} - s B A$, recomputed from the
current $A$ and $B$; in floating point both directions are exact only up to rounding.
*/
cell()
//- hide
var options = Options(
    program: "ch09-merging",
    summary: "Merges LoRA adapters into float and NF4 base weights and measures what changes.")
let bStd = options.double("b-std", default: 0.02, "standard deviation of B for the adapter merged into the NF4 base", in: 1e-6...10)
let seed = options.int("seed", default: 8, "seed of weights, adapters and probe inputs", in: 0...1_000_000)
options.finish()
//- show

/*:
## Merge, unmerge, merge-and-unload

A freshly initialised adapter has $B = 0$, and merging it changes nothing, so (as PEFT's
tests do) we first give $B$ non-zero values, as training would. Then we compare the layer's
outputs on a probe batch in every state:
*/
cell("Merge, unmerge, merge-and-unload")
var generator = SeededGenerator(seed: UInt64(seed))
let base = Linear<Float>(weight: .normal(192, 256, std: 0.02, using: &generator), bias: .normal(1, 192, std: 0.01, using: &generator))
var layer = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), using: &generator)
layer.b = .normal(192, 8, std: 0.1, using: &generator)
let probe = Matrix<Float>.normal(32, 256, using: &generator)
let unmerged = layer.forward(probe)
let baseOnly = base.forward(probe)
let firstMerge = try layer.merge()
let merged = layer.forward(probe)
let secondMerge = try layer.merge()
let mergedWeightDrift = layer.base.weight.maxAbsDifference(base.weight)
try layer.unmerge()
let unmergedAgain = layer.forward(probe)
let restoredWeightError = layer.base.weight.maxAbsDifference(base.weight)
let unloaded = layer.mergedAndUnloaded()
let unloadedOutput = unloaded.forward(probe)
print("s = α/r = \(fmt(layer.hyperparameters.scale, 1)),  max |s·B·A| = \(sci(Double(layer.deltaWeight.maxAbs), 3))")
print("merge: \(firstMerge);  merging again: \(secondMerge) (nothing changes)")
var agreement = Table(columns: ["comparison", "max |difference|"])  // hide
agreement.add("merged vs unmerged output", sci(merged.maxAbsDifference(unmerged), 2))
agreement.add("unmerged again vs unmerged output", sci(unmergedAgain.maxAbsDifference(unmerged), 2))
agreement.add("merge-and-unload vs unmerged output", sci(unloadedOutput.maxAbsDifference(unmerged), 2))
agreement.add("W0 after merge + unmerge vs W0", sci(restoredWeightError, 2))
agreement.add("merged output vs base model alone", sci(merged.maxAbsDifference(baseOnly), 2))
agreement.add("merged weight vs W0", sci(mergedWeightDrift, 2))
agreement.print()  // hide
let worst = [merged.maxAbsDifference(unmerged), unmergedAgain.maxAbsDifference(unmerged), unloadedOutput.maxAbsDifference(unmerged)].max()!
print("merged/unmerged max difference \(sci(worst, 2)) (PEFT's tolerance 1e-04): \(worst < 1e-4 ? "agree" : "DISAGREE")")
print("merge-and-unload returns a plain Linear \(unloaded.weight.shapeDescription), trainable: \(unloaded.isTrainable)")

/*:
Merged, unmerged, unmerged-again and unloaded outputs agree to float32 rounding, far inside the
$10^{-4}$ that PEFT's tests allow, while the merged model clearly differs from the base model
alone (so the merge did something). Merge followed by unmerge restores $W_0$ up to rounding,
not bit for bit. A second `merge()` is refused as a no-op (PEFT warns and does nothing). The
unloaded layer stays frozen, as in PEFT, whose merged model keeps the base's `requires_grad`
off; set `isTrainable` to fine-tune it further.

## What merging saves at inference

Unmerged, every token pays for the base product and the adapter's two thin products; merged,
only for the base. Per token, counting a multiply-add as 2 FLOPs, a $(d, k)$ layer costs

$$\text{merged: } 2dk, \qquad \text{unmerged: } 2dk + 2r(k + d) + 2d,$$

where the last $2d$ counts the scaling by $s$ ($d$ multiplies) and the sum with the base output
($d$ adds).

For LLaMA-7B's $4096 \times 4096$ projections:
*/
cell("What merging saves at inference")
var flops = Table(columns: ["r", "merged FLOPs/token", "unmerged FLOPs/token", "extra"])  // hide
let (dModel, kModel) = (4096, 4096)
for r in [8, 16, 64] {
    let mergedFlops = 2 * dModel * kModel
    let unmergedFlops = mergedFlops + 2 * r * (kModel + dModel) + 2 * dModel
    flops.add(String(r), grouped(mergedFlops), grouped(unmergedFlops), percent(Double(unmergedFlops - mergedFlops) / Double(mergedFlops), 3))
}
flops.print()  // hide
var timingGenerator = SeededGenerator(seed: 81)
var timed = try LoRALinear(
    base: Linear<Float>(inFeatures: 1024, outFeatures: 1024, using: &timingGenerator),
    hyperparameters: LoRAHyperparameters(rank: 16, alpha: 32), using: &timingGenerator)
timed.b = .normal(1024, 16, std: 0.01, using: &timingGenerator)
let batch = Matrix<Float>.normal(256, 1024, using: &timingGenerator)
let unmergedTime = medianTime(repetitions: 7) { _ = timed.forward(batch) }
try timed.merge()
let mergedTime = medianTime(repetitions: 7) { _ = timed.forward(batch) }
print("forward of 256 tokens through (1024, 1024), r = 16: unmerged \(live(duration(unmergedTime))), merged \(live(duration(mergedTime)))")

/*:
The extra FLOPs of an unmerged adapter are a fraction of a percent to a few percent, and the
live timing (at a terminal) shows the same order. The more practical gains of merging are
elsewhere: one matrix multiply instead of three kernel launches, no dropout or scaling logic,
and a model any inference engine can load. The cost: a merged model carries *one* adapter;
switching tasks means unmerging or keeping copies.

## Safe merge refuses a broken adapter

A diverged training run can leave NaN or infinity in $A$ or $B$. Merging that writes it into
the base weight permanently. PEFT's `merge(safe_merge=True)` computes the merge on a copy and
refuses if the result is not finite; `LoRALinear.merge(safe: true)` does the same. One NaN in $B$:
*/
cell("Safe merge refuses a broken adapter")
var broken = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), adapterName: "diverged", using: &generator)
broken.b = .normal(192, 8, std: 0.1, using: &generator)
broken.b[3, 5] = .nan
do {
    try broken.merge(safe: true)
    print("safe merge accepted the adapter (unexpected)")
} catch {
    print("safe merge: \(error)")
}
print("after the refusal: merged = \(broken.isMerged), base weight unchanged: \(broken.base.weight == base.weight)")
var careless = broken
try careless.merge()
let poisoned = careless.base.weight.storage.filter { !$0.isFinite }.count
print("a plain merge would have written \(grouped(poisoned)) non-finite weights (row 3 of W: one NaN in B spreads along a whole row of B·A)")

/*:
## Merging into an NF4 base

With QLoRA the base is 4-bit. $\operatorname{dequant}(W_4) + sBA$ is a float matrix that is
not representable in NF4, so merging into a 4-bit model means: dequantize, add, and quantize
again (PEFT's bitsandbytes path). Re-quantization rounds each merged weight to its block's
NF4 grid: where $sBA$ is smaller than about half a quantization step the weight rounds back to
its old code and the update is lost; elsewhere the code flips. PEFT warns that generations
may differ. `QLoRALinear.mergedWeight(probe:)` merges and reports both effects:
*/
cell("Merging into an NF4 base")
var qGenerator = SeededGenerator(seed: UInt64(seed) &+ 100)
let w0 = Matrix<Float>.normal(512, 512, std: 0.02, using: &qGenerator)
let qBase = Linear<Float>(weight: w0, bias: nil)
var qlora = try QLoRALinear(base: qBase, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), using: &qGenerator)
qlora.b = .normal(512, 8, std: Float(bStd), using: &qGenerator)
let qProbe = Matrix<Float>.normal(64, 512, using: &qGenerator)
let (mergedNF4, report) = try qlora.mergedWeight(probe: qProbe)
let yAdapter = qlora.forward(qProbe)
let yBase4 = Linear<Float>(weight: qlora.weight.dequantized()).forward(qProbe)
print("W0 (512, 512) ~ N(0, 0.02²), NF4 blocksize 64 + DQ;  B ~ N(0, \(fmt(bStd, 4))²), r = 8, s = 2")
print("max |s·B·A| = \(sci(Double(qlora.deltaWeight.maxAbs), 3));  mean gap between NF4 levels, 2·absmax/15 ≈ \(sci(Double(qlora.weight.effectiveAbsmax.reduce(0, +)) / Double(qlora.weight.blockCount) * 2 / 15, 3))")
print("codes that flipped:       \(percent(report.flippedCodeFraction, 2))")
print("weight error of re-quantization: mean \(sci(report.meanWeightError, 3)), max \(sci(report.maxWeightError, 3))")
print("output error vs the unmerged QLoRA layer: mean \(sci(report.meanOutputError!, 3)), max \(sci(report.maxOutputError!, 3))")
print("for scale, the adapter's own effect on the output: mean \(sci((yAdapter - yBase4).map { abs($0) }.mean, 3)), max \(sci(yAdapter.maxAbsDifference(yBase4), 3))")

/*:
The merged 4-bit layer is not the layer that was trained: its output differs from the
unmerged QLoRA layer by an amount comparable to the adapter's own effect. How much survives
depends on the size of the update relative to the quantization step. Sweeping the size of $B$
(the relative error is $\lVert y_{\text{merged}} - y_{\text{QLoRA}} \rVert / \lVert y_{\text{QLoRA}} - y_{\text{base}} \rVert$,
how much of the adapter's effect the merge gets wrong):
*/
cell("How big an update survives re-quantization")
var sweep = Table(columns: ["std of B", "max |s·B·A|", "codes flipped", "max change of dequantized W", "relative output error"])  // hide
for std in [0.001, 0.01, 0.1, 1.0] {
    var variant = qlora
    var g = SeededGenerator(seed: UInt64(seed) &+ 200)
    variant.b = .normal(512, 8, std: Float(std), using: &g)
    let (w, r) = try variant.mergedWeight()
    let yMerged = Linear<Float>(weight: w.dequantized()).forward(qProbe)
    let yQ = variant.forward(qProbe)
    let relative = (yMerged - yQ).frobeniusNorm / (yQ - yBase4).frobeniusNorm
    let change = w.dequantized().maxAbsDifference(variant.weight.dequantized())
    sweep.add(fmt(std, 3), sci(Double(variant.deltaWeight.maxAbs), 2), percent(r.flippedCodeFraction, 2), sci(change, 2), percent(relative, 1))
}
sweep.print()  // hide

/*:
Small updates are mostly rounded away (few codes flip, and the merged model misses most of
what the adapter did); large updates flip many codes and survive better in relative terms.
The smallest update shows a second effect: no code flips, yet the dequantized weight still
changes and the relative error exceeds 100%. Re-quantizing also recomputes each block's absmax
and double-quantizes the scales again (a new offset, new 8-bit codes), so the scales move by
about as much as this tiny update: the merge adds its own error on top of losing the adapter.
Either way the merged 4-bit model is an approximation; keeping the adapter separate, or
merging into a 16-bit copy of the base for deployment, avoids the re-quantization.

## Which base to merge into: dequant(W₄), not W₀

If the original full-precision $W_0$ is still around, it is tempting to merge into it: it is
the "real" weight. But the adapter was trained on top of $\operatorname{dequant}(W_4)$: the
model whose behaviour we validated is $\operatorname{dequant}(W_4) + sBA$, and during training
the adapter may even have learned to compensate for quantization error. Merging into $W_0$
swaps the base under the adapter. Measured against the unmerged QLoRA layer, for the four
combinations of base and storage:
*/
cell("Which base to merge into")
let delta = qlora.deltaWeight
var intoDequant = qlora.weight.dequantized()
intoDequant.add(delta, scaledBy: 1)
var intoOriginal = w0
intoOriginal.add(delta, scaledBy: 1)
let candidates: [(String, Matrix<Float>)] = [
    ("dequant(W4) + sBA, kept in float32", intoDequant),
    ("W0 + sBA, kept in float32", intoOriginal),
    ("dequant(W4) + sBA, re-quantized to NF4", try QuantizedTensor(quantizing: intoDequant, doubleQuantization: true).dequantized()),
    ("W0 + sBA, re-quantized to NF4", try QuantizedTensor(quantizing: intoOriginal, doubleQuantization: true).dequantized()),
]
var bases = Table(columns: ["merged weight", "mean |y − y_QLoRA|", "max |y − y_QLoRA|"])  // hide
var baseErrors: [Double] = []
for (label, weight) in candidates {
    let difference = Linear<Float>(weight: weight).forward(qProbe) - yAdapter
    baseErrors.append(difference.map { abs($0) }.mean)
    bases.add(label, sci(baseErrors.last!, 3), sci(Double(difference.maxAbs), 3))
}
bases.print()  // hide
print("merging into W0 instead of dequant(W4): \(fmt(baseErrors[3] / baseErrors[2], 2))× the output error after re-quantization, \(sci(baseErrors[1] / baseErrors[0], 2))× in float32")

/*:
Merging into $\operatorname{dequant}(W_4)$ and keeping the result in float32 reproduces the
QLoRA layer up to rounding. Merging into $W_0$ does not: the output moves by the whole
quantization error of the base, which the adapter never saw, and re-quantizing adds fresh
rounding on top. Each choice is a trade-off rather than a rule: the float merge is exact but
as large as a float model; the re-quantized merge is 4-bit but no longer the trained model;
merging into $W_0$ gives a float model that was never validated. The adapter here is random,
to show the mechanism on one layer; [chapter 13](13-quantization-meets-lora.md) makes the same
three merges with a QLoRA adapter *trained* on the tiny transformer of chapter 10 and measures
what each does to its accuracy over five seeds. PEFT's 4-bit merge is the re-quantized one.

## Compared with PEFT

- `model.merge_adapter()` / `unmerge_adapter()` and `merge_and_unload()` correspond to
  `merge()`, `unmerge()` and `mergedAndUnloaded()`; `merge(safe_merge=True)` to `merge(safe: true)`.
  PEFT's tests use the same checks as above: non-zero $B$, outputs within
  `atol = rtol = 1e-4` across merge states, and a merged output that differs from the base.
- With several adapters merged into one layer, PEFT unmerges them in reverse order (last in,
  first out); our `LoRALinear` holds one adapter.
- For a `bnb.nn.Linear4bit` base PEFT dequantizes, adds $sBA$, re-quantizes into new NF4
  blocks and warns that outputs may change, which is what `QLoRALinear.mergedWeight` measures.

## Summary

- $W_{\text{merged}} = W_0 + \frac{\alpha}{r} BA$ is exact by linearity; in float32 merged,
  unmerged and unloaded outputs agree to rounding (well inside PEFT's $10^{-4}$), and unmerge
  restores $W_0$ up to rounding.
- Merging removes the adapter's extra FLOPs (a few percent at most for typical ranks) and the
  extra code path: "无额外推理开销" is right.
- Safe merge computes on a copy and refuses non-finite results; one NaN in $B$ would otherwise
  poison a whole row of $W$.
- Merging into a 4-bit base re-quantizes: some codes flip, small updates are rounded away, and
  the merged model differs from the trained one.
- Merge into $\operatorname{dequant}(W_4)$, the base the adapter was trained with, not the
  original $W_0$.

## Exercises

<!-- exercises -->
*/
