// Chapter 09: fine-tuning in miniature — full fine-tuning, LoRA and QLoRA on one pre-trained model.
import LoRA
import Notebook

/*:
# 09 · Fine-tuning in miniature

**What this chapter shows.** The seed's sections 训练技巧 (training tips) and 实验结果
(results), run rather than quoted. We pre-train a tiny transformer once, then adapt it to a
task it has never seen in three ways: full fine-tuning, LoRA ($r = 8$ on `q_proj`, `v_proj`)
and QLoRA (the same LoRA on an NF4 base with double quantization). For each: the trainable
parameters, the loss, the accuracy on held-out examples, the memory of one training step by
category, the time per step, and the loss curves. Then the seed's two tips are tested: the
learning rate (1e-4 … 5e-4, and higher for LoRA than for full fine-tuning) and
`lora_dropout = 0.05`. Last, the seed's GLUE and MMLU tables, and what our miniature says
about the claim behind them.

Run it with `swift run ch09-training` (about a minute in a debug build); the knobs are
`--steps 300 --seeds 3 --task reverse` (`--help` lists them; a bad value exits with status 2).
The page is generated with the defaults.
One setting first: every product in this chapter is small, so we pin BLAS to one thread
(`BLASInfo.setThreadCount(1)`). On matrices this size one thread is faster than two, and the
printed numbers then do not depend on how many cores your machine has. (A different BLAS
kernel rounds differently, so on another CPU the last digits may still differ from this page.)
*/
cell()
var options = Options(
    program: "ch09-training",
    summary: "Pre-trains a tiny transformer, then adapts it with full fine-tuning, LoRA and QLoRA; learning-rate and dropout sweeps.")
let steps = options.int("steps", default: 300, "fine-tuning steps per run", in: 10...5000)
let seedCount = options.int("seeds", default: 3, "fine-tuning seeds of the headline table", in: 1...10)
let taskName = options.string("task", default: "reverse", "fine-tuning task: reverse, rotate3, shift5 or substitute") ?? "reverse"
options.finish()
BLASInfo.setThreadCount(1)
/// The synthetic tasks: 32 letters, 8 per example (see `TaskSuite`).
let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
guard let task = suite.fineTuning.first(where: { $0.name == taskName }) else {
    options.fail("--task \(taskName) is not one of " + suite.fineTuning.map(\.name).joined(separator: ", "))
}
let atDefaults = steps == 300 && seedCount == 3 && taskName == "reverse"
let configuration = suite.modelConfiguration(modelDimension: 64, headCount: 4, layerCount: 2)

/// Trains `model` on batches from `next` with AdamW, drawing a progress bar at a terminal.
/// Returns the loss of every step and the wall-clock seconds per step.
@discardableResult
func train(_ model: inout TransformerModel<Float>, steps: Int, learningRate: Double, seed: UInt64, label: String,
           batches next: ((inout SeededGenerator) -> TokenBatch)? = nil, tasks: [SequenceTask] = [task]) -> (losses: [Double], secondsPerStep: Double) {
    var optimizer = AdamW<Float>()
    let bar = ProgressBar(total: steps, label: label)
    defer { bar.finish() }
    let settings = TrainingConfiguration(steps: steps, batchSize: 32, learningRate: learningRate, seed: seed)
    let start = monotonicSeconds()
    let losses = Trainer.train(&model, optimizer: &optimizer, configuration: settings,
                               nextBatch: next ?? { SequenceTask.batch(from: tasks, size: 32, using: &$0) }) { p in
        bar.update(p.step, note: "loss " + fmt(p.loss, 3))
        return .continue
    }
    return (losses, (monotonicSeconds() - start) / Double(losses.count))
}

/// 256 held-out examples of `task`, drawn from a seed no training run uses.
func heldOut(_ task: SequenceTask) -> TokenBatch {
    var g = SeededGenerator(seed: 10_000 + UInt64(task.tag))
    return task.batch(size: 256, using: &g)
}

