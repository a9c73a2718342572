// Chapter 10: how large r must be, which layers to adapt, and what LoRA cannot do.
import LoRA
import Notebook

/*:
# 10 · Rank, targets and limits

**What this chapter shows.** The seed's advice on the rank (Rank 建议: "从小秩开始，逐步增大直到
性能饱和", start small and grow $r$ until performance saturates), its three target-module
settings, and its three limitations (局限性), each as an experiment on the tiny transformer of
[chapter 09](09-training.md): a rank sweep $r \in \{1, 2, 4, \dots, 64\}$; $\alpha/r$ against
rsLoRA's $\alpha/\sqrt{r}$ at high rank; `q, v` against all attention against all linear
layers, at equal rank and at (nearly) equal parameter budgets; the seed's `["all_linear"]`
against the library's target matching; two adapters trained on different tasks and merged
into one model (limitation 2, 任务冲突); and a task whose update a low rank cannot express
(limitation 1, 知识更新有限). Limitation 3 (层选择敏感, sensitivity to the choice of layers)
is the target-module experiment.

Run it with `swift run ch10-rank-targets-limits` (one to two minutes in a debug build); the
knobs are `--steps 300 --lr 0.003 --seed 1` (`--help` lists them; a bad value exits with
status 2). The page is generated with the defaults.

One setting first: every product in this chapter is small, so we pin BLAS to one thread
(`BLASInfo.setThreadCount(1)`). On matrices this size one thread is faster than two, and the
printed numbers then do not depend on how many cores your machine has. (A different BLAS
kernel rounds differently, so on another CPU the last digits may still differ from this page.)

Every experiment starts from the same pre-trained model (600 AdamW steps on copy, sort and
shift1; 32 letters, 8 per example) and fine-tunes with AdamW at a peak learning rate of 3e-3,
a 10% warm-up and cosine decay. Held-out accuracy is on 256 examples no run trained on. The
pre-trained model on every task:
*/
cell()
var options = Options(
    program: "ch10-rank-targets-limits",
    summary: "Rank sweep, α/r vs rsLoRA, target modules, merged adapters that conflict, and a task low ranks cannot learn.")
let steps = options.int("steps", default: 300, "fine-tuning steps per run (rank sweep, α/r, merging)", in: 10...5000)
let learningRate = options.double("lr", default: 3e-3, "AdamW peak learning rate of the LoRA runs", in: 1e-6...1)
let seed = options.int("seed", default: 1, "seed of the model, the data and the adapters", in: 0...1_000_000)
options.finish()
BLASInfo.setThreadCount(1)
let atDefaults = steps == 300 && learningRate == 3e-3 && seed == 1
let baseSeed = UInt64(seed)

/// The synthetic tasks: 32 letters, 8 per example (see `TaskSuite`).
let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
let configuration = suite.modelConfiguration(modelDimension: 64, headCount: 4, layerCount: 2)
print("model: d_model \(configuration.modelDimension), \(configuration.layerCount) layers, \(configuration.headCount) heads, MLP \(configuration.mlpDimension), vocabulary \(configuration.vocabularySize)")

/// Trains `model` on `tasks` with AdamW, drawing a progress bar at a terminal.
@discardableResult
func train(_ model: inout TransformerModel<Float>, tasks: [SequenceTask], steps: Int, schedule: LearningRateSchedule? = nil,
           learningRate: Double, seed: UInt64, label: String) -> [Double] {
    var optimizer = AdamW<Float>()
    let bar = ProgressBar(total: steps, label: label)
    defer { bar.finish() }
    return Trainer.train(&model, optimizer: &optimizer,
                         configuration: TrainingConfiguration(steps: steps, batchSize: 32, learningRate: learningRate, schedule: schedule, seed: seed),
                         tasks: tasks) { p in
        bar.update(p.step, note: "loss " + fmt(p.loss, 3))
        return .continue
    }
}

/// 256 held-out examples of `task`, drawn from a seed no training run uses.
func heldOut(_ task: SequenceTask) -> TokenBatch {
    var g = SeededGenerator(seed: 10_000 + UInt64(task.tag))
    return task.batch(size: 256, using: &g)
}

