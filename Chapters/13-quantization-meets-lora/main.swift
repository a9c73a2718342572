// Chapter 13: what 4-bit quantization costs a trained model, what LoRA recovers, LoftQ, and merging a QLoRA adapter.
import Foundation
import LoRA
import Notebook
import Experiments

/*:
# 13 · Quantization error meets LoRA

**What this chapter shows.** QLoRA's premise, measured: quantizing a trained model's linear
layers to NF4 costs it something, and a LoRA adapter trained on the 4-bit base can win it back.
Then **LoftQ** (Li et al., 2023; PEFT's `init_lora_weights="loftq"`), which chooses the 4-bit
weight and the adapter's starting point together so that the adapter starts by cancelling the
quantization error; and what happens when a trained QLoRA adapter is merged for deployment,
into each of the three bases a user might merge it into.

The model is [chapter 10](10-training.md)'s pre-trained tiny transformer (same seed, data and
600 steps): it was trained on `copy`, `sort` and `shift1`, and those pre-training tasks are
where quantization's damage shows.

Run it with `swift run ch13-quantization-meets-lora` (about a minute and a half in a debug
build); its knobs are listed below (a bad value exits with status 2). The page is generated
with the defaults. BLAS runs on one thread, as in chapter 10.

**How comparisons are made.** Each comparison here sets two arms side by side on the same
seeds: seed $i$ fixes the order of the training batches for both (and the adapter's random
start wherever both draw one), both are scored on the same held-out examples, and a merged
model is computed from the very run it is compared with. So every verdict is *paired by seed*:
the 95% CI of the mean of the per-seed differences $a_i - b_i$ (Student's $t$ with
$n - 1$ degrees of freedom), as in every training chapter (chapter [10](10-training.md)'s
primer). Welch's interval, which treats the two arms as independent samples, is the wrong model
for such arms, and not a safe substitute either way: it ignores their correlation, so it is too
wide when the seeds move both arms together and too narrow when they move them apart. Each
verdict line names its interval, and the recovery section prints both for one comparison.
Losses are compared as ratios (a margin that is a factor), except the recovery lines, whose
margin is fixed in loss units by what NF4 cost.
*/
cell()
//- hide
var options = Options(
    program: "ch13-quantization-meets-lora",
    summary: "NF4's cost to a trained model, what LoRA recovers, LoftQ against the default init, and merging a QLoRA adapter.")
let steps = options.int("steps", default: 100, "fine-tuning steps per run", in: 20...2000)
let seedCount = options.int("seeds", default: 5, "seeds per method (verdicts need at least 2)", in: 2...20)
options.finish()
BLASInfo.setThreadCount(1)
//- show
/// The tasks, the model's shape, the held-out sets and the pre-trained model: the training
/// chapters' shared miniature (`Miniature` in the Experiments module; chapter 10 shows it).
let suite = Miniature.suite, configuration = Miniature.configuration
let qv: TargetModules = .names(["q_proj", "v_proj"])
let hyperparameters = LoRAHyperparameters(rank: 8, alpha: 16)
let seeds = (1...seedCount).map(UInt64.init)
/// Rates are chosen on these seeds (and validation examples), which no reported run uses.
let tuningSeeds: [UInt64] = [101, 102]

/// 256 held-out examples of `task`; `validation` sets pick learning rates, the others report.
func heldOut(_ task: SequenceTask, validation: Bool = false) -> TokenBatch { Miniature.heldOut(task, validation: validation) }

/// Mean held-out loss and token accuracy over the pre-training tasks.
func pretrainingScore(_ model: TransformerModel<Float>) -> (loss: Double, tokens: Double) {
    let results = suite.pretraining.map { model.evaluate(heldOut($0)) }
    return (results.map(\.loss).reduce(0, +) / 3, results.map(\.tokenAccuracy).reduce(0, +) / 3)
}

let pretrained = Miniature.pretrained()

