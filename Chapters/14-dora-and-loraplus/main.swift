// Chapter 14: DoRA and LoRA+ computed exactly as PEFT does, then five variants compared at tuned rates.
import LoRA
import Notebook
import Experiments

/*:
# 14 · DoRA and LoRA+

**What this chapter shows.** Two variants a PEFT user meets today, each computed exactly as
PEFT computes it and checked: **DoRA** (Liu et al., 2024; `LoraConfig(use_dora=True)`), which
splits each adapted weight row into a trained length and a LoRA-updated direction, and **LoRA+**
(Hayou et al., 2024; `create_loraplus_optimizer`), which gives B a learning rate λ times A's.
Then LoRA, rsLoRA, DoRA, LoRA+ and PiSSA are compared on the fine-tuning task of
[chapter 10](10-training.md) at an equal parameter budget, each at its own tuned learning
rate, over several seeds, with verdicts computed from the numbers.

Run it with `swift run ch14-dora-and-loraplus` (about a minute in a debug build); its knobs
are listed below (a bad value exits with status 2). The page is generated with the defaults. BLAS runs on one thread, as in chapter 10.
*/
cell()
//- hide
var options = Options(
    program: "ch14-dora-and-loraplus",
    summary: "DoRA and LoRA+ as PEFT computes them; LoRA, rsLoRA, DoRA, LoRA+ and PiSSA at tuned rates over seeds.")
let steps = options.int("steps", default: 100, "fine-tuning steps per run", in: 20...2000)
let seedCount = options.int("seeds", default: 5, "seeds per method and rate (verdicts need at least 2)", in: 2...20)
options.finish()
BLASInfo.setThreadCount(1)
//- show
/// The tasks, the model's shape, the held-out sets and the pre-trained model: the training
/// chapters' shared miniature (`Miniature` in the Experiments module; chapter 10 shows it).
let suite = Miniature.suite, configuration = Miniature.configuration
let task = suite.reverse

/// 256 examples of `task` from a seed no training run uses: `validation` picks learning rates,
/// the other set reports results.
func heldOut(_ task: SequenceTask, validation: Bool = false) -> TokenBatch { Miniature.heldOut(task, validation: validation) }

/// Chapter 10's pre-trained model.
let pretrained = Miniature.pretrained()
let qv: TargetModules = .names(["q_proj", "v_proj"])

/*:
## DoRA: a length and a direction per output row

DoRA writes the adapted weight as a magnitude times a direction, and lets LoRA move only the
direction (Liu et al., 2024, eq. 5). With $W' = W_0 + sBA$ and $n_j = \lVert W'_{j,:} \rVert_2$
the norm of output row $j$ over the input dimension:

$$ W = \operatorname{diag}\!\left(\frac{m}{n}\right) W', \qquad y = \frac{m}{n} \odot \left(x W_0^\top + s\, x A^\top B^\top\right) + b $$

- **Meaning.** Each output row of the adapted weight has length $m_j$, a trained number, and
  the direction of $W_0 + sBA$.
- **Variables.** $m \in \mathbb{R}^{d}$ the magnitude vector (`lora_magnitude_vector`),
  initialised to $\lVert W_0 \rVert$ per row, so $m/n = 1$ while $B = 0$ and the layer starts as
  its base; $s$, $A$, $B$ as in LoRA.
- **Intuition.** Full fine-tuning changes lengths and directions of weight rows in ways that
  LoRA's single product couples; giving the length its own parameter decouples them.
- **PEFT.** `DoraLinearLayer` (`peft/tuners/lora/dora.py`) computes $n$ on every step and
  *detaches* it (DoRA §4.3 treats $\lVert W' \rVert$ as a constant to save memory), so the
  gradient is that of the formula with $n$ frozen at its current value. With dropout on, PEFT
  feeds the dropped input $\tilde x$ to both the LoRA branch and a second base product:
  $y = xW_0^\top + b + (m/n - 1)\odot(\tilde x W_0^\top) + (m/n)\odot s\,\tilde x A^\top B^\top$.
  Derivation and the gradients: [appendix](appendix-formulas.md#dora).

The library's `DoRALinear` is that layer over any frozen base (dense or 4-bit). Take layer 0's
`q_proj` of the pre-trained model, in Double, with $r = 8$, $\alpha = 16$:
*/
cell("DoRA: a length and a direction per output row")
let qProj = (pretrained[linear: "layers.0.self_attn.q_proj"] as! Linear<Float>).dense(as: Double.self)
var doraGenerator = SeededGenerator(seed: 31)
var dora = try DoRALinear(base: qProj, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, useDoRA: true), using: &doraGenerator)
let probe = Matrix<Double>.normal(6, 64, using: &doraGenerator)
let rowNorms = (0..<4).map { i in (0..<64).reduce(0.0) { $0 + qProj.weight[i, $1] * qProj.weight[i, $1] }.squareRoot() }
print("m (first 4 rows):        " + (0..<4).map { fmt(dora.magnitude[0, $0], 6) }.joined(separator: "  "))
print("‖W0 row‖ (first 4 rows): " + rowNorms.map { fmt($0, 6) }.joined(separator: "  "))
print("at initialisation: max |DoRA(x) − base(x)| = \(sci(dora.forward(probe).maxAbsDifference(qProj.forward(probe)), 1))")

