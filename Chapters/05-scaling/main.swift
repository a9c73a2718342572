// Chapter 05: the scale α/r as a learning-rate multiplier (SGD and Adam), rsLoRA's α/√r, and the seed's settings of α.
import Foundation
import LoRA
import Notebook

/*:
# 05 · The scale $\alpha/r$

**What this chapter shows.** The seed's section Alpha (α), computed: what the scale
$s = \alpha/r$ of the forward pass ([chapter 03](03-forward-pass.md)) does to learning,
measured for plain SGD and for Adam, where the seed's
"effective_lr ∝ α/r × learning_rate" turns out to describe Adam's *first step* but not SGD's,
and under Adam $s$ is exactly a learning rate for $B$ alone, not a global one
([erratum 3](errata.md#erratum-3)); and why rsLoRA (Kalajdzievski, 2023) replaces $\alpha/r$
with $\alpha/\sqrt{r}$.

Run it with `swift run ch05-scaling`; its knobs are listed below (`--help` lists
them too). The page is generated with the defaults.

## The formula

<a id="formula-4"></a>

$$\text{effective\_lr} \propto \frac{\alpha}{r} \times \text{learning\_rate}$$

- **Meaning**: the scale acts like a multiplier on the optimizer's learning rate.
- **Intuition**: doubling $\alpha$ should be like doubling the learning rate.

This is the seed's formula 4 ([appendix](appendix-formulas.md#formula-4)).

A bad value of a knob prints the usage and exits with status 2.
*/
cell()
//- hide
var options = Options(
    program: "ch05-scaling",
    summary: "α/r as a learning-rate multiplier (SGD, Adam, rsLoRA) and the seed's settings of α.")
let rank = options.int("rank", default: 8, "LoRA rank r of the examples", in: 1...64)
let alpha = options.double("alpha", default: 16, "LoRA α (s = α/r)", in: 0.001...10_000)
let seed = options.int("seed", default: 2, "seed of every random draw", in: 0...1_000_000)
options.finish()
//- show
let scale = alpha / Double(rank)
print("r = \(rank), α = \(fmt(alpha, 3)), s = α/r = \(fmt(scale, 4))")
var generator = SeededGenerator(seed: UInt64(seed))

/*:
## $\alpha/r$ as a learning-rate multiplier: SGD and Adam

Formula 4 says the scale multiplies the learning rate. Whether it does depends on the
optimizer. The adapter enters the loss only through $\Delta W = sBA$, so its gradients carry
one factor $s$ (with $g = \partial L/\partial h$ for one input):

$$\frac{\partial L}{\partial B} = s\, g\,(Ax)^\top, \qquad \frac{\partial L}{\partial A} = s\, B^\top g\, x^\top.$$

- **SGD** moves $B$ by $\delta B = -\eta\,\partial L/\partial B$, which already carries $s$; the
  model sees $s\,\delta B\,A$, a second factor $s$. The change in $\Delta W$ grows like $s^2\eta$.
- **Adam** divides each gradient by a running estimate of its own magnitude, so its step in $B$
  is about $\eta$ whatever $s$ is, and the model sees about $s\,\eta$: formula 4 describes the
  size of the first step. It does not make $s$ a global learning rate (the next section).

Measured: a layer with $d = k = 64$, rank $r$, a regression batch of 32 inputs toward a random
target, the library's default initialisation (so $B = 0$ and $\Delta W = 0$ at the start, [chapter 04](04-initialisation.md)), and
the same $A$ for every $s$ (the same seed). For each $s$ we take 1 and 5 steps of SGD
($\eta = 10^{-3}$) and of Adam ($\eta = 10^{-3}$, no weight decay) and print $\lVert \Delta W \rVert_F$,
how far the model has moved. The exponent $p$ in $\lVert \Delta W \rVert \propto s^p$ is the
least-squares slope of $\log \lVert \Delta W \rVert$ against $\log s$:
*/
cell("α/r as a learning-rate multiplier: SGD and Adam")
let (dSmall, kSmall, nSmall) = (64, 64, 32)
let smallBase = Linear<Double>(inFeatures: kSmall, outFeatures: dSmall, bias: false, using: &generator)
let inputs = Matrix<Double>.normal(nSmall, kSmall, using: &generator)
let wanted = Matrix<Double>.normal(dSmall, kSmall, std: 0.1, using: &generator)   // a full-rank target change
let targets = inputs.matmul(smallBase.weight + wanted, transposeB: true)          // (n, d)

