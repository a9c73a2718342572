// Chapter 17: adapting the tiny LLaMA into new voices — full fine-tuning, LoRA, QLoRA and rsLoRA at tuned rates; forgetting; samples; merging; two voices at once; PEFT files.
import Corpus
import Experiments
import Foundation
import LoRA
import Notebook
import TinyLlama

/*:
# 17 · A new voice: LoRA and QLoRA on a real language model

**What this chapter shows.** Chapter [16](16-a-tiny-llama.md)'s tiny LLaMA, pre-trained on
quotations, is adapted to write like the original *Star Trek* series' quotations (a voice it
never saw) in five ways: full fine-tuning, LoRA on `q_proj, v_proj`, LoRA on every linear
layer at the same rank, QLoRA (the same adapters on an NF4, double-quantized base) and rsLoRA
at a four times larger rank; then LoRA on the attention or the MLP alone, at the same rank
again. For each: what it learned (bits per byte on the voice's test
split), what it forgot (bits per byte on held-out *source* text, before and after: LoRA "learns
less and forgets less", Biderman et al. 2024), what it trains and stores, and what it writes.
Then: the merged model against the unmerged one, a second voice (the King James Proverbs)
served beside the first in one batch, the two adapters combined, and the files PEFT reads.

Run it with `swift run ch17-a-new-voice`; `--prompt "text"` continues your own text in each
voice (`--help` lists the knobs). The page is generated with the defaults.

**How comparisons are made.** As in chapters 10–15: each method at its own learning rate,
chosen on two tuning seeds by the loss on the voice's *validation* split from a grid whose best
must lie inside it; then the report seeds (five by default) at that rate, scored on the *test*
split. Runs of
different methods with the same seed share their data order. Losses are compared as ratios
paired by seed, with the margin fixed beforehand at ×1.02 (2% either way counts as close).

**The regime.** A fine-tuning run here is short (the line under the data table says how many
tokens it sees) on a model of two million parameters; the cited results come from 7B–65B
models fine-tuned on tens of thousands of examples or billions of tokens (Hu et al. 2021;
Dettmers et al. 2023; Biderman et al. 2024). What transfers is the mechanism, not the size of
the effects.
*/
cell()
//- hide
var options = Options(
    program: "ch17-a-new-voice",
    summary: "Adapts the tiny LLaMA to a new voice: full fine-tuning, LoRA, QLoRA, rsLoRA; forgetting, samples, merging, two voices, PEFT files.")
let steps = options.int("steps", default: 20, "fine-tuning steps per run", in: 5...2000)
let seedCount = options.int("seeds", default: 5, "report seeds per method (at least 2)", in: 2...20)
let userPrompt = options.string("prompt", default: nil, "also continue this text in each voice")
let outPath = options.string("out", default: nil, "also write the base checkpoint and the Star Trek adapter (PEFT layout) into this folder")
options.finish()
if let outPath, let problem = Options.outputFolderProblem(outPath) { options.fail("--out: \(problem)") }
BLASInfo.setThreadCount(1)
//- show

/*:
## The voice and the data

The fine-tuning data is the `startrek` collection's training split cut into windows; every
step draws a few of them at random (with replacement). Validation windows choose the learning
rate; test windows report. Forgetting is measured on the first windows of the *source* test
split, text of the kind the model was pre-trained on.
*/
cell("The voice and the data")
let (base, tokenizer) = try TinyLlama.load()
let window = 64
let train = try TextWindows(.startrek, .train, tokenizer: tokenizer, length: window)
let validation = try TextWindows(.startrek, .validation, tokenizer: tokenizer, length: window)
let test = try TextWindows(.startrek, .test, tokenizer: tokenizer, length: window)
let sourceHeldOut = try TextWindows(.source, .test, tokenizer: tokenizer, length: window, limit: 32)
var dataTable = Table(columns: [Table.Column("windows of \(window) tokens"), "count", "tokens", "bytes"])  // hide
for (name, w) in [("startrek train (fine-tuning)", train), ("startrek validation (chooses rates)", validation),
                  ("startrek test (reports)", test), ("source test, first windows (forgetting)", sourceHeldOut)] {
    dataTable.add(name, "\(w.batch.batchSize)", grouped(w.batch.scoredCount), grouped(w.bytes))
}
dataTable.print()  // hide
let batchSize = 8
print("each run: \(steps) steps × \(batchSize) windows × \(window) tokens = \(grouped(steps * batchSize * window)) tokens, "
      + fmt(Double(steps * batchSize * window) / Double(train.batch.scoredCount), 2) + " passes over the training windows")