/*:
## What NF4 costs the trained model

Quantize every linear layer but the output head, as bitsandbytes' `load_in_4bit` does
(`TransformerModel.quantized()`), with and without double quantization (blocksize 64), and
measure the model on its own pre-training tasks (held-out loss and token accuracy, the mean over
`copy`, `sort` and `shift1`). Then quantize one kind of layer at a time to see where the damage
comes from; the relative weight error $\lVert W - \operatorname{dequant}(Q(W)) \rVert_F / \lVert W \rVert_F$
is about the same for every kind (NF4 sees only blocks of 64 numbers; the last column), so the
differences come from how much each kind of layer contributes to the output.
*/
cell("What NF4 costs the trained model")
/// The model with the linear layers whose path ends in one of `kinds` quantized to NF4.
func quantizing(_ kinds: [String], doubleQuantization: Bool = true) throws -> TransformerModel<Float> {
    var model = pretrained
    try model.updateLinearLayers { path, layer in
        guard kinds.contains(where: { path.hasSuffix("." + $0) }), let dense = layer as? Linear<Float> else { return }
        layer = try QuantizedLinear(quantizing: dense, blocksize: 64, codebook: .nf4, doubleQuantization: doubleQuantization)
    }
    return model
}
let float = pretrainingScore(pretrained)
let nf4 = try pretrained.quantized(blocksize: 64, doubleQuantization: false)
let nf4dq = try pretrained.quantized(blocksize: 64, doubleQuantization: true)
var costTable = Table(columns: ["model", "held-out loss", "loss increase", "token accuracy", "relative weight error"])  // hide
costTable.add("float32 (pre-trained)", fmt(float.loss, 4), "", percent(float.tokens, 2), "")
func weightError(_ kinds: [String], doubleQuantization: Bool) throws -> Double {
    var error = 0.0, total = 0.0
    for path in pretrained.linearLayerNames where kinds.contains(where: { path.hasSuffix("." + $0) }) {
        let w = (pretrained[linear: path] as! Linear<Float>).weight
        let q = try QuantizedTensor(quantizing: w, blocksize: 64, codebook: .nf4, doubleQuantization: doubleQuantization)
        error += (w - q.dequantized()).sumOfSquares
        total += w.sumOfSquares
    }
    return (error / total).squareRoot()
}
let allKinds = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"]
for (label, model, dq) in [("NF4, all linear but lm_head", nf4, false), ("NF4 + double quantization", nf4dq, true)] {
    let s = pretrainingScore(model)
    costTable.add(label, fmt(s.loss, 4), fmt(s.loss - float.loss, 4), percent(s.tokens, 2), fmt(try weightError(allKinds, doubleQuantization: dq), 4))
}
for kind in allKinds {
    let s = pretrainingScore(try quantizing([kind]))
    costTable.add("NF4 + DQ, \(kind) only", fmt(s.loss, 4), fmt(s.loss - float.loss, 4), percent(s.tokens, 2),
                  fmt(try weightError([kind], doubleQuantization: true), 4))
}
costTable.print()  // hide

