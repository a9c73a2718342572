// Chapter 15: combining adapters (PEFT's add_weighted_adapter) and serving many on one base.
import LoRA
import Notebook
import Experiments

/*:
# 15 · Combining and serving adapters

**What this chapter shows.** Two things a team does once it has several adapters for one base
model. **Combining** them into one adapter with PEFT's `add_weighted_adapter`
(`peft/tuners/lora/model.py`): what `cat`, `linear` and `svd` each compute, the rank of the
result, the cross terms of `linear`, the truncation error of `svd`, and how well two task
adapters combined each way still do their tasks (the interference the seed's limitation 2
names, [chapter 11](11-rank-targets-limits.md)). **Serving** them without merging: one frozen
base, a batch whose rows use different adapters (PEFT's `adapter_names=`, S-LoRA, vLLM's
multi-LoRA), checked against running each adapter alone, its cost against a merged model, and
swapping an adapter without touching the base.

Run it with `swift run ch15-combining-and-serving` (about half a minute in a debug build); its
knobs are listed below (a bad value exits with status 2). The page is generated with the
defaults. BLAS runs on one thread, as in chapter 10.
*/
cell()
//- hide
var options = Options(
    program: "ch15-combining-and-serving",
    summary: "add_weighted_adapter's cat, linear and svd on two task adapters; many adapters served on one base.")
let steps = options.int("steps", default: 300, "fine-tuning steps per task adapter", in: 20...5000)
let seedCount = options.int("seeds", default: 5, "seeds (pairs of task adapters; verdicts need at least 2)", in: 2...20)
options.finish()
BLASInfo.setThreadCount(1)
//- show
/// The tasks, the model's shape, the held-out sets and the pre-trained model: the training
/// chapters' shared miniature (`Miniature` in the Experiments module; chapter 10 shows it).
let suite = Miniature.suite, configuration = Miniature.configuration
let tasks = [suite.reverse, suite.shift5]

/// 256 held-out examples of `task`, drawn from a seed no training run uses.
func heldOut(_ task: SequenceTask) -> TokenBatch { Miniature.heldOut(task) }

/// Chapter 10's pre-trained model.
let pretrained = Miniature.pretrained()

/*:
## Two task adapters

As in chapter 11: one adapter learns `reverse`, another `shift5` (letters shifted by 5), both
on `q_proj` and `v_proj` with $r = 8$, $\alpha = 16$, 300 AdamW steps at 3e-3, from the same
pre-trained model. Five seeds give five pairs (adapter initialisation and data order). Each
alone, on both tasks (exact match, mean ± SE over the seeds):
*/
cell("Two task adapters")
let seeds = (1...seedCount).map(UInt64.init)
/// pairs[i] = (reverse adapter, shift5 adapter) of seed i + 1.
let pairs: [[TransformerModel<Float>]] = try seeds.map { seed in
    try tasks.map { task in
        var model = pretrained
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 200 + seed)
        trainShowingProgress(&model, steps: steps, learningRate: 3e-3, seed: 300 + seed + 50 * UInt64(task.tag), label: "\(task.name), seed \(seed)", tasks: [task])
        return model
    }
}

/// Exact match and token accuracy of each model on each task: [task] → estimate over the models
/// (seeds), and the token accuracy of each seed's model in points (for paired verdicts).
func scores(_ models: [TransformerModel<Float>]) -> (exact: [Estimate], tokens: [Estimate], tokenPoints: [[Double]]) {
    let results = tasks.map { task in models.map { $0.evaluate(heldOut(task)) } }
    return (results.map { Estimate($0.map(\.exactMatch)) }, results.map { Estimate($0.map(\.tokenAccuracy)) },
            results.map { $0.map { 100 * $0.tokenAccuracy } })
}
//- hide
func cells(_ s: (exact: [Estimate], tokens: [Estimate], tokenPoints: [[Double]])) -> [String] {
    tasks.indices.flatMap { [s.exact[$0].formatted(1, scale: 100) + "%", s.tokens[$0].formatted(1, scale: 100) + "%"] }
}
let scoreColumns: [Table.Column] = tasks.flatMap { [Table.Column("\($0.name) exact"), Table.Column("\($0.name) tokens")] }
//- show
var aloneTable = Table(columns: ["model"] + scoreColumns)  // hide
aloneTable.add(row: ["pre-trained"] + cells(scores(Array(repeating: pretrained, count: seedCount))))
let alone = tasks.indices.map { i in scores(pairs.map { $0[i] }) }
for (i, task) in tasks.enumerated() { aloneTable.add(row: ["\(task.name) adapter alone"] + cells(alone[i])) }
aloneTable.print()  // hide