let baseVoice = test.bitsPerByte(base), baseSource = sourceHeldOut.bitsPerByte(base)
print("before adaptation: startrek test \(fmt(baseVoice, 3)) bits/byte, source \(fmt(baseSource, 3)) bits/byte")

/*:
## Five ways to adapt

All adapters have rank 8 and $\alpha = 16$ except rsLoRA ($r = 32$, $\alpha = 16$, scale
$\alpha/\sqrt{r}$); "all linear" is PEFT's `all-linear` (every projection of every block, not
`lm_head`). QLoRA stores every adapted base weight in NF4 with double quantization (blocksize
64) and trains the same adapters on the dequantized weights.
*/
cell("Five ways to adapt")
let loraGrid = [3e-3, 1e-2, 3e-2]
/// LoRA (or QLoRA) with the given targets and hyper-parameters.
func adapter(_ name: String, targets: TargetModules, rank: Int, alpha: Double, scaling: LoRAScaling = .standard, quantized: Bool = false,
             grid: [Double] = loraGrid) -> FineTuningMethod {
    let h = LoRAHyperparameters(rank: rank, alpha: alpha, scaling: scaling)
    return FineTuningMethod(name: name, grid: grid) { model, seed in
        var m = model
        if quantized {
            try m.injectQLoRA(targets: targets, hyperparameters: h, blocksize: 64, doubleQuantization: true, seed: seed)
        } else {
            try m.injectLoRA(targets: targets, hyperparameters: h, seed: seed)
        }
        return m
    }
}
let full = FineTuningMethod(name: "full fine-tuning", grid: [3e-4, 1e-3, 3e-3]) { model, _ in model }
let methods = [
    full,
    adapter("LoRA q,v r=8", targets: .names(["q_proj", "v_proj"]), rank: 8, alpha: 16),
    adapter("LoRA all-linear r=8", targets: .allLinear, rank: 8, alpha: 16),
    adapter("QLoRA all-linear r=8", targets: .allLinear, rank: 8, alpha: 16, quantized: true),
    adapter("rsLoRA all-linear r=32", targets: .allLinear, rank: 32, alpha: 16, scaling: .rankStabilized, grid: [1e-3, 3e-3, 1e-2]),
]
/// The same rank on fewer layers (the section "Which layers, at equal rank").
let targetMethods = [
    adapter("LoRA attention r=8", targets: .names(["q_proj", "k_proj", "v_proj", "o_proj"]), rank: 8, alpha: 16),
    adapter("LoRA MLP r=8", targets: .names(["gate_proj", "up_proj", "down_proj"]), rank: 8, alpha: 16),
]
let tuningSeeds: [UInt64] = [101, 102]
let reportSeeds = (1...seedCount).map(UInt64.init)
let setup = FineTuningSetup(base: base, source: .pool(train.batch), heldOut: test.batch, validation: validation.batch, steps: steps, batchSize: batchSize)
let allMethods = methods + targetMethods
let progress = SharedProgress(total: allMethods.count * (3 * tuningSeeds.count + seedCount), label: "fine-tuning runs")
let tunedAll = tune(allMethods, setup: setup, tuningSeeds: tuningSeeds, reportSeeds: reportSeeds, progress: progress)
progress.finish()
let tuned = Array(tunedAll.prefix(methods.count))
/// Bits per byte of a run on the voice's test split, and on the source windows (forgetting).
func voiceBits(_ run: FineTuningRun) -> Double { test.bitsPerByte(loss: run.evaluation.loss) }
let sourceBits: [[Double]] = tunedAll.map { t in parallelMap(t.runs.count) { sourceHeldOut.bitsPerByte(t.runs[$0].model) } }
var methodTable = Table(columns: ["method", "trainable", "optimizer state", "tuned lr", "startrek test bits/byte", "source bits/byte (forgetting)"])  // hide
for (i, t) in tuned.enumerated() {
    let count = try t.method.prepare(base, 1).parameterCount
    methodTable.add(t.method.name, grouped(count.trainable) + " (" + percent(count.trainableFraction, 2) + ")", bytes(2 * count.trainable * 4),
                    sci(t.choice.rate, 0) + (t.choice.isInterior ? "" : " (grid end)"), t.estimate(voiceBits).formatted(3),
                    Estimate(sourceBits[i]).formatted(3))
}
methodTable.add("pre-trained, not adapted", "0", "0 B", "", fmt(baseVoice, 3), fmt(baseSource, 3))
methodTable.print()  // hide
print("(mean ± SE over \(seedCount) report seeds; optimizer state = AdamW's two moments in Float per trainable parameter)")
/// Wall time of one training step of each method (median of 5 after a warm-up), as a ratio to LoRA all-linear's.
let stepTimes: [Double] = try allMethods.map { method in
    var model = try method.prepare(base, 1)
    var optimizer = AdamW<Float>()
    var data = SeededGenerator(seed: 7), dropout = SeededGenerator(seed: 8)
    let batch = TinyLlama.batch(from: train.batch.tokens, size: batchSize, length: window, using: &data)
    return medianTime(repetitions: 5) {
        _ = Trainer.step(&model, batch: batch, optimizer: &optimizer, learningRate: 1e-4, maxGradientNorm: 1, generator: &dropout)
    }
}
print("time per step relative to LoRA all-linear r=8: " + zip(allMethods, stepTimes).map { "\($0.name) \(live(fmt($1 / stepTimes[2], 2) + "×"))" }.joined(separator: ", "))
let comparisons: [(Int, Int)] = [(1, 0), (2, 1), (3, 2), (4, 2), (2, 0)]
for (a, b) in comparisons {
    let d = tuned[a].pairedRatio(with: tuned[b], voiceBits, factor: 1.02)
    print("startrek test loss: " + Verdict.line(tuned[a].method.name, tuned[b].method.name, d, higherIsBetter: false, digits: 3))
}