/*:
The whole-model rows are the cost QLoRA starts from; the per-kind rows split it (their
increases need not add up to the whole: the errors interact through the non-linear layers).
Double quantization only re-rounds the block constants (to 8 bits, chapter
[07](07-double-quantization.md)); compare its row with plain NF4's.

## What a LoRA adapter on the 4-bit base recovers

QLoRA's premise is that an adapter trained on the frozen 4-bit model makes up for what
quantization lost. Train LoRA ($r = 8$ on `q_proj` and `v_proj`) on the pre-training tasks for
100 steps, on the NF4 + DQ base and, as a control, on the float base (the pre-trained model is
not converged, so training it further helps on its own): the held-out loss on the pre-training
tasks, over the seeds, each at the learning rate of 3e-4, 1e-3 and 3e-3 with the lowest mean
loss on a validation set over two tuning seeds that no reported run uses (the table shows the
choice).
*/
cell("What a LoRA adapter on the 4-bit base recovers")
func recoveryRun(quantized: Bool, rate: Double, seed: UInt64) throws -> (validation: Double, test: Double) {
    var model = pretrained
    if quantized {
        try model.injectQLoRA(targets: qv, hyperparameters: hyperparameters, blocksize: 64, doubleQuantization: true, seed: 200 + seed)
    } else {
        try model.injectLoRA(targets: qv, hyperparameters: hyperparameters, seed: 200 + seed)
    }
    trainQuietly(&model, steps: steps, learningRate: rate, seed: 400 + seed, tasks: suite.pretraining)
    let validation = suite.pretraining.map { model.evaluate(heldOut($0, validation: true)).loss }.reduce(0, +) / 3
    return (validation, pretrainingScore(model).loss)
}
let rateLadder = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
var recovery: [String: [Double]] = [:]  // the held-out loss per seed at the chosen rate
var recoveryTable = Table(columns: ["model", "lr (validation loss per rate)", "held-out loss", "vs float32 pre-trained"])  // hide
recoveryTable.add("float32 pre-trained", "", fmt(float.loss, 4), "")
recoveryTable.add("NF4 + DQ, no adapter", "", fmt(pretrainingScore(nf4dq).loss, 4), fmt(pretrainingScore(nf4dq).loss - float.loss, 4))
for (label, quantized) in [("float32 + LoRA (control)", false), ("NF4 + DQ + LoRA (QLoRA)", true)] {
    // The runs of each rate, and the report runs, are independent: they share the cores.
    let progress = SharedProgress(total: 3 * tuningSeeds.count + seedCount, label: label)
    let search = try searchRates(start: [3e-4, 1e-3, 3e-3], ladder: rateLadder, score: { $0.validation }) { rate in
        try parallelRuns(tuningSeeds, progress: progress) { try recoveryRun(quantized: quantized, rate: rate, seed: $0) }
    }
    let (grid, byRate, choice) = (search.grid, search.runs, search.choice)
    let reported = try parallelRuns(seeds, progress: progress) { try recoveryRun(quantized: quantized, rate: choice.rate, seed: $0) }
    progress.finish()
    let test = Estimate(reported.map(\.test))
    recovery[label] = reported.map(\.test)
    recoveryTable.add(label, grid.map { "\(sci($0, 0)): \(fmt(Estimate(byRate[$0]!.map(\.validation)).mean, 4))" }.joined(separator: ", ")
                      + " → \(sci(choice.rate, 0))" + (choice.isInterior ? "" : " (grid end)"),
                      test.formatted(4), fmt(test.mean - float.loss, 4))
}
recoveryTable.print()  // hide
let lostByQuantization = pretrainingScore(nf4dq).loss - float.loss
let qloraLosses = recovery["NF4 + DQ + LoRA (QLoRA)"]!, controlLosses = recovery["float32 + LoRA (control)"]!
let qloraEstimate = Estimate(qloraLosses), controlEstimate = Estimate(controlLosses)
let recoveryMargin = lostByQuantization / 4
// The float32 model is one number: pairing each seed with it is the one-sample interval of QLoRA's losses.
let vsFloat = Difference(paired: qloraLosses, Array(repeating: float.loss, count: seedCount), margin: recoveryMargin)
let vsControl = Difference(paired: qloraLosses, controlLosses, margin: recoveryMargin)
print("(margin: a quarter of what NF4 cost, fixed by the cost line below before the comparison)")
print("held-out loss: " + Verdict.line("QLoRA", "the float32 pre-trained model", vsFloat, higherIsBetter: false, digits: 4))
print("held-out loss: " + Verdict.line("QLoRA", "the float32 control", vsControl, higherIsBetter: false, digits: 4))
let unpaired = Difference(qloraEstimate, controlEstimate, margin: recoveryMargin)
print("the same comparison by Welch's interval, which ignores the pairing: 95% CI [\(fmt(unpaired.low, 4)), \(fmt(unpaired.high, 4))], "
      + "half-width \(fmt(unpaired.halfWidth95, 4)) (paired: half-width \(fmt(vsControl.halfWidth95, 4)))")
