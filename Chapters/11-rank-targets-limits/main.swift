// Chapter 11: how large r must be, which layers to adapt, and what LoRA cannot do.
import LoRA
import Notebook
import Experiments

/*:
# 11 · Rank, targets and limits

**What this chapter shows.** The seed's advice on the rank (Rank 建议: "从小秩开始，逐步增大直到
性能饱和", start small and grow $r$ until performance saturates), its three target-module
settings, and its three limitations (局限性), each as an experiment on the tiny transformer of
[chapter 10](10-training.md): a rank sweep $r \in \{1, 2, 4, \dots, 64\}$; $\alpha/r$ against
rsLoRA's $\alpha/\sqrt{r}$ at high rank; `q, v` against all attention against all linear
layers, at equal rank and at (nearly) equal parameter budgets; the seed's `["all_linear"]`
against the library's target matching; two adapters trained on different tasks and merged
into one model (limitation 2, 任务冲突); and a task whose update a low rank cannot express
(limitation 1, 知识更新有限). Limitation 3 (层选择敏感, sensitivity to the choice of layers)
is the target-module experiment.

Run it with `swift run ch11-rank-targets-limits` (about two minutes in a debug build); its
knobs are listed below (a bad value exits with status 2). The page is generated with the
defaults.

Every experiment starts from the same pre-trained model (600 AdamW steps on copy, sort and
shift1; 32 letters, 8 per example) and fine-tunes with AdamW, a 10% warm-up and cosine decay.
Comparisons follow [chapter 10](10-training.md)'s standard: each setting at its own learning
rate, tuned on two seeds from a grid whose best lies inside it (by the loss on 256 validation
examples), then five fresh seeds at that rate, reported as mean ± SE on 256 other
held-out examples; every comparative sentence is decided by code from the 95% interval of a
difference, with its margin printed. No run trained on either set. The pre-trained model on every task:
*/
cell()
//- hide
var options = Options(
    program: "ch11-rank-targets-limits",
    summary: "Rank sweep, α/r vs rsLoRA, target modules, combined adapters that conflict, and the rank a task needs.")
let steps = options.int("steps", default: 150, "fine-tuning steps per run", in: 10...5000)
let seedCount = options.int("seeds", default: 5, "report seeds per setting (at least 2)", in: 2...20)
options.finish()
BLASInfo.setThreadCount(1)
//- show
let reportSeeds = (1...seedCount).map(UInt64.init)
let tuningSeeds: [UInt64] = [101, 102]

/// The synthetic tasks, the model's shape, the held-out sets and the pre-trained model every
/// experiment starts from: the training chapters' shared miniature (`Miniature`).
let suite = Miniature.suite, configuration = Miniature.configuration
func heldOut(_ task: SequenceTask) -> TokenBatch { Miniature.heldOut(task) }
func validation(_ task: SequenceTask) -> TokenBatch { Miniature.heldOut(task, validation: true) }
print("model: d_model \(configuration.modelDimension), \(configuration.layerCount) layers, \(configuration.headCount) heads, MLP \(configuration.mlpDimension), vocabulary \(configuration.vocabularySize)")
let pretrained = Miniature.pretrained()

/// LoRA on `targets` with rank r and α (default 2r, so s = 2), tried at the rates of `grid`.
func loraMethod(_ name: String, targets: TargetModules = .names(["q_proj", "v_proj"]), rank: Int, alpha: Double? = nil,
                scaling: LoRAScaling = .standard, grid: [Double] = [1e-2, 3e-2, 1e-1]) -> FineTuningMethod {
    let h = LoRAHyperparameters(rank: rank, alpha: alpha ?? Double(2 * rank), scaling: scaling)
    return FineTuningMethod(name: name, grid: grid) { model, seed in
        var m = model
        try m.injectLoRA(targets: targets, hyperparameters: h, seed: seed)
        return m
    }
}