/*:
**Forgetting.** The source column above is the pre-trained model's own kind of text. A method
that forgets less keeps it closer to the unadapted model's value; the verdicts compare the
*source* loss after adaptation, paired by seed:
*/
cell("Forgetting")
for (a, b) in [(1, 0), (2, 0), (3, 2)] {
    let d = Difference(pairedRatio: sourceBits[a], sourceBits[b], factor: 1.02)
    print("source loss after adaptation: " + Verdict.line(tuned[a].method.name, tuned[b].method.name, d, higherIsBetter: false, digits: 3))
}
for (i, t) in tuned.enumerated() {
    let learned = baseVoice - t.estimate(voiceBits).mean, forgot = Estimate(sourceBits[i]).mean - baseSource
    print("\(pad(t.method.name, 24)) learned \(fmt(learned, 3)) bits/byte on startrek, forgot \(fmt(forgot, 3)) on source")
}

/*:
Each pair of numbers above is one method's trade: every method runs at the rate best for the
new voice, so a method that learns more in the same steps may also move further from the source
text. Biderman et al. (2024) find that LoRA learns less and forgets less than full fine-tuning
when 7B models are trained on code and math; here the question is asked of a voice of a few
kilobytes and a short run (the line under the data table), and the verdict lines above answer
it for this setting only.

## Which layers, at equal rank

Chapter [11](11-rank-targets-limits.md) compared target modules at an equal parameter
*budget* on the miniature, where the answer depended on the task. Here the rank is equal
($r = 8$, $\alpha = 16$, each at its own tuned rate), so adapting more layers also trains more
parameters: the four attention projections, the three MLP projections (`gate_proj`, `up_proj`,
`down_proj`), or all seven.
*/
cell("Which layers, at equal rank")
var targetTable = Table(columns: ["targets (r = 8)", "trainable", "tuned lr", "startrek test bits/byte", "source bits/byte (forgetting)"])  // hide
let equalRank = [1, 5, 6, 2]  // q,v; attention; MLP; all-linear (indices into tunedAll)
for i in equalRank {
    let t = tunedAll[i], count = try t.method.prepare(base, 1).parameterCount
    targetTable.add(t.method.name, grouped(count.trainable), sci(t.choice.rate, 0) + (t.choice.isInterior ? "" : " (grid end)"),
                    t.estimate(voiceBits).formatted(3), Estimate(sourceBits[i]).formatted(3))
}
targetTable.print()  // hide
for (a, b) in [(5, 2), (6, 2), (6, 5)] {
    let d = tunedAll[a].pairedRatio(with: tunedAll[b], voiceBits, factor: 1.02)
    print("startrek test loss: " + Verdict.line(tunedAll[a].method.name, tunedAll[b].method.name, d, higherIsBetter: false, digits: 3))
}
for (a, b) in [(5, 2), (6, 2)] {
    let d = Difference(pairedRatio: sourceBits[a], sourceBits[b], factor: 1.02)
    print("source loss after adaptation: " + Verdict.line(tunedAll[a].method.name, tunedAll[b].method.name, d, higherIsBetter: false, digits: 3))
}