print("NF4 cost \(fmt(lostByQuantization, 4)) in loss; after the adapter, the QLoRA model is \(fmt(qloraEstimate.mean - float.loss, 4)) from the float32 model and \(fmt(qloraEstimate.mean - controlEstimate.mean, 4)) from the equally trained float32 control")

/*:
The first verdict is QLoRA's claim (the adapter wins back what NF4 cost); the second is the
fairer one, against a float model that got the same extra training. The gap to the control is
what quantization still costs after the adapter.

## LoftQ: start the adapter at the quantization error

Default QLoRA initialisation starts with $B = 0$: the model starts as the 4-bit model, with
all of NF4's error. LoftQ alternates two steps for $T$ iterations (Li et al., 2023, Algorithm 1):

$$ Q_t = \mathrm{NF4}\!\left(W - sB_{t-1}A_{t-1}\right), \qquad sB_tA_t = \text{best rank-}r \text{ approximation of } W - Q_t $$

- **Meaning.** Quantize what the adapter does not carry; let the adapter carry the top of what
  quantization lost. $Q + sBA$ is then closer to $W$ than $Q(W)$ alone.
- **Variables.** $Q_t$ the 4-bit weight (dequantized in the formula), $A_t$, $B_t$ the factors
  (the top $r$ singular triplets of $W - Q_t$, $\sqrt{\sigma/s}$ on each side), $T$ PEFT's
  `loftq_iter`.
- **Intuition.** With $T = 1$, $Q = \mathrm{NF4}(W)$ and the adapter cancels the largest part
  of its error; later iterations move $Q$ so that the error left is easier for rank $r$.
- Derivation: [appendix](appendix-formulas.md#loftq). One difference from PEFT: PEFT's
  `loftq_init` sets $BA$ (not $sBA$) to the approximation, which is exact only for
  `lora_alpha = r`; the library divides by $s$, so any $\alpha$ works.

The error $\lVert W - Q - sBA \rVert_F$ summed over the four targeted layers, against plain
NF4's $\lVert W - \mathrm{NF4}(W) \rVert_F$ ($r = 8$, $s = 2$, NF4 without double quantization,
blocksize 64, as PEFT's LoftQ quantizes):
*/
cell("LoftQ: start the adapter at the quantization error")
let targets = try pretrained.resolveTargets(qv)
var plainError = 0.0
for path in targets {
    let w = (pretrained[linear: path] as! Linear<Float>).weight
    plainError += (w - (try QuantizedTensor(quantizing: w, blocksize: 64)).dequantized()).sumOfSquares
}
plainError = plainError.squareRoot()
var loftqModels: [Int: TransformerModel<Float>] = [:]
var errorsByIteration = [Double](repeating: 0, count: 5)
do {
    var model = pretrained
    let (_, errors) = try model.injectLoftQ(targets: qv, hyperparameters: hyperparameters, iterations: 5, seed: 200)
    for t in 0..<5 { errorsByIteration[t] = targets.reduce(0.0) { $0 + errors[$1]![t] * errors[$1]![t] }.squareRoot() }
    loftqModels[5] = model
}
var loftqTable = Table(columns: ["", "‖W − Q − sBA‖_F (4 layers)", "of plain NF4's"])  // hide
loftqTable.add("plain NF4 (B = 0)", fmt(plainError, 4), "100.0%")
for t in 0..<5 { loftqTable.add("LoftQ, T = \(t + 1)", fmt(errorsByIteration[t], 4), percent(errorsByIteration[t] / plainError, 1)) }
loftqTable.print()  // hide
var plot = LinePlot(title: "LoftQ: ‖W − Q − sBA‖_F over the 4 targeted layers", xLabel: "iterations T", yLabel: "Frobenius error (axis not from 0)")  // hide
plot.xTicks = [1, 2, 3, 4, 5]  // hide
plot.add("LoftQ (r = 8)", x: [1, 2, 3, 4, 5], y: errorsByIteration)
plot.add("plain NF4, B = 0", x: [1, 5], y: [plainError, plainError], showsPoints: false, dashed: true)
plot.save(as: "ch13-loftq-error")  // hide