/*:
## What each combination computes

`add_weighted_adapter(adapters, weights, adapter_name, combination_type)` builds one new adapter
per module from the sources' $A_i$, $B_i$, scalings $s_i$ and weights $w_i$; the new adapter has
$\alpha = r$, so its scaling is 1:

$$
\begin{aligned}
\texttt{cat}:&\quad A = \begin{bmatrix} w_1 s_1 A_1 \\ w_2 s_2 A_2 \end{bmatrix},\ B = [\,B_1\ B_2\,],\quad r = r_1 + r_2,\quad BA = \textstyle\sum_i w_i\,\Delta W_i \\
\texttt{linear}:&\quad c_i = w_i s_i,\ A = \textstyle\sum_i \operatorname{sign}(c_i)\sqrt{|c_i|}\,A_i,\ B = \textstyle\sum_i \sqrt{|c_i|}\,B_i,\quad r = r_1 = r_2 \\
\texttt{svd}:&\quad \textstyle\sum_i w_i\,\Delta W_i = U\Sigma V^\top,\quad B = U_r \Sigma_r,\ A = V_r^\top,\quad r = \max_i r_i \text{ by default}
\end{aligned}
$$

- **Meaning.** `cat` stacks the two adapters side by side: its product is exactly the weighted
  sum of the updates (task arithmetic, Ilharco et al., 2023: adding fine-tuning updates, "task
  vectors", to one base to combine their tasks), at the sum of the ranks. `linear`
  mixes the factors, so its product is
  $\sum_i c_i B_iA_i + \sum_{i \ne j} \operatorname{sign}(c_j)\sqrt{|c_i c_j|}\,B_iA_j$: the
  weighted sum *plus cross terms* that pair one adapter's B with the other's A. `svd` keeps the
  best rank-$r$ approximation of the weighted sum; what it drops is the tail of the spectrum.
- **Intuition.** Only `cat` (and `svd` at full rank) reproduces "both updates at once"; the
  others trade exactness for a rank that does not grow.
- Derivation of the cross terms and the truncation error: [appendix](appendix-formulas.md#combining-adapters).
  The library's `AdapterCombination` reproduces PEFT 0.21.2's own combined adapters (fixtures
  written by PEFT, `AdapterCombinationTests`).

With $w = (1, 1)$, on the first seed's pair, per adapted module: the rank, and how far the
combined $\Delta W$ is from $\Delta W_1 + \Delta W_2$ (relative Frobenius distance); and how
large each update is next to the weight it changes, $\lVert sBA \rVert / \lVert W_0 \rVert$
(the regime the combination works in):
*/
cell("What each combination computes")
let weights = [1.0, 1.0]
let combinations: [(label: String, type: CombinationType)] = [("cat", .cat), ("linear", .linear), ("svd r=8", .svd(rank: nil)), ("svd r=16", .svd(rank: 16))]
var mathTable = Table(columns: ["module"] + combinations.map { Table.Column($0.label + ": rank, distance") }
                      + ["σ₉…σ₁₆ share (svd r=8)"] + tasks.map { Table.Column("‖sBA‖/‖W₀‖ \($0.name)") })  // hide
for path in pairs[0][0].adaptedLayerNames {
    let branches = pairs[0].map { $0[linear: path].adapterBranch! }
    let sum = AdapterCombination.weightedSum(branches, weights: weights)
    let w0 = (pretrained[linear: path] as! Linear<Float>).weight
    let relative = branches.map { AdapterCombination.weightedSum([$0], weights: [1]).frobeniusNorm / w0.frobeniusNorm }
    var row = [path]
    for c in combinations {
        let combined = try AdapterCombination.combine(branches, weights: weights, type: c.type)
        row.append("\(combined.rank), \(sci((combined.deltaWeight - sum).frobeniusNorm / sum.frobeniusNorm, 1))")
    }
    let sigma = try sum.svd().singularValues.map(\.doubleValue)
    let total = sigma.reduce(0) { $0 + $1 * $1 }
    row.append(fmt((sigma[8...].reduce(0) { $0 + $1 * $1 } / total).squareRoot(), 3))
    mathTable.add(row: row + relative.map { fmt($0, 3) })
}
mathTable.print()  // hide