/*:
At scale, Dettmers et al. (2023, §4) found that matching full fine-tuning needed LoRA on *all*
linear layers of the block, not only the attention projections the original LoRA paper adapted,
and Schulman et al. ("LoRA Without Regret", Thinking Machines, 2025) found MLP-only LoRA close
to all-layer LoRA and attention-only LoRA behind it, even at matched parameter counts. The
verdict lines above ask the same question of one voice and a short run; they do not separate
the effect of *which* layers from that of *how many* parameters, since at equal rank the two
move together (chapter 11 holds the budget fixed instead).

## What each writes

The same prompts and seeds for every model (report seed 1 of each method): greedy, then
sampled at temperature 0.8 with top-p 0.95.
*/
cell("What each writes")
/// `text` continued by `model`: greedy or sampled with `seed`.
func continuation(_ model: TransformerModel<Float>, _ text: String, sampled seed: UInt64?, tokens: Int = 40) throws -> String {
    let ids = [TinyLlama.endOfTextID] + tokenizer.encode(text, addingSpecialTokens: false)
    var generator = SeededGenerator(seed: seed ?? 0)
    let out = try model.generate(prompt: ids, maxNewTokens: min(tokens, base.configuration.contextLength - ids.count),
                                 sampling: seed == nil ? .greedy : .random(temperature: 0.8, topP: 0.95),
                                 eos: [TinyLlama.endOfTextID], generator: &generator)
    return tokenizer.decode(out.tokens, skippingSpecialTokens: true).replacingOccurrences(of: "\n", with: " / ")
        + (out.stopReason == .endOfSequence ? " ⏎" : " …")
}
let writers: [(String, TransformerModel<Float>)] = [("pre-trained", base)] + tuned.map { ($0.method.name, $0.runs[0].model) }
let prompts = ["Captain", "Spock:"] + (userPrompt.map { [$0] } ?? [])
for prompt in prompts {
    print("prompt: \(prompt)")
    for (name, model) in writers {
        print("  \(pad(name, 24)) greedy  …" + (try continuation(model, prompt, sampled: nil)))
        print("  \(pad("", 24)) sampled …" + (try continuation(model, prompt, sampled: 1)))
    }
}

/*:
## Merging

`merge_and_unload()` folds $sBA$ into each weight. In exact arithmetic the merged model is the
adapted one; in Float the two sum in different orders, so their logits differ by rounding,
and greedy decoding follows them until two candidate tokens are within that rounding of each
other. The LoRA all-linear adapter of report seed 1, greedy from each prompt:
*/
cell("Merging")
let loraModel = tuned[2].runs[0].model
let merged = loraModel.mergedAndUnloaded()
let probe = test.batch
let logitsA = loraModel.logits(tokens: probe.tokens, sequenceLength: probe.sequenceLength)
let logitsB = merged.logits(tokens: probe.tokens, sequenceLength: probe.sequenceLength)
var largest = 0.0
for i in 0..<logitsA.count { largest = max(largest, abs(Double(logitsA.storage[i]) - Double(logitsB.storage[i]))) }
print("largest |logit difference| merged vs unmerged over the test windows: \(sci(largest, 2))")
for prompt in prompts {
    let a = try continuation(loraModel, prompt, sampled: nil, tokens: 60), b = try continuation(merged, prompt, sampled: nil, tokens: 60)
    print("\(prompt): " + (a == b ? "the same 60-token greedy text" : "differs: unmerged …\(a) / merged …\(b)"))
}
/// The QLoRA adapter of report seed 1, deployed three ways (chapter 13's merges).
let quantizedModel = tuned[3].runs[0].model
let adapterFolder = FileManager.default.temporaryDirectory.appendingPathComponent("ch17-qlora-\(ProcessInfo.processInfo.processIdentifier)")
defer { try? FileManager.default.removeItem(at: adapterFolder) }
_ = try quantizedModel.saveAdapter(to: adapterFolder)
let deployments: [(String, String, TransformerModel<Float>)] = [
    ("unmerged QLoRA (as trained)", "the PeftModel as trained", quantizedModel),
    ("1 · merged into the dequantized 4-bit base, float", "model.dequantize(), then merge_and_unload()", quantizedModel.mergedAndUnloaded()),
    ("2 · merged into the original float base", "reload the base in 16/32 bits, load the adapter, merge_and_unload()",
     try base.loadingAdapter(from: adapterFolder).mergedAndUnloaded()),
    ("3 · merged, then re-quantized to NF4", "merge_and_unload() on the 4-bit model (Linear4bit.merge)",
     try quantizedModel.mergedAndUnloaded().quantized(blocksize: 64, doubleQuantization: true)),
]
var mergeTable = Table(columns: ["deployed model", "PEFT / transformers call", "startrek test bits/byte"])  // hide
for (name, call, model) in deployments { mergeTable.add(name, call, fmt(test.bitsPerByte(model), 4)) }
mergeTable.print()  // hide