/*:
What that does to the model before any training: the held-out loss on the pre-training tasks
of the QLoRA model with the default initialisation (which is the 4-bit model) and with LoftQ,
$T = 1$ and $T = 5$ (NF4 without double quantization in all three, so that only the
initialisation differs), and on the fine-tuning task `reverse`, which neither knows yet:
*/
cell("LoftQ before training")
var defaultModel = pretrained
try defaultModel.injectQLoRA(targets: qv, hyperparameters: hyperparameters, blocksize: 64, doubleQuantization: false, seed: 200)
var loftqOne = pretrained
try loftqOne.injectLoftQ(targets: qv, hyperparameters: hyperparameters, iterations: 1, seed: 200)
loftqModels[1] = loftqOne
var startTable = Table(columns: ["initialisation", "pre-training tasks loss", "token accuracy", "reverse loss"])  // hide
startTable.add("float32 pre-trained (reference)", fmt(float.loss, 4), percent(float.tokens, 2), fmt(pretrained.evaluate(heldOut(suite.reverse)).loss, 4))
for (label, model) in [("QLoRA, default (B = 0)", defaultModel), ("QLoRA, LoftQ T = 1", loftqModels[1]!), ("QLoRA, LoftQ T = 5", loftqModels[5]!)] {
    let s = pretrainingScore(model)
    startTable.add(label, fmt(s.loss, 4), percent(s.tokens, 2), fmt(model.evaluate(heldOut(suite.reverse)).loss, 4))
}
startTable.print()  // hide

/*:
Now fine-tune both on `reverse` (LoftQ with $T = 5$), each at its own learning rate chosen on
a validation set from a grid that brackets it, over two tuning seeds, then run on the report
seeds (the seed changes the data order;
LoftQ's start is deterministic, the default's A is random). Runs of one seed see the same
batches and the same test examples, so the verdicts are paired by seed.
*/
cell("LoftQ against the default initialisation, fine-tuned")
func fineTune(loftq: Bool, rate: Double, seed: UInt64) throws -> (validation: Double, test: EvaluationResult, model: TransformerModel<Float>) {
    var model = pretrained
    if loftq {
        try model.injectLoftQ(targets: qv, hyperparameters: hyperparameters, iterations: 5, seed: 200 + seed)
    } else {
        try model.injectQLoRA(targets: qv, hyperparameters: hyperparameters, blocksize: 64, doubleQuantization: false, seed: 200 + seed)
    }
    trainQuietly(&model, steps: steps, learningRate: rate, seed: 300 + seed, tasks: [suite.reverse])
    return (model.evaluate(heldOut(suite.reverse, validation: true)).loss, model.evaluate(heldOut(suite.reverse)), model)
}
var fineTuned: [String: [(validation: Double, test: EvaluationResult, model: TransformerModel<Float>)]] = [:]
var tuneTable = Table(columns: ["initialisation", "validation loss per rate", "chosen lr", "exact match", "token accuracy", "test loss"])  // hide
for (label, loftq) in [("default", false), ("LoftQ T = 5", true)] {
    let progress = SharedProgress(total: 3 * tuningSeeds.count + seedCount, label: label)
    let search = try searchRates(start: [3e-3, 1e-2, 3e-2], ladder: rateLadder, score: { $0.validation }) { rate in
        try parallelRuns(tuningSeeds, progress: progress) { try fineTune(loftq: loftq, rate: rate, seed: $0) }
    }
    let (grid, runs, choice) = (search.grid, search.runs, search.choice)
    let best = try parallelRuns(seeds, progress: progress) { try fineTune(loftq: loftq, rate: choice.rate, seed: $0) }
    progress.finish()
    fineTuned[label] = best
    tuneTable.add(label, grid.map { "\(sci($0, 0)): \(fmt(Estimate(runs[$0]!.map(\.validation)).mean, 3))" }.joined(separator: ", "),
                  sci(choice.rate, 0) + (choice.isInterior ? "" : " (grid end)"),
                  Estimate(best.map(\.test.exactMatch)).formatted(1, scale: 100) + "%",
                  Estimate(best.map(\.test.tokenAccuracy)).formatted(1, scale: 100) + "%", Estimate(best.map(\.test.loss)).formatted(3))
}
tuneTable.print()  // hide
// Runs of one seed share their data order and test examples: paired by seed.
let loftqRuns = fineTuned["LoftQ T = 5"]!, defaultRuns = fineTuned["default"]!
let exactDifference = Difference(paired: loftqRuns.map { 100 * $0.test.exactMatch }, defaultRuns.map { 100 * $0.test.exactMatch }, margin: 3, saturation: .percent)
let lossDifference = Difference(pairedRatio: loftqRuns.map(\.test.loss), defaultRuns.map(\.test.loss), factor: 1.25)
print("exact match on reverse: " + Verdict.line("LoftQ", "the default initialisation", exactDifference, digits: 1, unit: "points", marginDigits: 0))
print("test loss on reverse: " + Verdict.line("LoftQ", "the default initialisation", lossDifference, higherIsBetter: false, digits: 3))