/// Tunes and runs `methods` on `task`, with a progress bar at a terminal.
func experiment(_ methods: [FineTuningMethod], on task: SequenceTask, checkpoints: [Int] = []) -> [TunedMethod] {
    let setup = FineTuningSetup(base: pretrained, source: .stream([task]), heldOut: heldOut(task), validation: validation(task), steps: steps,
                                checkpoints: checkpoints)
    let progress = SharedProgress(total: methods.count * (3 * tuningSeeds.count + seedCount), label: task.name)
    defer { progress.finish() }
    return tune(methods, setup: setup, tuningSeeds: tuningSeeds, reportSeeds: reportSeeds, progress: progress)
}

let exactMargin = 0.02

var before = Table(columns: ["task", "role", "held-out loss", "token accuracy", "exact match"])  // hide
for task in suite.pretraining + suite.fineTuning {
    let e = pretrained.evaluate(heldOut(task))
    before.add(task.name, suite.pretraining.contains(task) ? "pre-training" : "fine-tuning",
               fmt(e.loss, 3), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
}
before.print()  // hide

/*:
## Rank sweep

The seed's guidance: $r = 1$–4 for simple tasks, 8–16 for instruction tuning, 32–64 for new
knowledge, and "increase until performance saturates". We fine-tune `q_proj` and `v_proj` on
`reverse` at $r \in \{1, 4, 16, 64\}$ with $\alpha = 2r$, so $s = \alpha/r = 2$ at every rank.
Holding $s$ fixed does not hold the step fixed: under Adam every entry of $A$ and $B$ moves by
about the learning rate, so $\Delta W = sBA$, a sum of $r$ rank-one terms, changes by more per
step as $r$ grows. Rank then buys speed as well as capacity. To separate the two, each rank
gets its own tuned learning rate, and besides the final accuracy the table gives the steps each
rank needs to reach 90% exact match (the held-out set is scored every 10 steps). The rank
cannot usefully exceed $\min(d, k) = 64$ for a $64 \times 64$ projection: the library refuses
$r = 65$ with a typed error, where PEFT accepts it silently (for the default
initialisation `LoraLayer.update_layer` in `peft/tuners/lora/layer.py` checks only $r > 0$; the
extra rank adds parameters and no capacity).
*/
cell("Rank sweep")
let sweepRanks = [1, 4, 16, 64]
let marks = Array(stride(from: 10, through: steps, by: 10))
/// Larger ranks take larger steps (above), so their grid starts one step lower.
let sweep = experiment(sweepRanks.map { loraMethod("r=\($0)", rank: $0, grid: $0 >= 16 ? [3e-3, 1e-2, 3e-2] : [1e-2, 3e-2, 1e-1]) },
                       on: suite.reverse, checkpoints: marks)
/// Steps until held-out exact match first reaches 90% (the run's length + 10 if never).
func stepsToThreshold(_ run: FineTuningRun) -> Double {
    Double(zip(marks, run.checkpoints).first { $0.1.exactMatch >= 0.9 }?.0 ?? steps + 10)
}
var sweepTable = Table(columns: ["r", "α", "trainable", "tuned lr", "held-out loss", "exact match", "steps to 90% exact"])  // hide
for (r, t) in zip(sweepRanks, sweep) {
    let count = try t.method.prepare(pretrained, 0).parameterCount
    sweepTable.add(String(r), String(2 * r), grouped(count.trainable), sci(t.choice.rate, 0) + (t.choice.isInterior ? "" : " (grid end)"),
                   t.estimate(\.evaluation.loss).formatted(4), t.estimate(\.evaluation.exactMatch).formatted(1, scale: 100) + "%",
                   t.estimate(stepsToThreshold).formatted(1))
}
sweepTable.print()  // hide
print("(\(seedCount) seeds per rank at its tuned rate; mean ± SE; a run that never reaches 90% counts as \(steps + 10) steps)")
for i in 1..<sweep.count {
    // Every rank ran the same report seeds (data order, held-out set): paired by seed.
    let exact = sweep[i].paired(with: sweep[i - 1], \.evaluation.exactMatch, margin: exactMargin, saturation: .accuracy)
    let speed = sweep[i].paired(with: sweep[i - 1], stepsToThreshold, margin: 10)
    let neverReached = (sweep[i].runs + sweep[i - 1].runs).allSatisfy { stepsToThreshold($0) > Double(steps) }
    print("r=\(sweepRanks[i - 1]) → r=\(sweepRanks[i]): exact match " + Verdict.trend(exact)
          + " (\(exact.summary(1, scale: 100, unit: "points", marginDigits: 0))); steps to 90%: "
          + (neverReached ? "neither reaches 90% in \(steps) steps"
             : Verdict.line("r=\(sweepRanks[i])", "r=\(sweepRanks[i - 1])", speed, higherIsBetter: false, digits: 1, unit: "steps", marginDigits: 0)))
}
/// The rank a task needs, operationally: the smallest swept rank whose mean exact match reaches 90%.
let smallestEnough = zip(sweepRanks, sweep).first { $0.1.estimate(\.evaluation.exactMatch).mean >= 0.9 }?.0
print("smallest swept rank with mean exact match ≥ 90% on reverse (q_proj, v_proj): " + (smallestEnough.map { "r = \($0)" } ?? "none up to r = \(sweepRanks.last!)"))
do {
    var tooLarge = pretrained
    try tooLarge.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 65, alpha: 130), seed: 1)
    print("r = 65 was accepted (unexpected)")
} catch {
    print("r = 65: \(error)")
}
var plot = LinePlot(title: "Rank sweep: reverse, q_proj and v_proj, α = 2r, each at its tuned rate (mean of \(seedCount) seeds)",
                    xLabel: "step", yLabel: "held-out exact match (%)")