/*:
## Two voices at once

A second adapter (LoRA all-linear, $r = 8$, at the learning rate tuned above for the first
voice, report seed 1) learns the Book of Proverbs. Both are then *served* by one model: each
sequence of a batch is routed through its own adapter (PEFT's `adapter_names`), so one forward
pass scores both voices, and generation decodes both voices together, one pass per token for
the whole batch (each row attends over its own key/value cache). How large each adapter's
update is next to the weights it adapts (relative Frobenius norms, per adapted layer):
*/
cell("Two voices at once")
let proverbsTrain = try TextWindows(.proverbs, .train, tokenizer: tokenizer, length: window)
let proverbsTest = try TextWindows(.proverbs, .test, tokenizer: tokenizer, length: window)
let proverbsSetup = FineTuningSetup(base: base, source: .pool(proverbsTrain.batch), heldOut: proverbsTest.batch, steps: steps, batchSize: batchSize)
let proverbsModel = proverbsSetup.run(methods[2], rate: tuned[2].choice.rate, seed: 1).model
var norms = Table(columns: ["adapter", "median ‖sBA‖/‖W₀‖ over its layers", "largest"])  // hide
for (name, model) in [("startrek", loraModel), ("proverbs", proverbsModel)] {
    var ratios: [Double] = []
    for (path, layer) in model.adaptedLayers {
        let w0 = (base[linear: path] as! Linear<Float>).weight.converted(to: Double.self)
        let delta = layer.mergedAndUnloaded().weight.converted(to: Double.self) - w0
        ratios.append(delta.frobeniusNorm / w0.frobeniusNorm)
    }
    ratios.sort()
    norms.add(name, fmt(ratios[ratios.count / 2], 4), fmt(ratios.last!, 4))
}
norms.print()  // hide
var served = base
try served.addServedAdapter("startrek", from: loraModel)
try served.addServedAdapter("proverbs", from: proverbsModel)
let mixedRows = 4
let mixedTokens = Array(test.batch.tokens.prefix(mixedRows * window)) + Array(proverbsTest.batch.tokens.prefix(mixedRows * window))
let routes: [String?] = Array(repeating: "startrek", count: mixedRows) + Array(repeating: "proverbs", count: mixedRows)
let mixed = try served.logits(tokens: mixedTokens, sequenceLength: window, adapters: routes)
let alone = [loraModel.logits(tokens: Array(mixedTokens.prefix(mixedRows * window)), sequenceLength: window),
             proverbsModel.logits(tokens: Array(mixedTokens.suffix(mixedRows * window)), sequenceLength: window)]
var servedDifference = 0.0
for (half, model) in alone.enumerated() {
    for i in 0..<model.count { servedDifference = max(servedDifference, abs(Double(mixed.storage[half * model.count + i]) - Double(model.storage[i]))) }
}
print("one mixed batch (\(mixedRows) startrek rows, \(mixedRows) proverbs rows) against each adapter alone: largest |logit difference| \(sci(servedDifference, 2))")
// Generation in one batch: each prompt once per voice, one forward pass per decoding step.
let voicePrompts = ["The", "A fool"]
let voiceRows = voicePrompts.flatMap { p in ["startrek", "proverbs"].map { (prompt: p, voice: $0) } }
var voiceGenerators = voiceRows.map { _ in SeededGenerator(seed: 0) }
let together = try served.generate(prompts: voiceRows.map { [TinyLlama.endOfTextID] + tokenizer.encode($0.prompt, addingSpecialTokens: false) },
                                   adapters: voiceRows.map(\.voice), maxNewTokens: 40, eos: [TinyLlama.endOfTextID], generators: &voiceGenerators)