/*:
`cat` is exact up to float rounding, and so is `svd` at rank 16 (the rank of the sum); `svd`
at rank 8 is off by exactly the share of the spectrum it drops (the last column: the relative
size of $\sigma_9 \dots \sigma_{16}$, Eckart–Young). `linear`'s distance is its cross terms,
whose size nothing in training controlled: the two tasks' factors were never asked to be
orthogonal.

## Do the combinations still do both tasks?

The same four combinations for every seed's pair, each loaded on the pre-trained base, on both
tasks:
*/
cell("Do the combinations still do both tasks?")
var combinedScores: [String: (exact: [Estimate], tokens: [Estimate], tokenPoints: [[Double]])] = [:]
var comboTable = Table(columns: ["combination", "rank"] + scoreColumns)  // hide
for c in combinations {
    let models = try pairs.map { try pretrained.combiningAdapters(of: $0, weights: weights, type: c.type) }
    combinedScores[c.label] = scores(models)
    comboTable.add(row: [c.label + ", w = 1, 1", String(models[0].adaptedLayers[0].layer.branch.rank)] + cells(combinedScores[c.label]!))
}
// Scaling both updates down instead of summing them whole (w = 0.5: averaging, task arithmetic's
// other common choice).
for w in [0.25, 0.5, 0.75] {
    let label = "cat, w = \(fmt(w, 2)), \(fmt(w, 2))"
    combinedScores[label] = scores(try pairs.map { try pretrained.combiningAdapters(of: $0, weights: [w, w], type: .cat) })
    comboTable.add(row: [label, "16"] + cells(combinedScores[label]!))
}
comboTable.print()  // hide

/*:
The verdicts, computed from the 95% CI of each difference paired by seed (seed $i$'s
combination is built from seed $i$'s two adapters and scored on the same examples), on token
accuracy (finer than exact match, which a combination can drive to 0 for every seed); margin
±3 points, rule as in chapter [10](10-training.md)'s primer:
*/
cell("Verdicts")
let margin = 3.0
for (i, task) in tasks.enumerated() {
    for label in ["cat", "linear", "svd r=8", "cat, w = 0.50, 0.50"] {
        let d = Difference(paired: combinedScores[label]!.tokenPoints[i], alone[i].tokenPoints[i], margin: margin, saturation: .percent)
        print("\(task.name) tokens: " + Verdict.line(label, "the \(task.name) adapter alone", d, digits: 1, unit: "points", marginDigits: 0))
    }
}
for (i, task) in tasks.enumerated() {
    for label in ["linear", "svd r=8", "cat, w = 0.50, 0.50"] {
        let d = Difference(paired: combinedScores[label]!.tokenPoints[i], combinedScores["cat"]!.tokenPoints[i], margin: margin, saturation: .percent)
        print("\(task.name) tokens: " + Verdict.line(label, "cat", d, digits: 1, unit: "points", marginDigits: 0))
    }
}