for (r, t) in zip(sweepRanks, sweep) {
    let mean = marks.indices.map { i in t.runs.reduce(0) { $0 + $1.checkpoints[i].exactMatch } / Double(t.runs.count) * 100 }
    plot.add("r = \(r), lr \(sci(t.choice.rate, 0))", x: marks.map(Double.init), y: mean, showsPoints: false)
}
plot.save(as: "ch11-rank-sweep")  // hide

/*:
The verdict lines compare neighbouring ranks: whether exact match still rises, plateaus, or the
seeds cannot tell, and whether the larger rank reaches 90% sooner. With each rank at its tuned
rate, the figure shows how much of "more rank" is speed. On a real model the picture is
richer: Biderman et al. (2024, "LoRA Learns Less and Forgets Less") find that full fine-tuning
updates of LLMs have a rank 10–100× higher than typical LoRA ranks, and that LoRA at low rank
learns less of a new domain (code, math) than full fine-tuning does.

## α/r or α/√r

With $s = \alpha/r$ and $\alpha$ held fixed, doubling $r$ halves $s$, so at a fixed learning
rate a high-rank adapter moves more slowly ([erratum 3](errata.md#erratum-3), chapter
[05](05-scaling.md)). rsLoRA (Kalajdzievski, 2023; PEFT's `use_rslora=True`) uses
$s = \alpha/\sqrt{r}$ instead. At a fixed rank the two differ by a constant factor in $s$.
Under Adam one global learning rate cannot absorb that factor: training at scale $s$ and rate
$\eta$ is exactly training at scale 1 with rate $\eta$ for $A$ and $s\eta$ for $B$ (LoRA+ with
$\lambda = s$, as [chapter 05](05-scaling.md) shows by a run), so a change of $s$ changes the
*ratio* of the two factors' rates, which a global rate leaves alone. We compare the two rules
where rsLoRA is meant to matter, at $r = 64$ with $\alpha = 8$, each at its own tuned rate:
*/
cell("α/r or α/√r")
let scalings = experiment([loraMethod("α/r, r=64, α=8", rank: 64, alpha: 8, grid: [3e-2, 1e-1, 3e-1]),
                           loraMethod("α/√r, r=64, α=8", rank: 64, alpha: 8, scaling: .rankStabilized, grid: [3e-3, 1e-2, 3e-2])],
                          on: suite.reverse)