/// Which optimizer a measurement uses.
enum Optimizer { case sgd, adam }

/// Trains a fresh adapter with scale s for `steps` steps and returns ‖ΔW‖_F after each step.
func movement(scale s: Double, rank r: Int, scaling: LoRAScaling = .standard, optimizer: Optimizer, steps: Int,
              learningRate: Double, base: Linear<Double>, x: Matrix<Double>, y: Matrix<Double>) throws -> [Double] {
    var rng = SeededGenerator(seed: UInt64(seed) &+ 100)                  // the same A for every s
    let a = scaling == .standard ? s * Double(r) : s * Double(r).squareRoot()  // α that gives this s
    var adapter = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: r, alpha: a, scaling: scaling), using: &rng)
    var adam = AdamW<Double>(configuration: AdamWConfiguration(learningRate: learningRate, weightDecay: 0))
    var norms: [Double] = []
    for _ in 0..<steps {
        let (out, cache) = adapter.forward(x, training: &rng)
        let dy = (1 / Double(x.rows)) * (out - y)             // ∂(½·mean‖h − y‖²)/∂h
        let g = adapter.backward(dy, cache: cache)
        switch optimizer {
        case .sgd:
            adapter.a.add(g.a, scaledBy: -learningRate)
            adapter.b.add(g.b, scaledBy: -learningRate)
        case .adam:
            var p = [adapter.a, adapter.b]
            adam.step(parameters: &p, gradients: [g.a, g.b])
            (adapter.a, adapter.b) = (p[0], p[1])
        }
        norms.append(adapter.deltaWeight.frobeniusNorm)
    }
    return norms
}
/// Least-squares slope of log y against log x.
func logSlope(_ x: [Double], _ y: [Double]) -> Double {
    let lx = x.map { Double.log($0) }, ly = y.map { Double.log($0) }
    let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
    let sxy = zip(lx, ly).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let sxx = lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
    return sxy / sxx
}
let multipliers = [0.25, 0.5, 1, 2, 4]
let scales = multipliers.map { $0 * scale }
var sgdRuns: [[Double]] = [], adamRuns: [[Double]] = []
for s in scales {
    sgdRuns.append(try movement(scale: s, rank: rank, optimizer: .sgd, steps: 5, learningRate: 1e-3, base: smallBase, x: inputs, y: targets))
    adamRuns.append(try movement(scale: s, rank: rank, optimizer: .adam, steps: 5, learningRate: 1e-3, base: smallBase, x: inputs, y: targets))
}
var movementTable = Table(columns: ["s = α/r", "α", "SGD, 1 step", "SGD, 5 steps", "Adam, 1 step", "Adam, 5 steps"])  // hide
for (i, s) in scales.enumerated() {
    movementTable.add(fmt(s, 3), fmt(s * Double(rank), 2), sci(sgdRuns[i][0], 3), sci(sgdRuns[i][4], 3), sci(adamRuns[i][0], 3), sci(adamRuns[i][4], 3))
}
movementTable.print()  // hide
let slopes = (sgd1: logSlope(scales, sgdRuns.map { $0[0] }), sgd5: logSlope(scales, sgdRuns.map { $0[4] }),
              adam1: logSlope(scales, adamRuns.map { $0[0] }), adam5: logSlope(scales, adamRuns.map { $0[4] }))