/*:
## The pre-trained model

The model is the library's `TransformerModel`: a decoder-only transformer with LLaMA's
module names (`q_proj`, `k_proj`, `v_proj`, `o_proj`, `up_proj`, `down_proj`, `lm_head`),
$d_{model} = 64$, two layers. The tasks are the library's `TaskSuite`: a sequence is a task
tag, 8 letters from an alphabet of 32, a separator, and the answer; only the 8 answer tokens
are scored. Pre-training teaches three tasks (copy, sort, shift by one) for 600 AdamW steps.
The fine-tuning target here is `reverse` (the letters backwards), which needs an attention
pattern the model never used. Held-out examples come from a generator seed no training run
uses. Accuracy is per token and per sequence ("exact match": every answer token right, which
is also what greedy decoding would produce).
*/
cell("The pre-trained model")
let pretrained = {
    var model = try! TransformerModel<Float>(configuration: configuration, seed: 1)
    train(&model, steps: 600, learningRate: 3e-3, seed: 101, label: "pre-training", tasks: suite.pretraining)
    return model
}()
print("model: d_model \(configuration.modelDimension), \(configuration.layerCount) layers, \(configuration.headCount) heads, MLP \(configuration.mlpDimension), vocabulary \(configuration.vocabularySize), \(grouped(pretrained.parameterCount.total)) parameters")
var before = Table(columns: ["task", "role", "held-out loss", "token accuracy", "exact match"])
for t in suite.pretraining + [task] {
    let e = pretrained.evaluate(heldOut(t))
    before.add(t.name, suite.pretraining.contains(t) ? "pre-training" : "fine-tuning target", fmt(e.loss, 3), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
}
before.print()

/*:
## Three ways to adapt it

The three methods start from the same pre-trained weights and see the same batches (for the
same seed); each trains 300 AdamW steps with a 10% warm-up and cosine decay:

- **full fine-tuning**: every parameter trains, learning rate 1e-3;
- **LoRA**: `q_proj` and `v_proj` in both layers get $r = 8$, $\alpha = 16$ ($s = 2$);
  everything else is frozen; learning rate 3e-3;
- **QLoRA**: the same adapters, on a base whose linear layers are all stored as NF4 codes with
  double-quantized block constants (chapters [05](05-nf4.md), [06](06-double-quantization.md),
  [07](07-qlora.md)) and dequantized tile by tile on the fly: the adapted `q_proj` and
  `v_proj` and the frozen `k_proj`, `o_proj`, `up_proj` and `down_proj` alike. Only the output
  head (`lm_head`), the embeddings and the norms stay float32. That is what loading a model
  with bitsandbytes' `load_in_4bit=True` does before PEFT adds the adapters: every linear layer
  becomes a 4-bit `Linear4bit` except the output head, which Hugging Face's integration keeps
  in 16 bits by default.

Three fine-tuning seeds (adapter initialisation and data order) give the spread: a difference
smaller than the "±" column is noise. Time per step is measured on this machine and shown only
at a terminal.
*/
cell("Three ways to adapt it")
/// One way to fine-tune: how to prepare the model and the learning rate it trains with.
struct Method {
    let name: String
    let learningRate: Double
    let prepare: (TransformerModel<Float>, UInt64) throws -> TransformerModel<Float>
}
let loraHyperparameters = LoRAHyperparameters(rank: 8, alpha: 16)
let fullFineTuning = Method(name: "full fine-tuning", learningRate: 1e-3) { model, _ in model }
let lora = Method(name: "LoRA q,v r=8", learningRate: 3e-3) { model, seed in
    var m = model
    try m.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: loraHyperparameters, seed: seed)
    return m
}
let qlora = Method(name: "QLoRA q,v r=8 (NF4 + DQ)", learningRate: 3e-3) { model, seed in
    var m = model
    try m.injectQLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: loraHyperparameters, blocksize: 64, doubleQuantization: true, seed: seed)
    return m
}
let methods = [fullFineTuning, lora, qlora]