/// The pre-trained model every experiment starts from, trained once on copy, sort and shift1.
let pretrained = try {
    var model = try TransformerModel<Float>(configuration: configuration, seed: baseSeed)
    train(&model, tasks: suite.pretraining, steps: 600, learningRate: 3e-3, seed: baseSeed + 100, label: "pre-training")
    return model
}()

/// A copy of the pre-trained model with LoRA on `targets`, fine-tuned on `task`.
func adapted(_ task: SequenceTask, targets: TargetModules = .names(["q_proj", "v_proj"]), rank: Int, alpha: Double? = nil,
             scaling: LoRAScaling = .standard, steps: Int = steps, label: String) throws -> TransformerModel<Float> {
    var model = pretrained
    try model.injectLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: rank, alpha: alpha ?? Double(2 * rank), scaling: scaling),
                         seed: baseSeed + 200)
    train(&model, tasks: [task], steps: steps, learningRate: learningRate, seed: baseSeed + 300, label: label)
    return model
}

var before = Table(columns: ["task", "role", "held-out loss", "token accuracy", "exact match"])
for task in suite.pretraining + suite.fineTuning {
    let e = pretrained.evaluate(heldOut(task))
    before.add(task.name, suite.pretraining.contains(task) ? "pre-training" : "fine-tuning",
               fmt(e.loss, 3), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
}
before.print()

/*:
## Rank sweep

The seed's guidance: $r = 1$–4 for simple tasks, 8–16 for instruction tuning, 32–64 for new
knowledge, and "increase until performance saturates". We fine-tune `q_proj` and `v_proj` on
`reverse` for 300 steps at each rank. To vary one thing at a time, $\alpha = 2r$, so the
scale $s = \alpha/r = 2$ is the same at every rank (the next section varies $s$). The rank
cannot exceed $\min(d, k) = 64$ for a $64 \times 64$ projection: the library refuses $r = 65$.
*/
cell("Rank sweep")
let sweepRanks = [1, 2, 4, 8, 16, 32, 64]
var sweep = Table(columns: ["r", "α", "trainable", "% of model", "held-out loss", "token accuracy", "exact match"])
var sweepResults: [(rank: Int, loss: Double, exact: Double)] = []
for r in sweepRanks {
    let model = try adapted(suite.reverse, rank: r, label: "reverse r=\(r)")
    let e = model.evaluate(heldOut(suite.reverse))
    let count = model.parameterCount
    sweep.add(String(r), String(2 * r), grouped(count.trainable), percent(Double(count.trainable) / Double(count.total), 2),
              fmt(e.loss, 4), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
    sweepResults.append((r, e.loss, e.exactMatch))
}
sweep.print()
do {
    var tooLarge = pretrained
    try tooLarge.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 65, alpha: 130), seed: 1)
    print("r = 65 was accepted (unexpected)")
} catch {
    print("r = 65: \(error)")
}
if atDefaults {
    var plot = LinePlot(title: "Rank sweep: reverse, LoRA on q_proj and v_proj, α = 2r", xLabel: "rank r",
                        yLabel: "held-out exact match (%)", xScale: .log)
    plot.xTicks = sweepRanks.map(Double.init)
    plot.add("exact match", x: sweepResults.map { Double($0.rank) }, y: sweepResults.map { 100 * $0.exact })
    plot.save(as: "ch10-rank-sweep")
}

/*:
Accuracy rises steeply over the first few doublings of $r$ and then flattens: the table above
shows where exact match reaches 100% and where the held-out loss stops improving by much.
That is the seed's "saturation", and for this task it arrives at a moderate rank, while the
adapter's size keeps doubling with $r$ (the "% of model" column). Past saturation extra rank
buys little loss and costs parameters.
*/