print("fitted exponent p in ‖ΔW‖ ∝ s^p:")
print("  SGD:  1 step p = \(fmt(slopes.sgd1, 3)), 5 steps p = \(fmt(slopes.sgd5, 3))   (theory: 2)")
print("  Adam: 1 step p = \(fmt(slopes.adam1, 3)), 5 steps p = \(fmt(slopes.adam5, 3))   (theory: 1)")

/*:
With one step, both exponents come out as the theory says to the printed digits: at step 1
$A$ has not moved ($\partial L/\partial A = 0$ while $B = 0$) and the change is exactly
$-\eta s^2 G A^\top A$ for SGD and $s$ times an $s$-independent sign-like step for Adam.
After five steps the exponents drift slightly, because $A$ starts to move too. So formula 4
describes Adam's (and AdamW's) step size, and is wrong for SGD, where doubling $\alpha$ acts
like quadrupling the learning rate ([erratum 3](errata.md#erratum-3)). Its scope ends there:
under Adam $s$ is not a global learning rate either, as the next run shows.

## Under Adam, $s$ is a learning rate for $B$ only (LoRA+ with $\lambda = s$)

Train $(A, B)$ at scale $s$ and rate $\eta$. Now train $(A, B')$ at scale 1, where $B' = sB$
(both start at 0): the model $B'A = sBA$ is the same function; $\partial L/\partial A$ is the
same; $\partial L/\partial B' = \tfrac{1}{s}\,\partial L/\partial B$. Adam's step does not
depend on the gradient's scale (up to $\epsilon$), so giving $B'$ the rate $s\eta$ moves it by
exactly $s$ times $B$'s step, and $A$ at rate $\eta$ moves as before. With negligible $\epsilon$
and no weight decay, scale $s$ at rate $\eta$ **is** scale 1 with rate $\eta$ for $A$ and $s\eta$
for $B$: LoRA+ (Hayou et al., 2024; chapter [14](14-dora-and-loraplus.md)) with $\lambda = s$.
A global rate $s\eta$ is a different run: it speeds $A$ up too.

The run: the same layer, batch and target as above, 200 Adam steps ($\eta = 10^{-3}$,
$\epsilon = 10^{-8}$, no weight decay), $\Delta W$ at the end compared with the $s = 4$ run's:
*/
cell("Under Adam, s is a learning rate for B only")
/// ΔW after `steps` Adam steps (no weight decay) of a fresh adapter at scale `s`, rate `rateA` for
/// A and λ·`rateA` for B (the library's LoRA+ over AdamW), and the final loss.
func adamRun(scale s: Double, rateA: Double, ratio: Double, steps: Int) throws -> (delta: Matrix<Double>, loss: Double) {
    var rng = SeededGenerator(seed: UInt64(seed) &+ 100)                  // the same A for every run
    var adapter = try LoRALinear(base: smallBase, hyperparameters: LoRAHyperparameters(rank: rank, alpha: s * Double(rank)), using: &rng)
    var optimizer = LoRAPlus(AdamW<Double>(configuration: AdamWConfiguration(learningRate: rateA, weightDecay: 0)), ratio: ratio)
    var loss = 0.0
    for _ in 0..<steps {
        let (out, cache) = adapter.forward(inputs, training: &rng)
        let residual = out - targets
        loss = 0.5 * residual.storage.reduce(0) { $0 + $1 * $1 } / Double(inputs.rows)
        let g = adapter.backward((1 / Double(inputs.rows)) * residual, cache: cache)
        optimizer.update(&adapter.a, name: "lora_A", gradient: g.a, learningRate: rateA)
        optimizer.update(&adapter.b, name: "lora_B", gradient: g.b, learningRate: rateA)
    }
    return (adapter.deltaWeight, loss)
}
let equivalenceSteps = 200, baseRate = 1e-3
let reference = try adamRun(scale: 4, rateA: baseRate, ratio: 1, steps: equivalenceSteps)
var equivalenceTable = Table(columns: ["run", "rate of A", "rate of B", "‖ΔW‖_F", "max |ΔW − ΔW(s = 4)| / max |ΔW(s = 4)|", "loss at step 200"])  // hide
for (label, s, rateA, ratio) in [("s = 4", 4.0, baseRate, 1.0), ("s = 1, LoRA+ λ = 4", 1.0, baseRate, 4.0),
                                 ("s = 1, global rate × 4", 1.0, 4 * baseRate, 1.0), ("s = 1", 1.0, baseRate, 1.0)] {
    let run = try adamRun(scale: s, rateA: rateA, ratio: ratio, steps: equivalenceSteps)
    equivalenceTable.add(label, sci(rateA, 0), sci(rateA * ratio, 0), fmt(run.delta.frobeniusNorm, 4),
                         sci(run.delta.maxAbsDifference(reference.delta) / reference.delta.maxAbs, 1), fmt(run.loss, 6))
}
equivalenceTable.print()  // hide