/// What one fine-tuning run left: the held-out result, the loss curve and the time per step.
struct Run {
    let evaluation: EvaluationResult
    let losses: [Double]
    let secondsPerStep: Double
}
func run(_ method: Method, seed: UInt64, learningRate: Double? = nil) throws -> Run {
    var model = try method.prepare(pretrained, 200 + seed)
    let (losses, perStep) = train(&model, steps: steps, learningRate: learningRate ?? method.learningRate, seed: 300 + seed,
                                  label: "\(method.name), seed \(seed)")
    return Run(evaluation: model.evaluate(heldOut(task)), losses: losses, secondsPerStep: perStep)
}
let seeds = (1...seedCount).map(UInt64.init)
var runs: [String: [Run]] = [:]
for method in methods {
    runs[method.name] = try seeds.map { try run(method, seed: $0) }
}

/// "mean ± half the range" over the seeds (just the value for one seed).
func spread(_ values: [Double], digits: Int, scale: Double = 1, suffix: String = "") -> String {
    let mean = values.reduce(0, +) / Double(values.count)
    let half = ((values.max() ?? 0) - (values.min() ?? 0)) / 2
    return values.count == 1 ? fmt(scale * mean, digits) + suffix : fmt(scale * mean, digits) + suffix + " ± " + fmt(scale * half, digits)
}
var headline = Table(columns: ["method", "lr", "trainable", "% of total", "final train loss", "held-out loss", "token accuracy", "exact match", "time per step"])
let baseline = pretrained.evaluate(heldOut(task))
headline.add("pre-trained, not adapted", "", "", "", "", fmt(baseline.loss, 3), percent(baseline.tokenAccuracy, 1), percent(baseline.exactMatch, 1), "")
for method in methods {
    let count = try method.prepare(pretrained, 0).parameterCount
    let r = runs[method.name]!
    headline.add(method.name, sci(method.learningRate, 0), grouped(count.trainable), percent(count.trainableFraction, 2),
                 spread(r.map { $0.losses.suffix(20).reduce(0, +) / 20 }, digits: 4),
                 spread(r.map(\.evaluation.loss), digits: 4),
                 spread(r.map(\.evaluation.tokenAccuracy), digits: 1, scale: 100, suffix: "%"),
                 spread(r.map(\.evaluation.exactMatch), digits: 1, scale: 100, suffix: "%"),
                 live(duration(r.map(\.secondsPerStep).reduce(0, +) / Double(r.count))))
}
headline.print()
print("(\(seedCount) fine-tuning seed\(seedCount == 1 ? "" : "s"): adapter initialisation and data order; mean ± half the range. Final train loss: mean of the last 20 steps.)")