/*:
Now move B and m off their starting values and check the backward pass against central
differences of the same function, $n$ held at its value ($h = 10^{-5}$, norm-wise relative
error, tolerance $10^{-6}$). Against the *true* forward, where $n$ follows A and B, the
gradients for $x$ and $m$ still agree ($n$ does not depend on them), but A's and B's do not:
the detached norm drops a term on purpose.
*/
cell("Gradient check")
dora.branch.b = .normal(64, 8, std: 0.05, using: &doraGenerator)
dora.magnitude = dora.magnitude + .uniform(1, 64, low: -0.1, high: 0.1, using: &doraGenerator)
let upstream = Matrix<Double>.normal(6, 64, using: &doraGenerator)
let checked = dora
var maskGenerator = SeededGenerator(seed: 1)
let heldNorm = dora.weightNorm()
let doraGrads = dora.backward(upstream, cache: dora.forward(probe, training: &maskGenerator).cache)
let analytic = [doraGrads.input, doraGrads.a, doraGrads.b, doraGrads["lora_magnitude_vector"]!]
func doraLoss(_ p: [Matrix<Double>], holdingNorm: Bool) -> Double {
    var layer = checked
    layer.branch.a = p[1]
    layer.branch.b = p[2]
    layer.magnitude = p[3]
    var g = SeededGenerator(seed: 1)
    let y = holdingNorm ? layer.forward(p[0], weightNorm: heldNorm, training: &g).output : layer.forward(p[0])
    return (y .* upstream).sum
}
let point = [probe, dora.branch.a, dora.branch.b, dora.magnitude]
let held = GradientCheck.check({ doraLoss($0, holdingNorm: true) }, at: point, analytic: analytic)
let full = GradientCheck.check({ doraLoss($0, holdingNorm: false) }, at: point, analytic: analytic)
var gradTable = Table(columns: ["against", "∂L/∂x", "∂L/∂A", "∂L/∂B", "∂L/∂m", "within 1e-6"])  // hide
gradTable.add(row: ["n held (PEFT's function)"] + held.relativeErrors.map { sci($0, 1) } + [held.passes() ? "yes" : "no"])
gradTable.add(row: ["n recomputed (true forward)"] + full.relativeErrors.map { sci($0, 1) } + [full.passes() ? "yes" : "no"])
gradTable.print()  // hide
var merged = dora
try merged.merge()
let mergedDifference = merged.forward(probe).maxAbsDifference(dora.forward(probe))
try merged.unmerge()
print("merge: W ← diag(m/n)·(W0 + sBA); max |merged(x) − unmerged(x)| = \(sci(mergedDifference, 1)); after unmerge max |W − W0| = \(sci(merged.base.weight.maxAbsDifference(qProj.weight), 1))")
print("extra trainable parameters of DoRA on this layer: \(dora.outFeatures) (the magnitude), on top of LoRA's \(grouped(dora.branch.a.count + dora.branch.b.count))")