var scalingTable = Table(columns: ["scaling", "s", "tuned lr", "held-out loss", "exact match"])  // hide
for (t, s) in zip(scalings, [8.0 / 64, 8.0 / 8]) {
    scalingTable.add(t.method.name, fmt(s, 3), sci(t.choice.rate, 0) + (t.choice.isInterior ? "" : " (grid end)"),
                     t.estimate(\.evaluation.loss).formatted(4), t.estimate(\.evaluation.exactMatch).formatted(1, scale: 100) + "%")
}
scalingTable.print()  // hide
let scalingDifference = scalings[1].paired(with: scalings[0], \.evaluation.exactMatch, margin: exactMargin, saturation: .accuracy)
print("exact match at their tuned rates: " + Verdict.line("α/√r", "α/r", scalingDifference, digits: 1, scale: 100, unit: "points", marginDigits: 0))
print("tuned rate ratio α/r : α/√r = \(fmt(scalings[0].choice.rate / scalings[1].choice.rate, 1)) (s ratio \(fmt(8.0 / 8 / (8.0 / 64), 0)))")

/*:
The verdict line above is this page's answer for $r = 64$, $\alpha = 8$ on `reverse`, each rule
at its own tuned rate; the rate ratio beside it shows that part of the difference is which rate
is best, and the rest (the verdict) is what a retuned global rate could not undo, as the
equivalence above predicts. rsLoRA's case is large ranks and long training, where
$\alpha/r$ with a fixed $\alpha$ makes the best rate depend on $r$. Schulman et al. (2025,
"LoRA Without Regret", Thinking Machines) report the reverse finding for $1/r$ scaling in
practice: with $\alpha$ fixed and $1/r$ scaling, the optimal learning rate is nearly
independent of the rank, because at initialisation the $1/r$ factor offsets how $BA$ grows
with $r$ early in training.

## Which modules to adapt

The seed's three settings: `["q_proj", "v_proj"]`, all four attention projections, and all
linear layers. In this model "all linear" means the attention projections plus the MLP's
`up_proj` and `down_proj` in each layer; the output head `lm_head` is left out, as PEFT does.
At the same rank more modules means more parameters, so we compare them at (nearly) the same
budget: `q, v` at $r = 8$ (4,096 parameters), `q, k, v, o` at $r = 4$ (4,096), all-linear at
$r = 2$ (4,608, the closest integer rank). Two tasks: `reverse` (a new attention pattern) and
`substitute` (a new letter map):
*/
cell("Which modules to adapt")
let targetChoices: [(label: String, targets: TargetModules, rank: Int)] = [
    ("q, v", .names(["q_proj", "v_proj"]), 8),
    ("q, k, v, o", .names(["q_proj", "k_proj", "v_proj", "o_proj"]), 4),
    ("all-linear", .allLinear, 2),
]
let targetMethods = targetChoices.map { loraMethod("\($0.label) r=\($0.rank)", targets: $0.targets, rank: $0.rank) }
var targetTable = Table(columns: ["targets", "r", "trainable", "task", "tuned lr", "held-out loss", "exact match"])  // hide
var targetVerdicts: [String] = []
/// Each task's tuned methods, in `targetChoices` order (the combination section reuses `reverse`'s `q, v`).
var targetResults: [[TunedMethod]] = []
for task in [suite.reverse, suite.substitute] {
    let results = experiment(targetMethods, on: task)
    targetResults.append(results)
    for (choice, t) in zip(targetChoices, results) {
        let count = try t.method.prepare(pretrained, 0).parameterCount
        targetTable.add(choice.label, String(choice.rank), grouped(count.trainable), task.name, sci(t.choice.rate, 0) + (t.choice.isInterior ? "" : " (grid end)"),
                        t.estimate(\.evaluation.loss).formatted(4), t.estimate(\.evaluation.exactMatch).formatted(1, scale: 100) + "%")
    }
    for t in results.dropFirst() {
        let d = t.paired(with: results[0], \.evaluation.exactMatch, margin: exactMargin, saturation: .accuracy)
        targetVerdicts.append("\(task.name) exact match: " + Verdict.line(t.method.name, results[0].method.name, d, digits: 1, scale: 100, unit: "points", marginDigits: 0))
    }
}
targetTable.print()  // hide
for line in targetVerdicts { print(line) }