/*:
### Memory of one training step

The `MemoryLedger` counts the tensors that exist during one step, byte by byte: the weights
(trainable and frozen), one gradient per trainable tensor, AdamW's two moments per trainable
tensor, and the activations the forward pass keeps for backward.
*/
cell("Memory by category")
var memory = Table(columns: ["method", "weights", "of which trainable", "gradients", "optimizer state", "activations", "total"])
var ledgers: [String: MemoryLedger] = [:]
for method in methods {
    var model = try method.prepare(pretrained, 0)
    var optimizer = AdamW<Float>()
    var data = SeededGenerator(seed: 1), dropout = SeededGenerator(seed: 2)
    let ledger = Trainer.step(&model, batch: task.batch(size: 32, using: &data), optimizer: &optimizer, learningRate: 1e-3,
                              maxGradientNorm: 1, generator: &dropout, measureMemory: true).ledger!
    ledgers[method.name] = ledger
    memory.add(method.name, bytes(ledger.bytes(.weights)), bytes(ledger.weightBytes(trainable: true)), bytes(ledger.bytes(.gradients)),
               bytes(ledger.bytes(.optimizerState)), bytes(ledger.bytes(.activations)), bytes(ledger.totalBytes))
}
memory.print()
let fullState = ledgers[fullFineTuning.name]!.bytes(.gradients) + ledgers[fullFineTuning.name]!.bytes(.optimizerState)
let loraState = ledgers[lora.name]!.bytes(.gradients) + ledgers[lora.name]!.bytes(.optimizerState)
print("gradients + optimizer state: full \(bytes(fullState)), LoRA \(bytes(loraState)) (\(fmt(Double(fullState) / Double(loraState), 1))× less)")
print("frozen weights: LoRA \(bytes(ledgers[lora.name]!.weightBytes(trainable: false))), QLoRA \(bytes(ledgers[qlora.name]!.weightBytes(trainable: false)))")
print("weights: LoRA \(grouped(ledgers[lora.name]!.bytes(.weights))) bytes, QLoRA \(grouped(ledgers[qlora.name]!.bytes(.weights))) bytes")
// QLoRA's frozen weights, split: 4-bit linear layers (codes + block constants) and what stays float32.
let qloraLedger = ledgers[qlora.name]!
let codeEntries = qloraLedger.entries.filter { $0.category == .weights && $0.precision == "nf4" }
let quantizedParameters = codeEntries.reduce(0) { $0 + $1.elements }
let fourBitBytes = qloraLedger.entries.filter { $0.category == .weights && ($0.precision == "nf4" || $0.name.hasSuffix(".quant_state")) }
    .reduce(0) { $0 + $1.bytes }
print("QLoRA frozen: \(codeEntries.count) linear layers in 4 bits \(bytes(fourBitBytes)) (\(fmt(8 * Double(fourBitBytes) / Double(quantizedParameters), 3)) bits per parameter; "
      + "\(bytes(4 * quantizedParameters)) in float32), float32 embeddings, norms and lm_head \(bytes(qloraLedger.weightBytes(trainable: false) - fourBitBytes))")

/*:
The shape is the one the seed's tables describe: LoRA removes almost all of the gradient and
optimizer-state memory, and QLoRA shrinks the frozen weights on top. The last line splits
QLoRA's frozen weights: every linear layer but the head costs a little over 4 bits per
parameter (4 bits of code plus the double-quantized block constants, chapter
[06](06-double-quantization.md)), about an eighth of float32. What stays in float32 (the
embeddings, the norms and `lm_head`) was a small part of the float model and becomes a
sizeable part of the 4-bit one: compare the two sizes on that line. What the miniature adds
is the other column: with a model this small and a batch of 32 sequences, the activations
dominate the step, and neither LoRA nor QLoRA reduces them (LoRA even adds a little: the
branch keeps its own input and $xA^\top$). On a 7B model the proportions flip, because
weights, gradients and optimizer state grow with the parameter count while activations grow
with batch × sequence × width; chapter [07](07-qlora.md) computes those proportions for LLaMA.
*/

/*:
## Loss curves

The training loss of every step, for the first seed (log scale):
*/
cell("Loss curves")
var curves = LinePlot(title: "Fine-tuning on \(task.name): training loss (seed 1)", xLabel: "step", yLabel: "batch loss", yScale: .log)
for method in methods {
    let losses = runs[method.name]![0].losses
    curves.add(method.name, x: losses.indices.map { Double($0 + 1) }, y: losses, showsPoints: false)
}
if atDefaults { curves.save(as: "ch09-loss-curves") }
for method in methods {
    let losses = runs[method.name]![0].losses
    print("\(method.name): loss at steps 1, 50, 100, 200, \(steps): " + [1, 50, 100, 200, steps].filter { $0 <= losses.count }.map { fmt(losses[$0 - 1], 3) }.joined(separator: ", "))
}