/*:
Two more checks live in the test suite rather than on this page: the library loads a DoRA
adapter written by real PEFT 0.21.2 and reproduces PEFT's magnitudes bit for bit and its
outputs and merged weights within $10^{-5}$ (`PEFTWrittenAdapterTests.doraAdapterMatchesPEFT`),
and PEFT loads the DoRA adapter this library writes (`lora_magnitude_vector` per module, a 1-D
float32 tensor, no `.weight` suffix; `use_dora: true`) with no unknown config key and no
missing or unexpected tensor (`Tests/LoRATests/Fixtures/written_by_us`).

## LoRA+: B moves first, so give B the larger step

[Chapter 04](04-initialisation.md) measured which factor gets a gradient at step 0: with
$B = 0$, $\partial L/\partial A = s\,B^\top(\ldots) = 0$ and only B moves. LoRA+ (Hayou et
al., 2024) argues from the infinite-width limit that A and B need learning rates of different
orders and sets $\eta_B = \lambda\,\eta_A$ (the paper suggests $\lambda = 2^4$). PEFT's
`create_loraplus_optimizer(model, optimizer_cls, lr=η, loraplus_lr_ratio=λ)` puts `lora_B`
(and every 1-D parameter, such as DoRA's magnitudes) in the λη group; the library's
`LoRAPlus(AdamW(), ratio: λ)` does the same, and with λ = 1 it is plain AdamW bit for bit
(`LoRAPlusTests.ratioOneIsPlainAdamWBitForBit`). On the pre-trained model with LoRA on `q_proj`
and `v_proj`, the gradient norms at step 0, then the distance each factor has moved after a
few AdamW steps at $\eta = 10^{-3}$:
*/
cell("LoRA+: B moves first")
var firstStep = pretrained
try firstStep.injectLoRA(targets: qv, hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 201)
var batchGenerator = SeededGenerator(seed: 301), dropoutGenerator = SeededGenerator(seed: 0)
let (_, stepZero, _, _) = firstStep.lossAndGradients(task.batch(size: 32, using: &batchGenerator), training: &dropoutGenerator)
func norm(of grads: ParameterGradients<Float>, _ suffix: String) -> Double {
    grads.entries.filter { $0.name.hasSuffix(suffix) }.reduce(0.0) { $0 + $1.value.sumOfSquares }.squareRoot()
}
print("step 0: ‖∂L/∂A‖ = \(sci(norm(of: stepZero, "lora_A.weight"), 2)), ‖∂L/∂B‖ = \(sci(norm(of: stepZero, "lora_B.weight"), 2))")
/// ‖X − X₀‖ summed over the adapted layers for the factor named by `suffix`.
func moved(_ model: TransformerModel<Float>, from start: TransformerModel<Float>, _ suffix: String) -> Double {
    zip(model.namedParameters, start.namedParameters).filter { $0.0.name.hasSuffix(suffix) }
        .reduce(0.0) { $0 + ($1.0.value - $1.1.value).sumOfSquares }.squareRoot()
}
var moveTable = Table(columns: ["optimizer", "steps", "‖A − A₀‖", "‖B − B₀‖ (B₀ = 0)"])  // hide
for ratio in [1.0, 16.0] {
    for stepCount in [1, 10] {
        var model = firstStep
        var optimizer = LoRAPlus(AdamW<Float>(weightDecay: 0), ratio: ratio)
        Trainer.train(&model, optimizer: &optimizer,
                      configuration: TrainingConfiguration(steps: stepCount, batchSize: 32, schedule: .constant(1e-3, totalSteps: stepCount), seed: 301),
                      tasks: [task])
        moveTable.add(ratio == 1 ? "AdamW (λ = 1)" : "LoRA+ λ = 16", String(stepCount),
                      sci(moved(model, from: firstStep, "lora_A.weight"), 2), sci(moved(model, from: firstStep, "lora_B.weight"), 2))
    }
}
moveTable.print()  // hide