/*:
Which layers matter at a fixed budget is an empirical question per task (the seed's
limitation 3); the verdicts above answer it for these two tasks, and where the seeds cannot
separate two settings the page says so. What this model cannot show: its blocks are two
layers of width 64 with an MLP of two projections, so squeezing all-linear into the same
budget leaves it rank 2, and its tasks are synthetic. At scale the question has an answer
from evidence, not a choice: Dettmers et al. (2023, §4) found that "LoRA on all linear
transformer block layers" is required to match full fine-tuning, and Schulman et al. (2025,
"LoRA Without Regret") found attention-only LoRA behind, with the MLP layers mattering most.
Chapter [17](17-a-new-voice.md) asks it again at equal *rank* on a pre-trained language
model, with attention-only, MLP-only and all-linear adapters side by side.

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
## Two adapters combined into one model

The seed's limitation 2: "多个 LoRA 模块可能相互干扰" (several LoRA modules can interfere).
Train one adapter on `reverse` and another on `shift5` (both `q, v`, $r = 8$, each at its tuned
rate, five seeds), then combine them into one adapter the three ways PEFT's
`add_weighted_adapter(..., weights=[1, 1], combination_type=...)` offers (the library's
`combiningAdapters(of:weights:type:)` follows `peft/tuners/lora/model.py`):

- `cat` stacks the factors: rank $r_1 + r_2$, and $BA = \Delta W_1 + \Delta W_2$ exactly;
- `linear` mixes the $A$s and the $B$s separately, each weighted by $\sqrt{w_i s_i}$: rank $r$,
  and $BA = \Delta W_1 + \Delta W_2 + (\text{cross terms } \sqrt{s_1 s_2}(B_1A_2 + B_2A_1))$;
- `svd` truncates $\Delta W_1 + \Delta W_2$ to rank $r$ (its best rank-$r$ approximation).

First what each builds, in the first layer's `q_proj` of seed 1 (distances relative to
$\lVert \Delta W_1 + \Delta W_2 \rVert_F$):
*/
cell("Two adapters combined into one model")
let pair = [suite.reverse, suite.shift5]
/// The `reverse` adapter is the target-module section's `q, v` at r = 8 (same method, grid and seeds).
let pairTuned = [targetResults[0][0], experiment([targetMethods[0]], on: suite.shift5)[0]]
let combinationTypes: [CombinationType] = [.cat, .linear, .svd(rank: nil)]
/// One seed's two adapters combined each way.
func combinations(_ i: Int) throws -> [TransformerModel<Float>] {
    try combinationTypes.map { try pretrained.combiningAdapters(of: [pairTuned[0].runs[i].model, pairTuned[1].runs[i].model], weights: [1, 1], type: $0) }
}
let probePath = "layers.0.self_attn.q_proj"
let exactSum = pairTuned[0].runs[0].model[linear: probePath].adapterBranch!.deltaWeight + pairTuned[1].runs[0].model[linear: probePath].adapterBranch!.deltaWeight
var buildTable = Table(columns: ["combination", "rank", "‖BA − (ΔW1 + ΔW2)‖ / ‖ΔW1 + ΔW2‖"])  // hide
for (type, model) in zip(combinationTypes, try combinations(0)) {
    let branch = model[linear: probePath].adapterBranch!
    buildTable.add(type.description, String(branch.rank), sci(branch.deltaWeight.maxAbsDifference(exactSum) == 0 ? 0 : (branch.deltaWeight - exactSum).frobeniusNorm / exactSum.frobeniusNorm, 2))
}
buildTable.print()  // hide