/*:
## α/r or α/√r at high rank

With $s = \alpha/r$ and $\alpha$ held fixed, doubling $r$ halves $s$, so a high-rank adapter
moves more slowly ([erratum 3](errata.md#erratum-3), chapter [02](02-forward-and-scaling.md)).
rsLoRA (Kalajdzievski, 2023; PEFT's `use_rslora=True`) uses $s = \alpha/\sqrt{r}$ instead.
Same task and steps, $\alpha = 8$ for every rank:
*/
cell("α/r or α/√r at high rank")
var scalingTable = Table(columns: ["r", "α", "s = α/r", "exact (α/r)", "loss (α/r)", "s = α/√r", "exact (rsLoRA)", "loss (rsLoRA)"])
var scalingResults: [(rank: Int, standard: Double, stabilized: Double)] = []
for r in [4, 16, 64] {
    let standard = try adapted(suite.reverse, rank: r, alpha: 8, label: "α/r r=\(r)").evaluate(heldOut(suite.reverse))
    let stabilized = try adapted(suite.reverse, rank: r, alpha: 8, scaling: .rankStabilized, label: "rsLoRA r=\(r)").evaluate(heldOut(suite.reverse))
    scalingTable.add(String(r), "8", fmt(8 / Double(r), 3), percent(standard.exactMatch, 1), fmt(standard.loss, 4),
                     fmt(8 / Double(r).squareRoot(), 3), percent(stabilized.exactMatch, 1), fmt(stabilized.loss, 4))
    scalingResults.append((r, standard.loss, stabilized.loss))
}
scalingTable.print()

/*:
With $\alpha/r$ the high ranks learn *less* in the same number of steps than a moderate one,
which would make a rank sweep with fixed $\alpha$ look as if extra rank hurt. With
$\alpha/\sqrt{r}$ the scale shrinks more slowly and the high ranks keep their advantage. (The
rank sweep above avoids the issue by scaling $\alpha = 2r$.)
*/

/*:
## Which modules to adapt

The seed's three settings: `["q_proj", "v_proj"]`, all four attention projections, and all
linear layers. In this model "all linear" means the attention projections plus the MLP's
`up_proj` and `down_proj` in each layer; the output head `lm_head` is left out, as PEFT does.
To see differences that a longer run would hide at 100%, these runs take half the steps
(150). Two tasks: `reverse` (a new attention pattern) and `substitute` (a new letter map).
The first three rows use the same rank, so the budgets differ; the last two rows spend
(nearly) the same budget as `q, v` at $r = 8$: 4,096 parameters for `q, k, v, o` at $r = 4$,
and 4,608 for all-linear at $r = 2$ (the closest integer rank):
*/
cell("Which modules to adapt")
let targetSteps = steps / 2
let targetChoices: [(label: String, targets: TargetModules, rank: Int)] = [
    ("q, v", .names(["q_proj", "v_proj"]), 8),
    ("q, k, v, o", .names(["q_proj", "k_proj", "v_proj", "o_proj"]), 8),
    ("all-linear", .allLinear, 8),
    ("q, k, v, o", .names(["q_proj", "k_proj", "v_proj", "o_proj"]), 4),
    ("all-linear", .allLinear, 2),
]
var targetTable = Table(columns: ["targets", "r", "layers", "trainable", "reverse exact", "reverse loss", "substitute exact", "substitute loss"])
for choice in targetChoices {
    var row = [choice.label, String(choice.rank)]
    var first = true
    for task in [suite.reverse, suite.substitute] {
        let model = try adapted(task, targets: choice.targets, rank: choice.rank, steps: targetSteps, label: "\(choice.label) r=\(choice.rank) \(task.name)")
        if first {
            row += [String(model.adaptedLayerNames.count), grouped(model.parameterCount.trainable)]
            first = false
        }
        let e = model.evaluate(heldOut(task))
        row += [percent(e.exactMatch, 1), fmt(e.loss, 4)]
    }
    targetTable.add(row: row)
}
targetTable.print()

/*:
At equal rank, more target modules learn faster, but they also train more parameters. At an
(almost) equal budget the picture depends on the task: read the last two rows against the
first. Spreading a small budget thinly over many layers is not automatically better; which
layers matter is an empirical question per task, which is the seed's limitation 3. PEFT's
usual practice (QLoRA's paper adapts all linear layers) is a choice of coverage over rank.
*/