/*:
The LoRA+ row matches the $s = 4$ run to rounding (what is left is $\epsilon$'s share, which
differs because $B'$'s gradients are $s$ times smaller); the global-rate row is a different
model. So a change of $s$ under Adam can be undone by re-tuning *two* rates (one for $A$, one
for $B$), never by one: this is why chapter [11](11-rank-targets-limits.md) compares scaling
rules each at its own tuned rate and still finds a difference, and why chapter
[14](14-dora-and-loraplus.md) reads rsLoRA at one rank as an $\alpha$ effect.

## rsLoRA: $\alpha/r$ or $\alpha/\sqrt{r}$ as the rank grows

The seed says dividing by $r$ means $\alpha$ need not be re-tuned when $r$ changes.
Kalajdzievski (2023, "A Rank Stabilization Scaling Factor for Fine-Tuning with LoRA") shows
that $s = \alpha/r$ over-corrects. The gradient of $B$ is $s\,g\,(Ax)^\top$, and $Ax$ has $r$
entries of size independent of $r$ (the rows of $A$ are drawn with the same bound $1/\sqrt{k}$
whatever $r$ is), so $\lVert Ax \rVert \propto \sqrt{r}$ and
$\lVert \partial L/\partial B \rVert \propto s\sqrt{r}$. With $s = \alpha/r$ that is
$\propto 1/\sqrt{r}$: the gradient collapses as the rank grows, and a gradient step changes the
output by $s\,\delta B\,Ax \propto s^2 \lVert Ax \rVert^2 \propto s^2 r$, which is
$\propto 1/r$. The paper proves that activations and gradients stay of order 1 for every rank
exactly when $s \propto 1/\sqrt{r}$, and proposes $s = \alpha/\sqrt{r}$ (rank-stabilised LoRA,
PEFT's `use_rslora=True`).

Measured on a wider layer ($d = k = 512$, a batch of 64 independent Gaussian inputs, a random
regression target, the library's default initialisation, $\alpha$ from `--alpha`): for each
$r$ from 4 to 256 and each scaling, the norm of $\partial L/\partial B$ at step 0 and the root
mean square change of the layer's output on the batch ($\Delta h$) after one SGD step
($\eta = 10^{-2}$) and after one Adam step ($\eta = 10^{-3}$):
*/
cell("rsLoRA: α/r or α/√r as the rank grows")
let (dWide, kWide, nWide) = (512, 512, 64)
let wideBase = Linear<Double>(inFeatures: kWide, outFeatures: dWide, bias: false, using: &generator)
let wideInputs = Matrix<Double>.normal(nWide, kWide, using: &generator)
let wideTargets = wideInputs.matmul(wideBase.weight + Matrix<Double>.normal(dWide, kWide, std: 0.05, using: &generator), transposeB: true)
let wideRanks = [4, 8, 16, 32, 64, 128, 256]
/// RMS change of the layer's output on the training batch after one step, and ‖∂L/∂B‖ at step 0.
func firstStep(rank r: Int, scaling: LoRAScaling, optimizer: Optimizer,
               inputs wideInputs: Matrix<Double> = wideInputs, targets wideTargets: Matrix<Double> = wideTargets) throws -> (output: Double, gradB: Double) {
    var rng = SeededGenerator(seed: UInt64(seed) &+ 200 &+ UInt64(r))
    var adapter = try LoRALinear(base: wideBase, hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha, scaling: scaling), using: &rng)
    let before = adapter.forward(wideInputs)
    let (out, cache) = adapter.forward(wideInputs, training: &rng)
    let g = adapter.backward((1 / Double(nWide)) * (out - wideTargets), cache: cache)
    switch optimizer {
    case .sgd:
        adapter.a.add(g.a, scaledBy: -1e-2)
        adapter.b.add(g.b, scaledBy: -1e-2)
    case .adam:
        var adam = AdamW<Double>(configuration: AdamWConfiguration(learningRate: 1e-3, weightDecay: 0))
        var p = [adapter.a, adapter.b]
        adam.step(parameters: &p, gradients: [g.a, g.b])
        (adapter.a, adapter.b) = (p[0], p[1])
    }
    let change = (adapter.forward(wideInputs) - before).frobeniusNorm / Double(nWide * dWide).squareRoot()
    return (change, g.b.frobeniusNorm)
}
var rsTable = Table(columns: ["r", "α/r", "α/√r", "‖∂L/∂B‖ α/r", "‖∂L/∂B‖ α/√r", "SGD Δh α/r", "SGD Δh α/√r", "Adam Δh α/r", "Adam Δh α/√r"])  // hide
var series: [String: [Double]] = [:]
for r in wideRanks {
    let sgdStd = try firstStep(rank: r, scaling: .standard, optimizer: .sgd)
    let sgdRs = try firstStep(rank: r, scaling: .rankStabilized, optimizer: .sgd)
    let adamStd = try firstStep(rank: r, scaling: .standard, optimizer: .adam)
    let adamRs = try firstStep(rank: r, scaling: .rankStabilized, optimizer: .adam)
    rsTable.add(String(r), fmt(alpha / Double(r), 4), fmt(alpha / Double(r).squareRoot(), 4),
                sci(sgdStd.gradB, 3), sci(sgdRs.gradB, 3), sci(sgdStd.output, 3), sci(sgdRs.output, 3), sci(adamStd.output, 3), sci(adamRs.output, 3))
    series["SGD, α/r", default: []].append(sgdStd.output)
    series["SGD, α/√r", default: []].append(sgdRs.output)
    series["Adam, α/r", default: []].append(adamStd.output)
    series["Adam, α/√r", default: []].append(adamRs.output)
    series["grad α/r", default: []].append(sgdStd.gradB)
    series["grad α/√r", default: []].append(sgdRs.gradB)
}
rsTable.print()  // hide
let rankValues = wideRanks.map(Double.init)
for name in ["grad α/r", "grad α/√r", "SGD, α/r", "SGD, α/√r", "Adam, α/r", "Adam, α/√r"] {
    print("slope of log(\(name)) against log r: \(fmt(logSlope(rankValues, series[name]!), 3))")
}
let columns = ["grad α/r", "grad α/√r", "SGD, α/r", "SGD, α/√r", "Adam, α/r", "Adam, α/√r"]
for name in columns {
    let values = series[name]!
    print("ratio r = 256 / r = 4 for \(name): \(fmt(values.last! / values.first!, 3))")
}
/// Which way a ratio (r = 256 over r = 4) moves, with a ±25% band called flat.
func direction(_ ratio: Double) -> String { ratio > 1.25 ? "grows (×\(fmt(ratio, 2)))" : ratio < 0.8 ? "shrinks (×\(fmt(ratio, 2)))" : "stays within 25% (×\(fmt(ratio, 2)))" }
print("Adam's step from r = 4 to r = 256: under α/r it " + direction(series["Adam, α/r"]!.last! / series["Adam, α/r"]!.first!)
      + "; under α/√r it " + direction(series["Adam, α/√r"]!.last! / series["Adam, α/√r"]!.first!))