/*:
LoftQ's paper reports its gains where quantization hurts most (2-bit, and 4-bit on large
models); at 4 bits on a model whose NF4 error is small, the verdict above says what it is
worth here.

### What a LoftQ user must keep

For $T > 1$ the 4-bit weight is no longer $\mathrm{NF4}(W)$, and the adapter was fitted to *its*
$Q$. Loading the LoftQ adapter onto a freshly quantized base, $\mathrm{NF4}(W)$, pairs it with
the wrong weight. The codes that differ, and the pre-training loss of the adapter at
initialisation on its own $Q$ against on $\mathrm{NF4}(W)$:
*/
cell("What a LoftQ user must keep")
let loftq5 = loftqModels[5]!
var mismatched = loftq5
var differingCodes = 0, totalCodes = 0
for path in targets {
    let own = mismatched[linear: path] as! QLoRALinear
    let plain = try QuantizedLinear(quantizing: pretrained[linear: path] as! Linear<Float>, blocksize: 64, codebook: .nf4, doubleQuantization: false)
    for i in 0..<plain.weight.count where plain.weight.code(at: i) != own.base.weight.code(at: i) { differingCodes += 1 }
    totalCodes += plain.weight.count
    mismatched[linear: path] = try QLoRALinear(base: plain, branch: own.branch)
}
print("4-bit codes of LoftQ's Q (T = 5) that differ from NF4(W): \(percent(Double(differingCodes) / Double(totalCodes), 1)) of \(grouped(totalCodes))")
print("pre-training tasks loss at initialisation: adapter on its own Q \(fmt(pretrainingScore(loftq5).loss, 4)), the same adapter on NF4(W) \(fmt(pretrainingScore(mismatched).loss, 4)) (float32: \(fmt(float.loss, 4)))")
let loftqDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ch13-loftq-\(ProcessInfo.processInfo.processIdentifier)")
let savedConfig = try loftq5.saveAdapter(to: loftqDirectory)
let savedTensors = try SafetensorsReader.read(contentsOf: loftqDirectory.appendingPathComponent(AdapterFiles.weightsFileName)).tensors.count
let savedInit = (try? JSONSerialization.jsonObject(with: Data(contentsOf: loftqDirectory.appendingPathComponent(AdapterConfig.fileName))) as? [String: Any])?["init_lora_weights"] as? Bool
try? FileManager.default.removeItem(at: loftqDirectory)  // hide
print("saved adapter: \(AdapterFiles.weightsFileName) (\(savedTensors) tensors) + \(AdapterConfig.fileName) with init_lora_weights = \(savedInit.map(String.init) ?? "?"), r = \(savedConfig.r), lora_alpha = \(Int(savedConfig.loraAlpha))")