var sameAsAlone = true
for (row, out) in zip(voiceRows, together) {
    if row.voice == "startrek" { print("prompt: \(row.prompt)") }
    let text = tokenizer.decode(out.tokens, skippingSpecialTokens: true).replacingOccurrences(of: "\n", with: " / ")
        + (out.stopReason == .endOfSequence ? " ⏎" : " …")
    print("  \(pad(row.voice, 9)) …" + text)
    let alone = try continuation(row.voice == "startrek" ? loraModel : proverbsModel, row.prompt, sampled: nil)
    sameAsAlone = sameAsAlone && text == alone
}
print("\(voiceRows.count) rows generated together (one pass per token): " + (sameAsAlone ? "each the same text as its adapter generating alone" : "NOT the same as each adapter alone"))

/*:
**Combining them.** PEFT's `add_weighted_adapter` with `combination_type="cat"` stacks the
two adapters into one whose rank is the sum of theirs and whose update is the weighted sum of
their updates, exactly (chapter [15](15-combining-and-serving.md) checks it against PEFT). Each
voice's test loss under the combination, for a sweep of weights:
*/
cell("Combining them")
var sweep = Table(columns: ["weights (startrek, proverbs)", "startrek test bits/byte", "proverbs test bits/byte"])  // hide
sweep.add("base, no adapter", fmt(baseVoice, 3), fmt(proverbsTest.bitsPerByte(base), 3))
sweep.add("startrek adapter alone", fmt(test.bitsPerByte(loraModel), 3), fmt(proverbsTest.bitsPerByte(loraModel), 3))
sweep.add("proverbs adapter alone", fmt(test.bitsPerByte(proverbsModel), 3), fmt(proverbsTest.bitsPerByte(proverbsModel), 3))
for w in [(1.0, 1.0), (0.5, 0.5), (0.7, 0.3), (0.3, 0.7)] {
    let combined = try base.combiningAdapters(of: [loraModel, proverbsModel], weights: [w.0, w.1], type: .cat)
    sweep.add("cat (\(fmt(w.0, 1)), \(fmt(w.1, 1)))", fmt(test.bitsPerByte(combined), 3), fmt(proverbsTest.bitsPerByte(combined), 3))
}
sweep.print()  // hide

/*:
## Leaving the package

The base is a transformers checkpoint folder and an adapter is a PEFT adapter folder, so both
run unchanged in Python (and from there on a GPU, or sharded with accelerate):

```python
from transformers import AutoModelForCausalLM
from peft import PeftModel
base = AutoModelForCausalLM.from_pretrained("Sources/TinyLlama/Checkpoint")
model = PeftModel.from_pretrained(base, "out/startrek-adapter")
```
`--out DIR` writes the Star Trek adapter of report seed 1 into `DIR/startrek-adapter`:
*/
cell("Leaving the package")
if let outPath {
    let folder = URL(fileURLWithPath: outPath).appendingPathComponent("startrek-adapter")
    let config = try loraModel.saveAdapter(to: folder, baseModel: "Sources/TinyLlama/Checkpoint", taskType: "CAUSAL_LM")
    print("wrote \(folder.path): r = \(config.r), lora_alpha = \(fmt(config.loraAlpha, 0)), \(loraModel.adaptedLayers.count) target modules")
} else {
    print("(no --out given: nothing written)")
}

/*:
## What this chapter could not show

- **Scale.** A short run on a two-million-parameter model: effect sizes here say nothing
  about their size at 7B. The cited work found LoRA closer to full fine-tuning in instruction
  tuning than in continued pre-training on code and math (Biderman et al. 2024), and 4-bit
  QLoRA matching 16-bit LoRA and full fine-tuning (Dettmers et al. 2023, §4).
- **One voice, one data size.** The verdicts hold for this voice, these steps and this base.

## Exercises

<!-- exercises -->
*/