// The same Adam step on correlated inputs: every row shares one direction z (correlation 0.9
// between any two rows), x_i = √0.9·z + √0.1·ε_i, and the target is computed as before.
var correlatedDraws = SeededGenerator(seed: UInt64(seed) &+ 900)  // its own draws: the rest of the page is unchanged
let shared = Matrix<Double>.normal(1, kWide, using: &correlatedDraws)
let noise = Matrix<Double>.normal(nWide, kWide, using: &correlatedDraws)
let correlatedInputs = Matrix<Double>(rows: nWide, columns: kWide) { i, j in 0.9.squareRoot() * shared[0, j] + 0.1.squareRoot() * noise[i, j] }
let correlatedTargets = correlatedInputs.matmul(wideBase.weight + Matrix<Double>.normal(dWide, kWide, std: 0.05, using: &correlatedDraws), transposeB: true)
var correlatedRatios: [Double] = []
for scaling in [LoRAScaling.standard, .rankStabilized] {
    let ends = try [wideRanks.first!, wideRanks.last!].map {
        try firstStep(rank: $0, scaling: scaling, optimizer: .adam, inputs: correlatedInputs, targets: correlatedTargets).output
    }
    correlatedRatios.append(ends[1] / ends[0])
}
print("correlated inputs (ρ = 0.9), Adam's step from r = 4 to r = 256: under α/r it " + direction(correlatedRatios[0])
      + "; under α/√r it " + direction(correlatedRatios[1]))