/*:
## Learning rate

The seed: "LoRA 学习率通常比全参数微调高" (LoRA's learning rate is usually higher than full
fine-tuning's), starting at `1e-4` and trying up to `5e-4`. We sweep five rates for both
methods on the first seed, everything else as above (runs whose rate equals the headline's are
reused):
*/
cell("Learning rate")
let rates = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
var rateTable = Table(columns: ["learning rate"] + [fullFineTuning, lora].flatMap { [Table.Column("\($0.name): held-out loss"), Table.Column("exact")] })
var best: [String: (rate: Double, loss: Double)] = [:]
var rateResults: [String: [EvaluationResult]] = [:]
for method in [fullFineTuning, lora] {
    rateResults[method.name] = try rates.map { rate in
        rate == method.learningRate ? runs[method.name]![0].evaluation : try run(method, seed: 1, learningRate: rate).evaluation
    }
    for (rate, e) in zip(rates, rateResults[method.name]!) where e.loss < best[method.name]?.loss ?? .infinity {
        best[method.name] = (rate, e.loss)
    }
}
for (i, rate) in rates.enumerated() {
    rateTable.add(row: [sci(rate, 0)] + [fullFineTuning, lora].flatMap { m -> [String] in
        let e = rateResults[m.name]![i]
        return [fmt(e.loss, 4), percent(e.exactMatch, 1)]
    })
}
rateTable.print()
for method in [fullFineTuning, lora] {
    let working = zip(rates, rateResults[method.name]!).first { $0.1.exactMatch >= 0.9 }.map { sci($0.0, 0) } ?? "none"
    print("\(method.name): lowest held-out loss at lr = \(sci(best[method.name]!.rate, 0)); smallest lr with ≥ 90% exact match: \(working)")
}

/*:
## Dropout

The seed: `lora_dropout = 0.05` "常用值" (a common value). Dropout here acts on the LoRA
branch's input only, as in PEFT. With an endless stream of fresh examples, as above, there is
nothing to over-fit, so we give the adapter a small fixed training set instead: 64 examples,
drawn with replacement for 300 steps. Training loss against held-out loss shows the
over-fitting, and what dropout does to it:
*/
cell("Dropout")
/// A small fixed training set: 64 examples, sampled with replacement into batches of 32.
let poolSize = 64
var poolGenerator = SeededGenerator(seed: 77)
let pool = task.batch(size: poolSize, using: &poolGenerator)
func fromPool(_ g: inout SeededGenerator) -> TokenBatch {
    let t = pool.sequenceLength
    var tokens: [Int] = [], targets: [Int] = []
    for _ in 0..<32 {
        let i = g.nextInt(below: poolSize)
        tokens += pool.tokens[(i * t)..<((i + 1) * t)]
        targets += pool.targets[(i * t)..<((i + 1) * t)]
    }
    return TokenBatch(tokens: tokens, targets: targets, batchSize: 32, sequenceLength: t)
}
var dropoutTable = Table(columns: ["lora_dropout", "train loss (last 20 steps)", "held-out loss", "token accuracy", "exact match"])
for p in [0.0, 0.05, 0.1] {
    var model = pretrained
    try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, dropout: p), seed: 201)
    let (losses, _) = train(&model, steps: steps, learningRate: lora.learningRate, seed: 301, label: "dropout \(p)", batches: fromPool)
    let e = model.evaluate(heldOut(task))
    dropoutTable.add(fmt(p, 2), fmt(losses.suffix(20).reduce(0, +) / 20, 4), fmt(e.loss, 4), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
}
dropoutTable.print()