/*:
So a LoftQ adapter ships with its base. PEFT's LoftQ example (`examples/loftq_finetuning`)
does exactly that: it saves the adapter with `init_lora_weights` set back to `True` (so that
loading does not run LoftQ again on the already-quantized weights) and saves the base model,
whose linear weights now hold $\operatorname{dequant}(Q)$, next to it; loading that base in
4 bits quantizes $\operatorname{dequant}(Q)$ back to the same codes. The library's files above
are the adapter half, in PEFT's format (the test suite checks that PEFT reads this library's
adapters with no unknown key); the base half is the model's own weights, which the library
keeps as `QuantizedLinear` codes.

## Merging a trained QLoRA adapter for deployment

Take the default-initialised QLoRA adapters fine-tuned on `reverse` above (one per seed) and
merge each for deployment, three ways:

1. **into $\operatorname{dequant}(W_4)$, kept in float** (16/32-bit): the weight the adapter was
   trained against, plus $sBA$ (`mergedAndUnloaded()`); exact up to rounding. With Hugging
   Face: dequantize the base *first* (transformers' `model.dequantize()` on the 4-bit model, or
   PEFT's `dequantize_bnb_weight` layer by layer), then `merge_and_unload()` in 16/32 bits.
2. **into the original $W_0$** (what most tutorials do: load the base model in 16 bits, then
   `merge_and_unload()`): the adapter lands on a weight it never saw, and every other layer is
   float too.
3. **re-quantized to NF4** (merge into the 4-bit weight; [chapter 09](09-merging.md) measured it
   on one layer): the update is rounded to the 4-bit grid. This is what `merge_and_unload()`
   does on the 4-bit model itself: PEFT's own `Linear4bit.merge` (`peft/tuners/lora/bnb.py`)
   dequantizes the weight with `dequantize_bnb_weight`, adds $\Delta W$, and stores the sum as
   a new `bnb.nn.Params4bit`, which quantizes it again. It is PEFT's code, not bitsandbytes'.

On `reverse` (exact match and test loss, over the seeds), and the largest logit difference
from the unmerged QLoRA model on the test set (seed 1). Each merged model is compared with its
own unmerged model, seed by seed (paired):
*/
cell("Merging a trained QLoRA adapter for deployment")
/// The three merged models for one trained QLoRA model.
func mergedVariants(_ qlora: TransformerModel<Float>) throws -> [TransformerModel<Float>] {
    let intoDequantized = qlora.mergedAndUnloaded()
    var intoOriginal = pretrained
    var requantized = qlora
    for (path, layer) in qlora.adaptedLayers {
        let adapter = layer as! QLoRALinear
        intoOriginal[linear: path] = try LoRALinear(base: pretrained[linear: path] as! Linear<Float>, branch: adapter.branch).mergedAndUnloaded()
        requantized[linear: path] = try QuantizedLinear(weight: try adapter.mergedWeight().weight, bias: nil)
    }
    return [intoDequantized, intoOriginal, requantized]
}
let trained = fineTuned["default"]!.map(\.model)
let mergeLabels = ["1. into dequant(W4), float", "2. into the original W0, float", "3. re-quantized to NF4"]
var mergeScores: [[EvaluationResult]] = Array(repeating: [], count: 3)
var logitDifference = [Double](repeating: 0, count: 3)
let testBatch = heldOut(suite.reverse)
for (i, qlora) in trained.enumerated() {
    let variants = try mergedVariants(qlora)
    for (k, model) in variants.enumerated() {
        mergeScores[k].append(model.evaluate(testBatch))
        if i == 0 {
            logitDifference[k] = model.logits(tokens: testBatch.tokens, sequenceLength: testBatch.sequenceLength)
                .maxAbsDifference(qlora.logits(tokens: testBatch.tokens, sequenceLength: testBatch.sequenceLength))
        }
    }
}
let unmerged = trained.map { $0.evaluate(testBatch) }
/// What each row is with Hugging Face (peft/tuners/lora/bnb.py, transformers' PreTrainedModel.dequantize).
let mergeCalls = ["model.dequantize() (or PEFT's dequantize_bnb_weight per layer), then merge_and_unload()",
                  "reload the base in 16 bits, load the adapter, merge_and_unload()",
                  "merge_and_unload() on the 4-bit model (PEFT's Linear4bit.merge re-quantizes)"]