/*:
`cat` reproduces the sum (to float32 rounding); `linear`'s distance is its cross terms; `svd`'s
is the part of the sum beyond rank $r$. Now each task's accuracy with its own adapter, with
each combination, and with one adapter trained on both tasks together (twice the steps: the
same examples per task; its rate tuned like every other, on both tasks' validation examples):
*/
cell("Accuracy of each combination")
let combinedResults = try reportSeeds.indices.map { i in try combinations(i).map { model in pair.map { model.evaluate(heldOut($0)) } } }
/// The examples of `batches` (of one sequence length) as one batch.
func joined(_ batches: [TokenBatch]) -> TokenBatch {
    TokenBatch(tokens: batches.flatMap(\.tokens), targets: batches.flatMap(\.targets),
               batchSize: batches.map(\.batchSize).reduce(0, +), sequenceLength: batches[0].sequenceLength)
}
/// One adapter trained on both tasks at once, its rate tuned on both tasks' validation examples.
let jointSetup = FineTuningSetup(base: pretrained, source: .stream(pair), heldOut: joined(pair.map(heldOut)),
                                 validation: joined(pair.map(validation)), steps: 2 * steps)
let jointTuned = tune([loraMethod("both", rank: 8)], setup: jointSetup, tuningSeeds: tuningSeeds, reportSeeds: reportSeeds)[0]
let jointRuns = jointTuned.runs
var mergeTable = Table(columns: (["model"] + pair.map { $0.name + " exact" }).map { Table.Column($0) })  // hide
mergeTable.add(row: ["pre-trained"] + pair.map { percent(pretrained.evaluate(heldOut($0)).exactMatch, 1) })
for k in pair.indices {
    mergeTable.add(row: ["adapter \(k + 1) (\(pair[k].name)), lr \(sci(pairTuned[k].choice.rate, 0))"]
                   + pair.map { t in Estimate(pairTuned[k].runs.map { $0.model.evaluate(heldOut(t)).exactMatch }).formatted(1, scale: 100) + "%" })
}
let combinedExact = combinationTypes.indices.map { c in pair.indices.map { k in Estimate(combinedResults.map { $0[c][k].exactMatch }) } }
for (c, type) in combinationTypes.enumerated() {
    mergeTable.add(row: ["both, \(type.description)"] + combinedExact[c].map { $0.formatted(1, scale: 100) + "%" })
}
let jointExact = pair.map { t in Estimate(jointRuns.map { $0.model.evaluate(heldOut(t)).exactMatch }) }
mergeTable.add(row: ["one adapter trained on both (\(2 * steps) steps), lr \(sci(jointTuned.choice.rate, 0))" + (jointTuned.choice.isInterior ? "" : " (grid end)")] + jointExact.map { $0.formatted(1, scale: 100) + "%" })
mergeTable.print()  // hide
// Seed i's combinations are built from seed i's two adapters, and the joint adapter ran the
// same report seeds: every comparison is paired by seed.
for k in pair.indices {
    let alone = pairTuned[k].runs.map { $0.model.evaluate(heldOut(pair[k])).exactMatch }
    let combined = combinationTypes.indices.map { c in combinedResults.map { $0[c][k].exactMatch } }
    for (c, type) in combinationTypes.enumerated() {
        let d = Difference(paired: combined[c], alone, margin: exactMargin, saturation: .accuracy)
        print("\(pair[k].name) exact match: " + Verdict.line("\(type.description)", "its own adapter", d, digits: 1, scale: 100, unit: "points", marginDigits: 0))
    }
    let j = Difference(paired: jointRuns.map { $0.model.evaluate(heldOut(pair[k])).exactMatch }, combined[0], margin: exactMargin, saturation: .accuracy)
    print("\(pair[k].name) exact match: " + Verdict.line("one adapter trained on both", "cat", j, digits: 1, scale: 100, unit: "points", marginDigits: 0))
}