/*:
Read the slopes and the ratios. The gradient of $B$ collapses like $r^{-1/2}$ under $\alpha/r$
and stays flat under $\alpha/\sqrt{r}$, as derived. The SGD step's effect on the output falls by
orders of magnitude across the range under $\alpha/r$, and by a small factor under
$\alpha/\sqrt{r}$ (not exactly flat: our inputs are independent, so the cross terms
$(Ax_i)^\top(Ax_j)$ between different inputs grow only like $\sqrt{r}$, while the derivation
counts the coherent part $\lVert Ax \rVert^2 \propto r$). Adam normalises away the gradient's
magnitude, so the collapse of the gradient does not shrink its step directly; what is left is
the factor $s$ in front of $\delta B$ and how coherently the $r$ columns add up. In this
experiment $\alpha/r$ still makes Adam's step shrink as $r$ grows, and $\alpha/\sqrt{r}$ keeps it
within a small factor. Either way, under $\alpha/r$ a larger rank learns more slowly at the
same $\alpha$ and learning rate, which is why raising $r$ alone often seems not to help. What
rsLoRA does to Adam's step here is in the last line printed above; a step that *grows* with
$r$ under $\alpha/\sqrt{r}$ is an over-correction, not a removed dependence. And this is one step, with independent Gaussian inputs, on one layer; how the
step scales with $r$ depends on how correlated the inputs are (the cross terms above): the
last line printed repeats the Adam step on inputs that share one direction, and says which way
each rule moves there. Across a
training run the question is the best learning rate per rank: Schulman et al. (2025, "LoRA
Without Regret") find it nearly independent of the rank under $1/r$ scaling, and chapter
[11](11-rank-targets-limits.md) compares the two rules at $r = 64$, each at its tuned rate. The figure shows each column relative to its value at
$r = 4$, one colour per quantity, solid under $\alpha/r$ and dashed under $\alpha/\sqrt{r}$:
*/
cell("Figure")
var plot = LinePlot(
    title: "One step's size as the rank grows (relative to r = 4)",
    xLabel: "rank r", yLabel: "value / value at r = 4", xScale: .log, yScale: .log)