/*:
This is the seed's limitation 2 measured four ways. Summing two updates trained apart puts
each task's input through a weight change it never saw in training (`cat` with
$w = (1, 1)$ is exactly what merging both updates into $W_0$ would give, kept as an adapter). Averaging halves each
update, `linear` adds cross terms, and `svd` drops part of the sum. None of these formulas knows which directions
each task needs; methods that prune and rescale first (TIES, DARE; PEFT offers them as
`ties`, `dare_linear`, …; this package does not reproduce them) or training one adapter on
both tasks (chapter 11's last line) are the remedies to try.

How much of each task survives also depends on the regime. The ‖sBA‖/‖W₀‖ columns above give
the size of each update next to the weight it changes, in a two-layer model whose two tasks
share every adapted weight. Task arithmetic (Ilharco et al., 2023) keeps much of each task
when the fine-tuning updates of large pre-trained models are added; chapter
[17](17-a-new-voice.md) combines two voices of a pre-trained language model, with the same
ratio printed beside them.

## Serving many adapters on one base

Instead of combining, keep the adapters separate and route each request to its own. The
library's `MultiAdapterLinear` holds one frozen base and any number of LoRA branches; the
model's `addServedAdapter`, `removeServedAdapter` and `logits(tokens:sequenceLength:adapters:)`
are PEFT's `load_adapter(..., adapter_name=)`, `delete_adapter` and
`model(input_ids, adapter_names=[…])`:

$$ y = xW_0^\top + b \ \text{(all rows)}, \qquad y_{R_k} \mathrel{+}= s_k\,(x_{R_k} A_k^\top) B_k^\top \ \text{(the rows routed to adapter } k\text{)} $$

A batch of 96 held-out sequences, a third each for the `reverse` adapter, the `shift5` adapter
and the base alone (routed in turn), against running each adapter alone on its own third:
*/
cell("Serving many adapters on one base")
var server = pretrained
try server.addServedAdapter("reverse", from: pairs[0][0])
try server.addServedAdapter("shift5", from: pairs[0][1])
let t = suite.reverse.sequenceLength
let perGroup = 32
let sources = [heldOut(suite.reverse), heldOut(suite.shift5), heldOut(suite.copy)]
let routes: [String?] = ["reverse", "shift5", nil]
var mixedTokens: [Int] = [], mixedTargets: [Int] = [], mixedRoute: [String?] = []
for k in 0..<perGroup {
    for (g, source) in sources.enumerated() {
        mixedTokens += source.tokens[(k * t)..<((k + 1) * t)]
        mixedTargets += source.targets[(k * t)..<((k + 1) * t)]
        mixedRoute.append(routes[g])
    }
}
let mixed = try server.logits(tokens: mixedTokens, sequenceLength: t, adapters: mixedRoute)
let aloneModels = [pairs[0][0], pairs[0][1], pretrained]
var worst = 0.0
var identical = true
var servingTable = Table(columns: ["rows routed to", "sequences", "max |mixed − alone|", "bit-identical", "exact match (mixed)", "exact match (alone)"])  // hide
for (g, model) in aloneModels.enumerated() {
    let indices = mixedRoute.indices.filter { $0 % 3 == g }
    let tokens = indices.flatMap { mixedTokens[($0 * t)..<(($0 + 1) * t)] }
    let targets = indices.flatMap { mixedTargets[($0 * t)..<(($0 + 1) * t)] }
    let aloneLogits = model.logits(tokens: tokens, sequenceLength: t)
    let rows = indices.flatMap { i in (i * t)..<((i + 1) * t) }
    let mixedPart = Matrix<Float>(rows: rows.count, columns: mixed.columns) { r, c in mixed[rows[r], c] }
    let difference = mixedPart.maxAbsDifference(aloneLogits)
    worst = max(worst, difference)
    identical = identical && difference == 0
    let batch = TokenBatch(tokens: tokens, targets: targets, batchSize: indices.count, sequenceLength: t)
    func exact(_ logits: Matrix<Float>) -> Double {
        let (_, _, predictions) = CrossEntropy.lossAndGradient(logits: logits, targets: batch.targets)
        return Double((0..<batch.batchSize).filter { s in ((s * t)..<((s + 1) * t)).allSatisfy { batch.targets[$0] == CrossEntropy.ignoreIndex || predictions[$0] == batch.targets[$0] } }.count) / Double(batch.batchSize)
    }
    servingTable.add(routes[g] ?? "base (no adapter)", String(indices.count), sci(difference, 1), difference == 0 ? "yes" : "no",
                     percent(exact(mixedPart), 1), percent(exact(aloneLogits), 1))
}
servingTable.print()  // hide
print("largest difference over the batch: \(sci(worst, 1)) (logits up to \(fmt(Double(mixed.maxAbs), 1)) in size); tolerance the tests use: 1e-5 of the logit scale")

/*:
Each row of the mixed batch gets what its adapter alone gives. Bit for bit when the BLAS in use
rounds a row of a product the same way whatever the number of rows around it (the base product
runs on all 96 sequences at once, each adapter's branch on its own 32); otherwise within a few
units in the last place, which is why the tests state a tolerance.

### What the extra branch costs

Per token and adapted layer, the base costs $2dk$ flops and an unmerged branch $2r(d + k)$; a
merged model pays nothing extra per token but needs its own copy of every adapted weight per
adapter, and a switch of adapter means re-merging. For this model ($d = k = 64$, $r = 8$, four
adapted layers out of 13 linear layers), in flops per token of the linear layers, and measured
on this machine (shown at a terminal only):
*/
cell("What the extra branch costs")
let linearFlops = pretrained.linearLayerNames.reduce(0) { total, path in
    let layer = pretrained[linear: path]
    return total + 2 * layer.inFeatures * layer.outFeatures
}
let branchFlops = 4 * 2 * 8 * (64 + 64)
print("linear layers: \(grouped(linearFlops)) flops per token; one adapter's branches: \(grouped(branchFlops)) (\(percent(Double(branchFlops) / Double(linearFlops), 1)) more)")
let merged = pairs[0][0].mergedAndUnloaded()
let singleRoute = Array(repeating: String?("reverse"), count: mixedRoute.count)
let timings: [(String, () -> Void)] = [
    ("base alone", { _ = pretrained.logits(tokens: mixedTokens, sequenceLength: t) }),
    ("merged reverse adapter", { _ = merged.logits(tokens: mixedTokens, sequenceLength: t) }),
    ("unmerged reverse adapter (LoRALinear)", { _ = pairs[0][0].logits(tokens: mixedTokens, sequenceLength: t) }),
    ("served, one adapter for all rows", { _ = try! server.logits(tokens: mixedTokens, sequenceLength: t, adapters: singleRoute) }),
    ("served, mixed batch (3 routes)", { _ = try! server.logits(tokens: mixedTokens, sequenceLength: t, adapters: mixedRoute) }),
]
var costTable = Table(columns: ["forward of 96 sequences", "time"])  // hide
for (label, body) in timings { costTable.add(label, live(duration(medianTime(repetitions: 5, body)))) }
costTable.print()  // hide