/*:
### The seed's `["all_linear"]`

The seed writes `target_modules = ["all_linear"]`. PEFT's special value is the plain string
`"all-linear"` (hyphen, not in a list); in a list, `"all_linear"` is an ordinary module name
that matches nothing ([erratum 5](errata.md#erratum-5)). The library follows PEFT's rules and
says so:
*/
cell("The seed's [\"all_linear\"]")
do {
    var model = pretrained
    try model.injectLoRA(targets: .names(["all_linear"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 1)
    print("[\"all_linear\"] adapted \(model.adaptedLayerNames.count) layers (unexpected)")
} catch {
    print("[\"all_linear\"] → error: \(error)")
}
var fixed = pretrained
let fixedNames = try fixed.injectLoRA(targets: TargetModules("all-linear"), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 1)
print("\"all-linear\" → \(fixedNames.count) layers: \(fixedNames.joined(separator: ", "))")

/*:
## Two adapters merged into one model

The seed's limitation 2: "多个 LoRA 模块可能相互干扰" (several LoRA modules can interfere).
Train one adapter on `reverse` and another on `shift5` (both `q, v`, $r = 8$), then merge
both into the base, $W = W_0 + \Delta W_1 + \Delta W_2$, as one would when combining
adapters by merging. Each task's accuracy with its own adapter, and after the merge:
*/
cell("Two adapters merged into one model")
let pair = [suite.reverse, suite.shift5]
let adapters = try pair.map { try adapted($0, rank: 8, label: "adapter for \($0.name)") }
/// W0 + ΔW₁ + ΔW₂ in every adapted layer: both adapters merged into one plain model.
var bothMerged = pretrained
for name in adapters[0].adaptedLayerNames {
    var weight = (pretrained[linear: name] as! Linear<Float>).weight
    for model in adapters { weight += model[linear: name].adapterBranch!.deltaWeight }
    bothMerged[linear: name] = Linear(weight: weight)
}
var mergeTable = Table(columns: (["model"] + pair.flatMap { [$0.name + " exact", $0.name + " loss"] }).map { Table.Column($0) })
var mergeRows: [String: [EvaluationResult]] = [:]
for (label, model) in [("pre-trained", pretrained), ("adapter 1 (\(pair[0].name))", adapters[0]), ("adapter 2 (\(pair[1].name))", adapters[1]),
                       ("both merged: W0 + ΔW1 + ΔW2", bothMerged)] {
    let results = pair.map { model.evaluate(heldOut($0)) }
    mergeRows[label] = results
    mergeTable.add(label, percent(results[0].exactMatch, 1), fmt(results[0].loss, 3), percent(results[1].exactMatch, 1), fmt(results[1].loss, 3))
}
mergeTable.print()
for (i, task) in pair.enumerated() {
    let alone = mergeRows["adapter \(i + 1) (\(task.name))"]![i].exactMatch
    let merged = mergeRows["both merged: W0 + ΔW1 + ΔW2"]![i].exactMatch
    print("\(task.name): exact match \(percent(alone, 1)) with its own adapter, \(percent(merged, 1)) merged with the other (drop \(fmt(100 * (alone - merged), 1)) points)")
}
/// One adapter trained on both tasks at once (twice the steps: the same examples per task).
var jointModel = pretrained
try jointModel.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: baseSeed + 200)
train(&jointModel, tasks: pair, steps: 2 * steps, learningRate: learningRate, seed: baseSeed + 300, label: "one adapter, both tasks")
let jointResults = pair.map { jointModel.evaluate(heldOut($0)) }
print("one adapter trained on both tasks (\(2 * steps) steps): " + zip(pair, jointResults).map { "\($0.name) exact \(percent($1.exactMatch, 1))" }.joined(separator: ", "))

/*:
Each adapter does its task and nothing for the other, and the sum of the two updates does
neither task: each $\Delta W$ was trained with the other absent, so in the merged model each
task's input meets a weight change it was never trained with, and it is not small. One
adapter of the same size trained on both tasks together (the last line, 600 steps: the same
examples per task) does far better on both than the merge, though it has not reached the
single-task accuracy in that time: the conflict comes from training the updates apart. Combining adapters by summing their updates needs
more care than the merge formula suggests (PEFT's `add_weighted_adapter` offers weighted and
SVD-based combinations; TIES and DARE merging prune and rescale updates before adding them).

## What a low rank cannot learn

The seed's limitation 1: "低秩约束限制了学习新知识的能力" (the low-rank constraint limits
learning new knowledge). `substitute` maps every letter through a random permutation of the
32 letters: unlike `shift5` (a cyclic shift) it is a map with no structure, so the change it
needs in the letter representations has high rank. To make the constraint bite, we adapt
only `v_proj` (the value path that carries letter identity to the answer) and train with a
constant learning rate. The table shows token accuracy at 300 steps (steps held fixed) and
again after 600 and 1200 steps:
*/
cell("What a low rank cannot learn")
let limitRanks = [1, 2, 4, 8]
let checkpoints = [300, 600, 1200]
var limitTable = Table(columns: ["r (v_proj only)", "trainable"] as [Table.Column] + checkpoints.flatMap { [Table.Column("tokens @\($0)"), Table.Column("loss @\($0)")] })
var limitCurves: [(rank: Int, accuracy: [Double])] = []
for r in limitRanks {
    var model = pretrained
    try model.injectLoRA(targets: .names(["v_proj"]), hyperparameters: LoRAHyperparameters(rank: r, alpha: 16), seed: baseSeed + 200)
    var optimizer = AdamW<Float>()
    var row = [String(r), grouped(model.parameterCount.trainable)]
    var done = 0
    var accuracy: [Double] = []
    let bar = ProgressBar(total: checkpoints.last!, label: "substitute, v_proj r=\(r)")
    for (i, checkpoint) in checkpoints.enumerated() {
        let segment = checkpoint - done
        let offset = done
        Trainer.train(&model, optimizer: &optimizer,
                      configuration: TrainingConfiguration(steps: segment, batchSize: 32, schedule: .constant(learningRate, totalSteps: segment),
                                                           seed: baseSeed + 400 + UInt64(i)),
                      tasks: [suite.substitute]) { p in
            bar.update(offset + p.step)
            return .continue
        }
        done = checkpoint
        let e = model.evaluate(heldOut(suite.substitute))
        row += [percent(e.tokenAccuracy, 1), fmt(e.loss, 3)]
        accuracy.append(e.tokenAccuracy)
    }
    bar.finish()
    limitTable.add(row: row)
    limitCurves.append((r, accuracy))
}
limitTable.print()
let gains = limitCurves.map { ($0.rank, $0.accuracy[2] - $0.accuracy[1]) }
print("gain in token accuracy from 600 to 1200 steps: " + gains.map { "r=\($0.0) \(fmt(100 * $0.1, 1)) points" }.joined(separator: ", "))
if atDefaults {
    var plot = LinePlot(title: "substitute, LoRA on v_proj only: token accuracy vs steps", xLabel: "steps",
                        yLabel: "held-out token accuracy (%)", xScale: .log)
    plot.xTicks = checkpoints.map(Double.init)
    for curve in limitCurves { plot.add("r = \(curve.rank)", x: checkpoints.map(Double.init), y: curve.accuracy.map { 100 * $0 }) }
    plot.save(as: "ch10-low-rank-limit")
}

/*:
At fixed steps, each doubling of $r$ buys a large gain. With four times the steps, the low
ranks gain only a few points per doubling of the steps (the last line) while $r = 8$ is
already at 100% after 300: $r = 1$ stays below half of the tokens. Rank 1 is not a hard wall
(the model's non-linear layers let even a rank-1 change of $W_v$ do more than a rank-1 map),
but more steps cannot buy what more rank buys. This is the
miniature of the seed's claim, and the reason for its "r = 32–64 for new knowledge".

## Compared with PEFT

`LoraConfig(r=..., lora_alpha=..., target_modules=[...])` with `use_rslora=True` is the
rsLoRA column; `target_modules="all-linear"` is the all-linear row (PEFT also skips the output
layer); `["all_linear"]` fails in PEFT with "Target modules {'all_linear'} not found in the
base model" and the library's message says the same and lists the modules. Merging two
adapters by summing is what `merge_and_unload()` does when two adapters are active at once,
and `add_weighted_adapter(..., combination_type="linear")` with weights 1, 1.

## Summary

- Accuracy rises steeply with $r$ and saturates: the rank sweep shows where, and past it the
  adapter grows without buying accuracy. $r \le \min(d, k)$: 64 here.
- With fixed $\alpha$, $\alpha/r$ slows high ranks down; $\alpha/\sqrt{r}$ (rsLoRA) does not.
- More target modules learn faster at equal rank; at equal budget it depends on the task
  (limitation 3). `["all_linear"]` matches nothing; `"all-linear"` is the value
  ([erratum 5](errata.md#erratum-5)).
- Two adapters merged into one model can destroy both tasks (limitation 2); one adapter
  trained on both tasks keeps much more of each.
- A map with no low-rank structure, learned through one projection, plateaus at low rank:
  more steps help little, more rank helps a lot (limitation 1).

## Exercises

<!-- exercises -->
*/