plot.xTicks = rankValues
// One colour per quantity (gradient, SGD step, Adam step); solid α/r, dashed α/√r.
for (i, name) in columns.enumerated() {
    let values = series[name]!
    plot.add(name.replacingOccurrences(of: "grad", with: "‖∂L/∂B‖,"), x: rankValues, y: values.map { $0 / values[0] },
             dashed: name.hasSuffix("√r"), colorIndex: i / 2)
}
plot.save(as: "ch05-rslora-step-size")  // hide

/*:
## The seed's three settings of α

The seed lists α = 2r as "保守" (conservative), α = r as "标准" (standard) and α = 16 as a
fixed choice. With $s = \alpha/r$ the scale each setting gives, across ranks:
*/
cell("The seed's three settings of α")
var alphaTable = Table(columns: ["r", "α = 2r: s", "α = r: s", "α = 16: s"])  // hide
for r in [1, 2, 4, 8, 16, 32, 64] {
    let scales = [2.0 * Double(r), Double(r), 16].map { LoRAScaling.standard.factor(rank: r, alpha: $0) }
    alphaTable.add(String(r), fmt(scales[0], 3), fmt(scales[1], 3), fmt(scales[2], 3))
}
alphaTable.print()  // hide
let ratio = LoRAScaling.standard.factor(rank: 8, alpha: 16) / LoRAScaling.standard.factor(rank: 8, alpha: 8)
print("α = 2r against α = r: s is \(fmt(ratio, 1))× larger at every rank; under Adam the step is \(fmt(ratio, 1))× larger too (exponent 1 above)")

/*:
α = 2r doubles the update of α = r at every rank, and under Adam doubles the step: it is the
*aggressive* setting of the two, not the conservative one ([erratum 8](errata.md#erratum-8)).
A fixed α = 16 makes $s$ fall as $r$ grows, the slowdown rsLoRA addresses.

## Compared with PEFT

PEFT's `LoraLayer.update_layer` sets `self.scaling[adapter] = lora_alpha / r`, or
`lora_alpha / math.sqrt(r)` when `use_rslora=True`, and `lora.Linear.forward` adds
`lora_B(lora_A(dropout(x))) * scaling` to the base layer's output: the bracketing $B(Ax)$ and
the scale of formula 3. The library's `LoRAHyperparameters(scaling: .standard)` and
`.rankStabilized` are those two choices. The LoRA paper (Hu et al., 2021, §4.1) scales by
$\alpha/r$ and notes that with Adam, tuning $\alpha$ is roughly the same as tuning the learning
rate, so they set $\alpha$ to the first $r$ they try and do not tune it: that remark is about
Adam, which is where the measurement above agrees with it.

## Summary

- With Adam, $\lVert \Delta W \rVert$ after a step scales like $s^1$ (formula 4 describes the
  step size); with SGD like $s^2$ ([erratum 3](errata.md#erratum-3)). The fitted exponents are
  printed above.
- Under Adam (negligible $\epsilon$, no weight decay), scale $s$ at rate $\eta$ is exactly scale 1
  with rates $\eta$ for $A$ and $s\eta$ for $B$ (LoRA+ with $\lambda = s$), as the 200-step run
  shows; a global rate cannot absorb $s$.
- $\alpha/r$ shrinks the gradient of $B$ like $1/\sqrt{r}$ and a step's effect with it, so at a
  fixed $\alpha$ large ranks learn slowly; rsLoRA's $\alpha/\sqrt{r}$ keeps the gradient flat
  across ranks.
- The seed's "α = 2r (conservative)" is the larger of its two scales, not the smaller
  ([erratum 8](errata.md#erratum-8)).

## Exercises

<!-- exercises -->
*/