/*:
This is a single seed, and the differences between rows are larger than the seed-to-seed
spread of the headline table; whether they hold on another training set is an exercise. The
trend is the textbook one: dropout raises the training loss and lowers the held-out loss, so
on scarce data it helps; on abundant data (the headline runs) it would only slow training.

## The seed's tables

The seed reports a GLUE table and a LLaMA-7B table. Neither matches a published table we
know of ([erratum 7](errata.md#erratum-7)); here they are as the seed prints them, marked
illustrative, next to the LoRA paper's RoBERTa-base numbers (Hu et al., 2021, Table 2;
microsoft/LoRA README):
*/
cell("The seed's tables")
var glue = Table(columns: ["GLUE (accuracy / MCC)", "trainable", "RTE", "MRPC", "CoLA", "source"])
glue.add("Fine-tuning", "100%", "70.2", "87.6", "63.6", "seed, illustrative")
glue.add("LoRA (r=8)", "0.1%", "69.8", "87.4", "63.2", "seed, illustrative")
glue.add("QLoRA", "0.1%", "69.5", "87.1", "62.8", "seed, illustrative")
glue.add("RoBERTa-base FT", "125M", "78.7", "90.2", "63.6", "LoRA paper")
glue.add("RoBERTa-base LoRA", "0.3M", "86.6", "89.7", "63.4", "LoRA paper")
glue.print()
var mmlu = Table(columns: ["LLaMA-7B", "MMLU", "training memory", "source"])
mmlu.add("full fine-tuning", "42.1", "60GB", "seed, illustrative")
mmlu.add("LoRA", "41.8", "24GB", "seed, illustrative")
mmlu.add("QLoRA", "41.5", "12GB", "seed, illustrative")
mmlu.print()

/*:
The claim behind both tables is a shape, and the miniature above measures it on a task of
our own:

- **LoRA close to full fine-tuning with a small fraction of the parameters.** The headline
  table: LoRA trains 3.76% of the parameters and reaches an accuracy close to full
  fine-tuning's (compare the exact-match column and its spread). On a 7B model the same
  adapter is 0.06% ([04](04-parameter-counts.md)).
- **QLoRA close to LoRA.** The QLoRA row lies within the seed-to-seed spread of the LoRA row.
- **Less memory.** Gradients and optimizer state shrink by the factor printed under the
  memory table; QLoRA's frozen weights are smaller again. The seed's 60 → 24 → 12 GB are
  sums of those categories on a real model; chapter [07](07-qlora.md) computes them.

The paper's own RTE result (LoRA 86.6 against 78.7 for full fine-tuning) shows that LoRA can
even beat full fine-tuning on a small dataset, where training fewer parameters over-fits
less; the dropout experiment above is a miniature of the same effect.

## Compared with PEFT

The LoRA runs are what `get_peft_model(model, LoraConfig(r=8, lora_alpha=16,
target_modules=["q_proj", "v_proj"], lora_dropout=...))` trains: the same modules, $s = \alpha/r$,
dropout on the branch input, everything else frozen, and PEFT's `print_trainable_parameters`
would print the "trainable" column. The QLoRA runs are PEFT on a model loaded with
`BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True)`:
every linear layer a `Linear4bit` except `lm_head` (skipped when `llm_int8_skip_modules` is unset), the
adapters on `q_proj` and `v_proj`. One difference: bitsandbytes computes in the layer's compute
dtype (often bfloat16) and keeps the head in 16 bits; here everything computes in float32.
AdamW here is PyTorch's (`torch.optim.AdamW`, weight decay 0.01), with gradient clipping at
norm 1 and a cosine schedule after a 10% warm-up, as Hugging Face's `Trainer` would do.

## Summary

- A pre-trained tiny transformer scores 0% exact match on a task it never saw; full
  fine-tuning, LoRA and QLoRA all teach it, LoRA and QLoRA with 3.76% of the parameters.
- LoRA ends close to full fine-tuning and QLoRA close to LoRA, within a spread measured over
  three seeds: the shape of the seed's tables, whose numbers are illustrative
  ([erratum 7](errata.md#erratum-7)).
- LoRA cuts gradient and optimizer memory by the factor printed above; QLoRA shrinks the
  frozen weights; activations, which dominate a tiny model's step, are not reduced by either.
- LoRA needs a higher learning rate than full fine-tuning: it learns nothing at the rates
  where full fine-tuning already works, which is the seed's advice, measured. The seed's
  absolute range (1e-4 … 5e-4) is for large models; this miniature wants more.
- `lora_dropout` trades training loss for held-out loss; it pays when data is scarce.

## Exercises

<!-- exercises -->
*/