/*:
Each $\Delta W$ was trained with the other absent, so in the combined model each task's input
meets a weight change it was never trained with; `linear` adds cross terms that neither
adapter learned, and `svd` drops what lies beyond rank $r$. The verdicts say what each costs
here, and whether training one adapter on both tasks avoids it. TIES (Yadav et al., 2023: trim each update to its largest
entries, elect one sign per entry, average the entries that agree) and DARE (Yu et al., 2024:
drop a random share $p$ of each update's entries and rescale the rest by $1/(1-p)$) prune and
rescale updates before adding them; [chapter 15](15-combining-and-serving.md) goes
further, and serves several adapters on one base without combining them at all.

## How concentrated is a full update?

The seed's limitation 1: "低秩约束限制了学习新知识的能力" (the low-rank constraint limits
learning new knowledge). The rank a task *needs* is an operational quantity: the smallest $r$
that reaches a target accuracy in a rank sweep (the line under the rank sweep above prints it
for `reverse`). A full fine-tuning update's spectrum answers a different question: how
concentrated the update that full fine-tuning happened to find is. `substitute` maps every
letter through a random permutation of the 32 letters: a map with no structure. Fine-tune
*only* `v_proj` (the value path that carries letter identity to the answer), fully, at its tuned
rate, and take the singular values of the update
$\Delta W_v = W_v^{\text{after}} - W_v^{\text{before}}$ in each layer. The energy a rank-$r$
adapter could hold is $\sum_{i \le r} \sigma_i^2 / \sum_i \sigma_i^2$ (Eckart–Young, chapter
[01](01-low-rank-update.md)). The last rows are the baseline that gives these numbers a scale:
64 × 64 matrices of i.i.d. Gaussian entries, which have no low-rank structure at all:
*/
cell("How concentrated is a full update?")
let vOnly = FineTuningMethod(name: "full fine-tuning of v_proj only", grid: [1e-2, 3e-2, 1e-1]) { model, _ in
    var m = model
    m.setBaseParametersTrainable(false)
    for name in m.linearLayerNames where name.hasSuffix("v_proj") {
        var layer = m[linear: name] as! Linear<Float>
        layer.isTrainable = true
        m[linear: name] = layer
    }
    return m
}
let vTuned = experiment([vOnly], on: suite.substitute)[0]
let energyRanks = [1, 2, 4, 8, 16, 32]
var energyTable = Table(columns: (["layer"] + energyRanks.map { "top \($0)" } + ["rank for 90%"]).map { Table.Column($0) })  // hide
var rankFor90: [[Double]] = []
for layerName in pretrained.linearLayerNames where layerName.hasSuffix("v_proj") {
    var perSeed: [[Double]] = [], needed: [Double] = []
    for run in vTuned.runs {
        let delta = (run.model[linear: layerName] as! Linear<Float>).weight - (pretrained[linear: layerName] as! Linear<Float>).weight
        let sigma = try delta.converted(to: Double.self).svd().singularValues
        let total = sigma.reduce(0) { $0 + $1 * $1 }
        let cumulative = sigma.indices.map { i in sigma[...i].reduce(0) { $0 + $1 * $1 } / total }
        perSeed.append(energyRanks.map { cumulative[$0 - 1] })
        needed.append(Double((cumulative.firstIndex { $0 >= 0.9 } ?? sigma.count - 1) + 1))
    }
    rankFor90.append(needed)
    energyTable.add(row: [layerName] + energyRanks.indices.map { k in Estimate(perSeed.map { $0[k] }).formatted(1, scale: 100) + "%" }
                    + [Estimate(needed).formatted(1)])
}
/// The baseline: i.i.d. Gaussian matrices of the same shape (one per report seed).
var gaussianShares: [[Double]] = [], gaussianNeeded: [Double] = []
for seed in reportSeeds {
    var g = SeededGenerator(seed: 9_000 + seed)
    let sigma = try Matrix<Double>.normal(64, 64, using: &g).svd().singularValues
    let total = sigma.reduce(0) { $0 + $1 * $1 }
    let cumulative = sigma.indices.map { i in sigma[...i].reduce(0) { $0 + $1 * $1 } / total }
    gaussianShares.append(energyRanks.map { cumulative[$0 - 1] })
    gaussianNeeded.append(Double((cumulative.firstIndex { $0 >= 0.9 } ?? sigma.count - 1) + 1))
}
energyTable.add(row: ["i.i.d. Gaussian 64 × 64 (baseline)"] + energyRanks.indices.map { k in Estimate(gaussianShares.map { $0[k] }).formatted(1, scale: 100) + "%" }
                + [Estimate(gaussianNeeded).formatted(1)])