/*:
The flop line is the machine-independent part; the times show what this machine makes of it.
On a 7B model ($d = k = 4096$) with $r = 16$ the branch adds $r(d + k)/(dk) = 2r/d$ ≈ 0.8% of
the flops of each adapted layer. Beyond flops, a server pays for unmerged adapters in memory
traffic and in gathering and scattering rows; S-LoRA's and vLLM's kernels batch the branches of
many adapters into one GPU launch for that reason.

### Hot-swapping an adapter

Replace the `reverse` adapter by the one trained with the second seed, without touching the
base: the base weights afterwards, and the new adapter's rows against running it alone:
*/
cell("Hot-swapping an adapter")
func baseWeights(_ model: TransformerModel<Float>) -> [NamedParameter<Float>] {
    model.namedParameters.filter { !$0.name.contains("lora_") }
}
try server.removeServedAdapter("reverse")
try server.addServedAdapter("reverse-v2", from: pairs[1][0])
let unchanged = zip(baseWeights(server), baseWeights(pretrained)).map { Double($0.value.maxAbsDifference($1.value)) }.max() ?? 0
print("served adapters: \(server.servedAdapterNames.joined(separator: ", ")); base weights changed by at most \(unchanged) (\(baseWeights(server).count) tensors)")
let swapped = try server.logits(tokens: Array(mixedTokens.prefix(3 * t)), sequenceLength: t, adapters: ["reverse-v2", "shift5", nil])
let swappedAlone = pairs[1][0].logits(tokens: Array(mixedTokens.prefix(t)), sequenceLength: t)
print("reverse-v2 rows against that adapter alone: max |difference| = \(sci(Matrix<Float>(rows: t, columns: swapped.columns, storage: Array(swapped.storage.prefix(t * swapped.columns))).maxAbsDifference(swappedAlone), 1))")
do {
    _ = try server.logits(tokens: Array(mixedTokens.prefix(t)), sequenceLength: t, adapters: ["reverse"])
} catch {
    print("asking for the removed adapter: \(error)")
}

/*:
## Compared with PEFT

`combiningAdapters(of:weights:type:)` is `add_weighted_adapter` with `combination_type` `cat`,
`linear` or `svd` (PEFT's other types, `ties`, `dare_*`, `magnitude_prune` and their `svd`
forms, are not implemented); the result's config has `r = lora_alpha` = the new rank, as
PEFT's, and PEFT's own combined files match ours (tests). PEFT refuses `linear` for sources of
different ranks, and so does the library. Serving is PEFT's mixed-batch forward
(`_mixed_batch_forward`): one base product for the whole batch, each adapter applied to its
own sub-batch; PEFT, like the library, refuses mixed batches with DoRA adapters, because the
magnitude rescales the base's output per adapter. Production servers (S-LoRA, Punica, vLLM)
add paged adapter memory and fused multi-adapter kernels on top of the same arithmetic.

## Summary

- `cat` is the exact weighted sum of the updates at the summed rank; `linear` keeps the rank
  and adds cross terms $B_iA_j$; `svd` keeps the rank and drops the tail of the sum's spectrum.
- Two task adapters trained apart interfere when combined by any of the three: the verdicts
  above say how much each task loses against its own adapter.
- Serving adapters unmerged on one base gives every row what its adapter alone gives (checked
  against each adapter alone), costs $2r(d+k)$ flops per token per adapted layer, and lets an
  adapter be swapped without touching the base.

## Exercises

<!-- exercises -->
*/