/*:
After one step A has not moved at all (its gradient was zero) and B has moved by about η per
entry: Adam divides each gradient by its own running size, so a first step is ±η whatever the
gradient's scale. LoRA+ multiplies B's steps by λ; A follows once B is non-zero. Whether that
helps is a question of numbers, not of arguments: next section.

## Five variants at equal budget and tuned rates

The contenders, each on `q_proj` and `v_proj` of both layers with $r = 8$, $\alpha = 16$
(4,096 trainable parameters; DoRA adds its 256 magnitudes, 6% more), fine-tuned on
`reverse` from the pre-trained model:

- **LoRA**: $s = \alpha/r = 2$, AdamW;
- **rsLoRA**: $s = \alpha/\sqrt{r} = 5.66$ ([chapter 11](11-rank-targets-limits.md));
- **DoRA**: LoRA plus the magnitude vector, as above;
- **LoRA+**: LoRA with $\eta_B = 16\,\eta_A$;
- **PiSSA** (Meng et al., 2024; `init_lora_weights="pissa"`): A and B start from the top 8
  singular directions of $W_0$, which keeps the rest.

Every run is 100 AdamW steps (10% warm-up, cosine decay, batch 32), short enough that the
methods have not all reached 100%. Each method's learning rate comes from a grid, chosen by the
mean held-out loss on a *validation* set over the tuning seeds; if the best rate is at an end of the
grid, the grid grows one step (×√10) in that direction (at most twice), so the chosen rate is
bracketed. The rate is chosen on two tuning seeds that no reported run uses; results are then
reported, for the report seeds, on a separate *test* set, as mean ± SE over
the seeds (adapter initialisation and data order).
*/
cell("Five variants at equal budget and tuned rates")
/// One variant: its adapter settings, its optimizer's λ (nil: plain AdamW) and its first grid.
struct Variant {
    let name: String
    let hyperparameters: LoRAHyperparameters
    let ratio: Double?
    let grid: [Double]
}
let ladder = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
let variants = [
    Variant(name: "LoRA", hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), ratio: nil, grid: [3e-3, 1e-2, 3e-2]),
    Variant(name: "rsLoRA", hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, scaling: .rankStabilized), ratio: nil, grid: [3e-3, 1e-2, 3e-2]),
    Variant(name: "DoRA", hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, useDoRA: true), ratio: nil, grid: [1e-2, 3e-2, 1e-1]),
    Variant(name: "LoRA+", hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), ratio: 16, grid: [1e-3, 3e-3, 1e-2]),
    Variant(name: "PiSSA", hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, initialization: .pissa), ratio: nil, grid: [1e-2, 3e-2, 1e-1]),
]
/// What one fine-tuning run left.
struct Run {
    let validationLoss: Double
    let test: EvaluationResult
    let losses: [Double]
    let secondsPerStep: Double
}
func run(_ variant: Variant, rate: Double, seed: UInt64) throws -> Run {
    var model = pretrained
    try model.injectLoRA(targets: qv, hyperparameters: variant.hyperparameters, seed: 200 + seed)
    let result: (losses: [Double], secondsPerStep: Double)
    if let ratio = variant.ratio {
        var optimizer = LoRAPlus(AdamW<Float>(), ratio: ratio)
        result = trainQuietly(&model, optimizer: &optimizer, steps: steps, learningRate: rate, seed: 300 + seed, tasks: [task])
    } else {
        var optimizer = AdamW<Float>()
        result = trainQuietly(&model, optimizer: &optimizer, steps: steps, learningRate: rate, seed: 300 + seed, tasks: [task])
    }
    return Run(validationLoss: model.evaluate(heldOut(task, validation: true)).loss, test: model.evaluate(heldOut(task)),
               losses: result.losses, secondsPerStep: result.secondsPerStep)
}
let seeds = (1...seedCount).map(UInt64.init)
/// Rates are chosen on these seeds (and the validation set), which no reported run uses.
let tuningSeeds: [UInt64] = [101, 102]
var tuningTable = Table(columns: ["method", "rates tried (validation loss, mean ± SE)", "chosen lr", "bracketed"])  // hide
var chosen: [String: (rate: Double, runs: [Run])] = [:]
for variant in variants {
    // The runs of each rate, and the report runs, are independent: they share the cores.
    let progress = SharedProgress(total: 3 * tuningSeeds.count + seedCount, label: variant.name)
    let search = try searchRates(start: variant.grid, ladder: ladder, score: { $0.validationLoss }) { rate in
        try parallelRuns(tuningSeeds, progress: progress) { try run(variant, rate: rate, seed: $0) }
    }
    let (grid, runs, choice) = (search.grid, search.runs, search.choice)
    chosen[variant.name] = (choice.rate, try parallelRuns(seeds, progress: progress) { try run(variant, rate: choice.rate, seed: $0) })
    progress.finish()
    tuningTable.add(variant.name, grid.map { sci($0, 0) + ": " + Estimate(runs[$0]!.map(\.validationLoss)).formatted(3) }.joined(separator: "; "),
                    sci(choice.rate, 0), choice.isInterior ? "yes" : "no (grid end)")
}
tuningTable.print()  // hide