energyTable.print()  // hide
print("(full fine-tuning of v_proj only at its tuned rate \(sci(vTuned.choice.rate, 0)), \(seedCount) seeds; exact match \(vTuned.estimate(\.evaluation.exactMatch).formatted(1, scale: 100))%; mean ± SE)")

/*:
The table says how much of the update a rank-$r$ adapter on `v_proj` could hold at best, and
the last column the rank that holds 90% of it, beside the same numbers for a matrix with no
structure. An update needs fewer directions than the Gaussian baseline exactly insofar as it is
concentrated. Neither number is the rank the task needs: a low-rank adapter trained directly
finds its own update, which need not be the top of full fine-tuning's (the rank sweep's line
measures that directly), and in this model the updates are as large as the weights themselves.

## Compared with PEFT

`LoraConfig(r=..., lora_alpha=..., target_modules=[...])` with `use_rslora=True` is the
rsLoRA column; `target_modules="all-linear"` is the all-linear row (PEFT also skips the output
layer); `["all_linear"]` fails in PEFT with "Target modules {'all_linear'} not found in the
base model" and the library's message says the same and lists the modules. Summing two
adapters' updates is `add_weighted_adapter(..., combination_type="cat")` with weights 1, 1
(`combination_type="linear"` is not the sum: it combines the $A$s and the $B$s separately, each
weighted by $\sqrt{w_i s_i}$, so its product has cross terms $B_1A_2 + B_2A_1$).

## Summary

- The rank sweep gives each rank its own tuned rate and reports steps to 90% as well as the
  final accuracy, because under Adam a larger rank also takes larger steps; its verdict lines
  say where accuracy still rises and where the seeds cannot tell. $r \le \min(d, k)$: 64 here.
- At tuned learning rates $\alpha/r$ and $\alpha/\sqrt{r}$ compare as the verdict line says; a
  retuned global rate cannot undo a change of $s$ (chapter [05](05-scaling.md)).
- At an equal parameter budget, which modules to adapt depends on the task (limitation 3):
  the verdicts per task above. `["all_linear"]` matches nothing; `"all-linear"` is the value
  ([erratum 5](errata.md#erratum-5)).
- Two adapters trained apart and combined into one model (limitation 2): the verdict lines say
  what each task keeps, against its own adapter and against one adapter trained on both.
- The rank a task needs is the smallest rank that reaches the target accuracy in a sweep;
  the spectrum of a full fine-tuning update, read against a Gaussian baseline, says how
  concentrated that one update is (limitation 1).

## Exercises

<!-- exercises -->
*/