var mergeTable = Table(columns: ["deployed model", "PEFT / transformers call", "exact match", "test loss", "max |logit − unmerged|"])  // hide
mergeTable.add("unmerged QLoRA (as trained)", "the PeftModel as trained", Estimate(unmerged.map(\.exactMatch)).formatted(1, scale: 100) + "%", Estimate(unmerged.map(\.loss)).formatted(4), "")
for k in 0..<3 {
    mergeTable.add(mergeLabels[k], mergeCalls[k], Estimate(mergeScores[k].map(\.exactMatch)).formatted(1, scale: 100) + "%",
                   Estimate(mergeScores[k].map(\.loss)).formatted(4), sci(logitDifference[k], 1))
}
mergeTable.print()  // hide
for k in 0..<3 {
    // Each merged model is computed from its seed's trained model: paired by seed.
    let d = Difference(pairedRatio: mergeScores[k].map(\.loss), unmerged.map(\.loss), factor: 1.1)
    print("test loss: " + Verdict.line("merge \(k + 1)", "the unmerged QLoRA model", d, higherIsBetter: false, digits: 4))
}

/*:
Merge 1 is the faithful one: the same function in a float layout, as large as a float model.
Merge 2 swaps $\operatorname{dequant}(W_4)$ for $W_0$ under an adapter trained to correct the
former (and un-quantizes every other layer); merge 3 keeps the 4-bit size and rounds the update
onto the 4-bit grid. The verdict lines say what each costs on this task; the logit column says
how far each moved from what was trained.

**QA-LoRA** (Xu et al., 2023) removes the dilemma at its source: it trains the adapter so that
the merge stays on the quantization grid. Its adapter works on group-pooled inputs (the input
features of each quantization group share one value of the adapter's input), which makes
$sBA$ constant within each group of a row, so adding it only shifts each group's zero point
(INT4 with a per-group scale and zero point, as in GPTQ), and the merged model is still
exactly 4-bit. PEFT has it as `use_qalora` for GPTQ models; NF4's absmax-only blocks have no
zero point to absorb such a shift, which is why it is not offered here.

## Compared with PEFT

`quantized()` is bitsandbytes' `load_in_4bit` (every linear but the head, NF4, double
quantization on); the QLoRA runs are `get_peft_model` on it. `injectLoftQ` is
`LoraConfig(init_lora_weights="loftq", loftq_config=LoftQConfig(loftq_bits=4, loftq_iter=T))`
on a float model (PEFT then holds $\operatorname{dequant}(Q)$ in the base and expects you to
save it), with two differences: the library divides the SVD split by $s$ (PEFT assumes $s = 1$)
and keeps $Q$ as 4-bit codes. PEFT's `replace_lora_weights_loftq`, which applies one LoftQ step
to an already 4-bit model, is $T = 1$ here. The three merges are: `model.dequantize()` (or
PEFT's `dequantize_bnb_weight` per layer) and then `merge_and_unload()` in 16/32 bits (1);
`merge_and_unload()` on a 16-bit reload of the base (2); and `merge_and_unload()` on the 4-bit
model itself (3), whose `Linear4bit.merge` in PEFT re-quantizes the merged weight.

## Summary

- The first table prices NF4 on a trained model, in total and per kind of layer.
- The recovery table and its verdicts say how much of that a LoRA adapter trained on the 4-bit
  base wins back, against the float model and against an equally trained float control.
- LoftQ's $\lVert W - Q - sBA\rVert_F$ is below plain NF4's error from the first iteration (the
  adapter carries the top of the error); the start-of-training table shows what that does to
  the loss, and the LoftQ verdict whether it survives fine-tuning. A LoftQ adapter belongs to
  its own $Q$: keep that base with it.
- Merge a QLoRA adapter into $\operatorname{dequant}(W_4)$ to deploy the model that was
  trained; merging into $W_0$ or re-quantizing changes it, by the amounts printed.

## Exercises

<!-- exercises -->
*/