/*:
At each method's chosen rate, on the test set. "Steps to loss 1.0" is the first step at which
the mean training loss of the last 10 steps falls below 1.0 (a run that never gets there counts
as 100, so that column is an underestimate for it). Time is not a column: on a model this
small it measures overheads, not the methods. What DoRA adds is counted instead. Each forward
pass forms $W_0 + sBA$ and its row norms for each adapted layer, $2\,d\,k\,r + 2\,d\,k$ flops
per layer (the line under the table). PEFT does the same, and more
(`peft/tuners/lora/dora.py`, `DoraLinearLayer.forward`). It recomputes the norm on *every*
forward, inference included while the adapter is unmerged, unless the model is in eval mode
inside `peft.helpers.DoraCaching`, which "improves speed of DoRA inference at the expense of
memory" by caching $BA$ and the norm. With `lora_dropout > 0` in training, it runs a second
full base product $x_{\text{dropped}}W_0^\top$ (`base_result=None` in
`peft/tuners/lora/variants.py`), which grows with the batch. On a 4-bit base it dequantizes the
whole weight (`dequantize_module_weight`) for that norm on every forward.
*/
cell("Results at the chosen rates")
/// The first step whose trailing 10-step mean loss is below `threshold` (or the run's length).
func stepsTo(_ threshold: Double, _ losses: [Double]) -> Double {
    for end in 10...losses.count where losses[(end - 10)..<end].reduce(0, +) / 10 < threshold { return Double(end) }
    return Double(losses.count)
}
let doraExtraFlops = 4 * (2 * 64 * 64 * 8 + 2 * 64 * 64)
var results = Table(columns: ["method", "trainable", "lr", "exact match", "token accuracy", "test loss", "steps to loss 1.0"])  // hide
var exact: [String: Estimate] = [:], tokens: [String: Estimate] = [:], speed: [String: Estimate] = [:]
for variant in variants {
    var model = pretrained
    try model.injectLoRA(targets: qv, hyperparameters: variant.hyperparameters, seed: 200)
    let (rate, runs) = chosen[variant.name]!
    exact[variant.name] = Estimate(runs.map(\.test.exactMatch))
    tokens[variant.name] = Estimate(runs.map(\.test.tokenAccuracy))
    speed[variant.name] = Estimate(runs.map { stepsTo(1.0, $0.losses) })
    results.add(variant.name, grouped(model.parameterCount.trainable), sci(rate, 0),
                exact[variant.name]!.formatted(1, scale: 100) + "%", tokens[variant.name]!.formatted(1, scale: 100) + "%",
                Estimate(runs.map(\.test.loss)).formatted(3), speed[variant.name]!.formatted(1))
}
results.print()  // hide
print("(\(seedCount) seeds each, mean ± SE; DoRA's norm: \(grouped(doraExtraFlops)) flops per forward over its 4 layers, independent of the batch)")

/*:
The verdicts below are computed, not written, by the rule of chapter
[10](10-training.md)'s primer: for each variant against LoRA, the 95% CI of the per-seed
difference in exact match (paired by seed: every variant ran the same seeds, so the same data
order and test examples), with a margin of ±3 points fixed before the runs; the same for the
steps to the loss threshold, with a margin of ±5 steps (fewer is better).
*/
cell("Verdicts")
let exactMargin = 0.03, stepsMargin = 5.0
var outcomes: [Comparison: [String]] = [:]
//- hide
var forest = LinePlot(title: "Each variant minus LoRA: exact match, 95% CI paired by seed (dashed: the ±3-point margin)",
                      xLabel: "difference in exact match (points)", yLabel: "variant (row 1 = \(variants[1].name), then in legend order)")
//- show
for (i, variant) in variants.dropFirst().enumerated() {
    let d = Difference(paired: chosen[variant.name]!.runs.map { 100 * $0.test.exactMatch }, chosen["LoRA"]!.runs.map { 100 * $0.test.exactMatch },
                       margin: 100 * exactMargin, saturation: .percent)
    forest.add(variant.name, x: [d.low, d.value, d.high], y: Array(repeating: Double(i + 1), count: 3), colorIndex: i)  // hide
    let s = Difference(paired: chosen[variant.name]!.runs.map { stepsTo(1.0, $0.losses) }, chosen["LoRA"]!.runs.map { stepsTo(1.0, $0.losses) }, margin: stepsMargin)
    print("exact match: " + Verdict.line(variant.name, "LoRA", d, digits: 1, unit: "points", marginDigits: 0))
    print("steps to loss 1.0: " + Verdict.line(variant.name, "LoRA", s, higherIsBetter: false, digits: 1, unit: "steps", marginDigits: 0))
    outcomes[d.comparison, default: []].append(variant.name)
}
/// The exact-match verdicts grouped by outcome, in the words of the lines above.
let outcomeWords: [(Comparison, String)] = [(.higher, "beats LoRA"), (.lower, "trails LoRA"), (.equivalent, "close to LoRA"),
                                            (.equivalentHigher, "close to LoRA, higher by less than the margin"),
                                            (.equivalentLower, "close to LoRA, lower by less than the margin"),
                                            (.inconclusive, "the seeds cannot separate from LoRA"), (.bothAtCeiling, "both at the ceiling with LoRA")]
//- hide
for edge in [-100 * exactMargin, 0, 100 * exactMargin] {
    forest.add(edge == 0 ? "d = 0" : "margin \(fmt(edge, 0))", x: [edge, edge], y: [0.5, Double(variants.count) - 0.5], showsPoints: false,
               dashed: edge != 0, colorIndex: variants.count)
}
forest.yTicks = (1..<variants.count).map(Double.init)
forest.save(as: "ch14-forest")
//- show
print("exact match, by verdict: " + outcomeWords.compactMap { c, words in outcomes[c].map { "\(words): \($0.joined(separator: ", "))" } }.joined(separator: "; "))

/*:
The figure draws each variant's exact-match interval (its three points: low end, mean, high end)
against the dashed ±3-point band: an interval inside the band is "close", one clear of 0 and
not inside the band is "beats" or "trails". Read each verdict with its interval: "the seeds cannot separate" means these runs cannot
tell, not that the two are equal. Two things to keep in mind when reading the table:

- **rsLoRA at one rank is an α effect, not rank stabilisation.** At $r = 8$, $s = \alpha/\sqrt{r}$
  is plain LoRA with $\alpha_{\text{eff}} = \alpha\sqrt{r} = 16\sqrt{8}$ (printed below): what the
  rsLoRA line measures is a larger $s$ at one rank. Rank stabilisation is a claim *across*
  ranks (chapter [11](11-rank-targets-limits.md) compares the two rules at $r = 64$). And a
  larger $s$ is not a larger learning rate: under Adam, scale $s$ at rate η is exactly scale 1
  with rate η for A and $s\eta$ for B (LoRA+ with λ = $s$; chapter [05](05-scaling.md) shows
  it by a run), so changing $s$ shifts the balance between the factors, which no global rate
  does.
- **Every variant was tuned.** Comparing variants at one shared learning rate would mostly
  measure how far that rate is from each one's best; the chosen rates are in the tuning table,
  and their spread is printed below.
*/
cell("Chosen rates")
print("rsLoRA at r = 8: s = 16/√8 = \(fmt(16 / 8.0.squareRoot(), 2)), the s of plain LoRA with α = 16·√8 = \(fmt(16 * 8.0.squareRoot(), 1)) (LoRA here: α = 16, s = 2)")
let chosenRates = variants.map { chosen[$0.name]!.rate }
print("chosen learning rates: " + variants.map { "\($0.name) \(sci(chosen[$0.name]!.rate, 0))" }.joined(separator: ", ")
      + "; the largest is \(fmt(chosenRates.max()! / chosenRates.min()!, 0))× the smallest")

/*:
## Compared with PEFT

`DoRALinear` is `LoraConfig(use_dora=True)`'s `DoraLinearLayer`: the same magnitude
initialisation, the same detached norm, the same dropout path, the same merge
($W \leftarrow \operatorname{diag}(m/n)(W_0 + \Delta W)$, with $n$ cached for the unmerge), and
the same files. The test suite loads PEFT's own DoRA adapter and PEFT loads ours. PEFT also
has `use_dora` for embeddings and convolutions, and an ephemeral-GPU-offload path; neither
exists here. `LoRAPlus` is `create_loraplus_optimizer`: λ on `lora_B` and 1-D parameters;
PEFT's separate rate for trainable embeddings (`loraplus_lr_embedding`) does not arise because
the package's LoRA models never train embeddings, and PEFT's default weight decay for the LoRA+
groups is 0 (here the wrapped AdamW keeps its own, 0.01, for every method alike).

## Summary

- DoRA rescales each output row of $W_0 + sBA$ to a trained length $m_j$; it starts as the
  base, its gradient treats the norm as a constant (checked to $10^{-6}$ against central
  differences of that function), and it costs one weight norm per layer per forward (PEFT: on
  every unmerged forward, plus a second base product under dropout and a dequantization on a
  4-bit base).
- LoRA+ gives B, which is the factor that moves first, a λ-times larger rate; λ = 1 is AdamW.
- At tuned rates and equal budget, the verdict lines above and their grouped summary say, for
  this task and 100 steps, which variant the seeds separate from LoRA and in which direction.
  A "cannot separate" is not a "does not help": its interval says how large a gain or loss is
  still compatible with the runs. The rsLoRA line at one rank is an α effect.

## Exercises

<!-- exercises -->
*/
