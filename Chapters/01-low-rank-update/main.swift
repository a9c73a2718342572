// Chapter 01: W = W0 + BA — shapes, the rank bound, a low-rank target, and the spectrum of a real update.
import Foundation
import LoRA
import Notebook

/*:
# 01 · The low-rank update $W = W_0 + BA$

**What this chapter shows.** The seed's sections 概述 (overview), 动机 (motivation: the
intrinsic-dimension hypothesis) and 权重更新的低秩表示 (the low-rank form of the weight
update), computed: the shapes of $W_0$, $B$ and $A$ and which way each factor maps; that a
product $BA$ never has rank above $r$, read off its singular values; an update whose true rank
is 4, learned by LoRA of rank 4 or 8 and *not* by rank 1 or 2, which stop at exactly the error
the singular value decomposition predicts; and the spectrum of a real full fine-tuning update.

Run it with `swift run ch01-low-rank-update`; its knobs are listed below (`--help` lists them
too). The page is generated with the defaults.

## The formulas

A pre-trained weight $W_0 \in \mathbb{R}^{d \times k}$ maps an input $x \in \mathbb{R}^k$ to an
output $W_0 x \in \mathbb{R}^d$. LoRA freezes $W_0$ and learns the change as a product of two
thin matrices:

<a id="formula-1"></a>

$$W = W_0 + \Delta W = W_0 + BA
\qquad B \in \mathbb{R}^{d \times r},\; A \in \mathbb{R}^{r \times k},\; r \ll \min(d, k)$$

<a id="formula-2"></a>

$$\Delta W = BA$$

- **Meaning**: the fine-tuned weight is the frozen weight plus a rank-$\le r$ correction.
- **Variables**: $W_0$ frozen; $A$ the first factor to touch $x$; $B$ the second; $r$ the rank.
- **Intuition**: $dk$ numbers would describe an arbitrary change; $r(d+k)$ describe a change
  that lives in an $r$-dimensional subspace ([chapter 02](02-parameter-counts.md) counts them).

These are the seed's formula 1 ([appendix](appendix-formulas.md#formula-1)) and formula 2
([appendix](appendix-formulas.md#formula-2)).

A bad value of a knob prints the usage and exits with status 2.
*/
cell()
//- hide
var options = Options(
    program: "ch01-low-rank-update",
    summary: "Shapes of W0 + BA, the rank bound rank(BA) ≤ r, and fitting a rank-t update with LoRA of rank 1, 2, 4, 8.")
let trueRank = options.int("true-rank", default: 4, "rank t of the target update ΔW*", in: 1...16)
let steps = options.int("steps", default: 400, "Adam steps per LoRA rank", in: 1...5000)
let seed = options.int("seed", default: 1, "seed of every random draw", in: 0...1_000_000)
options.finish()
//- show

/*:
## Which factor goes down, which goes up

Read $BAx$ from the right: $A$ acts on $x$ first. With $x \in \mathbb{R}^k$,
$Ax \in \mathbb{R}^r$ and $B(Ax) \in \mathbb{R}^d$. So $A$ *reduces* the dimension from $k$ to
$r$ and $B$ *restores* it from $r$ to $d$. The seed's variable list says the opposite: it calls
$B$ the 降维矩阵 (dimension-reducing matrix) and $A$ the 升维矩阵 (dimension-raising matrix).
That is [erratum 1](errata.md#erratum-1); the shapes settle it. Here is a small layer
($d = 6$, $k = 10$, $r = 2$) built by the library, following one input through the adapter.
The library stores inputs as rows (a batch $X$ is $(n, k)$, as in PyTorch), so $Ax$ is
computed as $X A^\top$:
*/
cell("Which factor goes down, which goes up")
var generator = SeededGenerator(seed: UInt64(seed))
let tiny = Linear<Double>(inFeatures: 10, outFeatures: 6, bias: false, using: &generator)
var tinyLoRA = try LoRALinear(base: tiny, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 2), using: &generator)
tinyLoRA.b = .normal(6, 2, std: 1, using: &generator)  // give B non-zero entries so B(Ax) is not trivially 0
let x = Matrix<Double>.normal(1, 10, using: &generator)
let down = x.matmul(tinyLoRA.a, transposeB: true)        // (1, k) · Aᵀ (k, r) → (1, r)
let up = down.matmul(tinyLoRA.b, transposeB: true)       // (1, r) · Bᵀ (r, d) → (1, d)
print("W0 \(tinyLoRA.base.weight.shapeDescription)   A \(tinyLoRA.a.shapeDescription)   B \(tinyLoRA.b.shapeDescription)")
print("x      \(x.shapeDescription)    k = \(x.columns) numbers")
print("Ax     \(down.shapeDescription)     r = \(down.columns) numbers   ← A maps k → r (down)")
print("B(Ax)  \(up.shapeDescription)     d = \(up.columns) numbers   ← B maps r → d (up)")
print("W0·x   \(tinyLoRA.base.forward(x).shapeDescription)     d = \(tinyLoRA.base.outFeatures) numbers, so W0x + BAx is defined")

/*:
The same layer as a block diagram, labelled with the shapes the library gave it. The input
takes two paths: through the frozen $W_0$, and through the adapter: dropout, then $A$ (down to
$r$ numbers), then $B$ (back up to $d$), then the scale $s = \alpha / r$. The two results are
added. Only the orange boxes train.
*/
cell("Figure: a LoRA layer as a block diagram")
//- hide
let hyper = tinyLoRA.hyperparameters
let short = { (v: Double) in v.rounded() == v ? String(Int(v)) : String(v) }   // 2 → "2", 0.25 → "0.25"
let (dTiny, kTiny, rTiny) = (tinyLoRA.base.outFeatures, tinyLoRA.base.inFeatures, hyper.rank)
var block = Diagram(title: "A LoRA layer: h = W₀x + s·B(A·dropout(x))", height: 280)
block.box("x", ["x", "(1, \(kTiny))"], x: 48, y: 125, style: .data)
block.box("W0", ["W₀", "(d, k) = \(tinyLoRA.base.weight.shapeDescription)", "frozen"], x: 300, y: 70, style: .frozen)
block.box("dropout", ["dropout", "p = \(short(hyper.dropout))"], x: 128, y: 185)
block.box("A", ["A", "(r, k) = \(tinyLoRA.a.shapeDescription)", "down: k → r"], x: 248, y: 185, style: .trainable)
block.box("B", ["B", "(d, r) = \(tinyLoRA.b.shapeDescription)", "up: r → d"], x: 398, y: 185, style: .trainable)
block.operation("scale", "×s", x: 488, y: 185)
block.operation("+", "+", x: 548, y: 125)
block.box("h", ["h", "(1, \(dTiny))"], x: 605, y: 125, style: .data)
block.arrow(from: "x", to: "W0", via: [(48, 70)], label: "k = \(kTiny)")
block.arrow(from: "W0", to: "+", via: [(548, 70)], label: "W₀x: d = \(dTiny)")
block.arrow(from: "x", to: "dropout", via: [(48, 185)])
block.arrow(from: "dropout", to: "A")
block.arrow(from: "A", to: "B", label: "r = \(rTiny)")
block.arrow(from: "B", to: "scale")
block.arrow(from: "scale", to: "+", via: [(548, 185)])
block.arrow(from: "+", to: "h")
block.note("s = α/r = \(short(hyper.alpha))/\(rTiny) = \(short(hyper.scale));  trained: r(d + k) = "
           + "\(ParameterCount.loraParameters(rank: rTiny, out: dTiny, in: kTiny)) numbers;  frozen: dk = \(dTiny * kTiny)",
           x: 320, y: 245, anchor: .middle)
block.key = [(.frozen, "frozen"), (.trainable, "trained"), (.data, "data"), (.compute, "operation")]
block.save(as: "ch01-lora-block")
//- show

/*:
## A product of rank-$r$ factors has rank at most $r$

Every column of $BA$ is a combination of the $r$ columns of $B$, so
$\operatorname{rank}(BA) \le r$ however large $d$ and $k$ are. The singular values show it: take
$B$ $(32, 3)$ and $A$ $(3, 48)$ with random entries; $BA$ is $32 \times 48$ and has 32 singular
values, of which only 3 are not at the level of rounding error:
*/
cell("rank(BA) ≤ r, seen in the singular values")
let (dBig, kBig) = (32, 48)
let b3 = Matrix<Double>.normal(dBig, 3, using: &generator)
let a3 = Matrix<Double>.normal(3, kBig, using: &generator)
let product = b3.matmul(a3)   // (32, 3)·(3, 48) → (32, 48)
let sigma = try product.svd().singularValues
print("BA is \(product.shapeDescription); its \(sigma.count) singular values:")
for row in stride(from: 0, to: sigma.count, by: 8) {
    print("  " + sigma[row..<min(row + 8, sigma.count)].map { sci($0, 2) }.joined(separator: "  "))
}
print("σ4 / σ1 = \(sci(sigma[3] / sigma[0], 2))   (double precision ε = \(sci(Double.ulpOfOne, 2)))")
print("numerical rank of BA: \(try product.numericalRank())   (r = 3)")

/*:
From the fourth on, the singular values sit at the level of the machine epsilon times $\sigma_1$:
that is rounding in double precision, not structure. `numericalRank()` uses NumPy's threshold
$\sigma_{\max} \cdot \max(d, k) \cdot \varepsilon$ and counts 3.

## A low-rank target, fit by LoRA of each rank

The seed's motivation (动机) is the intrinsic-dimension hypothesis. Two ideas share that name
and should be kept apart. **Intrinsic dimension** (Li et al., 2018, "Measuring the Intrinsic
Dimension of Objective Landscapes"; Aghajanyan et al., 2020, for fine-tuning) is the number of
parameters you need when you train only inside a *random* low-dimensional subspace of all the
weights, $\theta = \theta_0 + P z$ with $P$ fixed and random and only $z$ trained, until you
reach 90% of full fine-tuning's quality: a few hundred suffice for many language tasks.
**Intrinsic rank** (Hu et al., 2021, the LoRA paper) is a hypothesis about the *update* of each
weight matrix: that $\Delta W$ is close to a matrix of low rank, so $BA$ can represent it.
This section measures neither on a large model. It shows what a low rank means for LoRA on a
target whose rank we choose: build an update $\Delta W^\star$ $(32 \times 48)$ whose true rank
is $t$ (default 4, singular values $t, t-1, \dots, 1$), and ask LoRA of rank $r = 1, 2, 4, 8$
to learn it. The next section looks at a real update.

**The oracle.** The best any rank-$r$ matrix can do is known in closed form (Eckart–Young,
1936): truncate the SVD after $r$ terms. The error that remains is the tail of the singular
values,
$$\min_{\operatorname{rank} M \le r} \lVert M - \Delta W^\star \rVert_F
= \sqrt{\textstyle\sum_{i > r} \sigma_i^2},$$
which is zero exactly when $r \ge t$. We print it relative to $\lVert \Delta W^\star \rVert_F$.

**The training.** A `LoRALinear` layer on a random frozen $W_0$ $(32, 48)$ (scale $s = \alpha/r = 1$,
the library's default initialisation, dropout 0) is trained with Adam (learning rate 0.01, no
weight decay) on the squared error between its output and the target layer's output
$(W_0 + \Delta W^\star)x$. The inputs are the 48 unit vectors $e_1, \dots, e_{48}$ (a batch
$X = I$), which probe every input direction once, so the loss is exactly
$\tfrac12 \lVert BA - \Delta W^\star \rVert_F^2$ and the oracle above is its minimum. Forward
and backward are the library's `forward(_:training:)` and `backward(_:cache:)`.
*/
cell("The target update and the oracle")
let (d, k) = (32, 48)
/// ΔW* = U_t · diag(t, …, 1) · V_tᵀ from the singular vectors of a random Gaussian matrix.
let gaussian = Matrix<Double>.normal(d, k, using: &generator)
let basis = try gaussian.svd()
let targetSigma = (0..<trueRank).map { Double(trueRank - $0) }
let uScaled = Matrix<Double>(rows: d, columns: trueRank) { i, j in basis.u[i, j] * targetSigma[j] }
let vTop = Matrix<Double>(rows: trueRank, columns: k) { i, j in basis.vt[i, j] }
let targetUpdate = uScaled.matmul(vTop)                       // (d, t)·(t, k) → (d, k)
let targetNorm = targetUpdate.frobeniusNorm
let frozen = Linear<Double>(inFeatures: k, outFeatures: d, bias: false, using: &generator)
let probe = Matrix<Double>.identity(k)                        // X = I: (k, k), one unit input per row
let targetOutput = probe.matmul(frozen.weight + targetUpdate, transposeB: true)  // X·(W0 + ΔW*)ᵀ: (k, d)

print("ΔW* \(targetUpdate.shapeDescription), true rank t = \(trueRank), numerical rank \(try targetUpdate.numericalRank())")
print("singular values of ΔW*: " + (try targetUpdate.svd().singularValues.prefix(trueRank + 2).map { fmt($0, 4) }.joined(separator: "  ")) + "  …")
let ranks = Array(Set([1, 2, 4, 8, trueRank])).sorted()
/// ‖best rank-r approximation − ΔW*‖_F / ‖ΔW*‖_F (Eckart–Young): the tail of the spectrum.
func oracleResidual(rank r: Int) -> Double {
    let tail = targetSigma.dropFirst(r).reduce(0) { $0 + $1 * $1 }
    return tail.squareRoot() / targetNorm
}
var oracle = Table(columns: ["r", "trainable r(d+k)", "best possible ‖M − ΔW*‖/‖ΔW*‖"])  // hide
for r in ranks {
    oracle.add(String(r), String(ParameterCount.loraParameters(rank: r, out: d, in: k)), sci(oracleResidual(rank: r), 3))
}
oracle.print()  // hide

/*:
Now the training, the same number of Adam steps for every rank. The residual is
$\lVert sBA - \Delta W^\star \rVert_F / \lVert \Delta W^\star \rVert_F$ after each step:
*/
cell("Training LoRA of each rank on the rank-t target")
/// Trains a rank-r adapter on the probe batch and returns the relative residual after every step.
func train(rank r: Int) throws -> [Double] {
    var rng = SeededGenerator(seed: UInt64(seed) &* 1000 &+ UInt64(r))
    var layer = try LoRALinear(base: frozen, hyperparameters: LoRAHyperparameters(rank: r, alpha: Double(r)), using: &rng)
    var adam = AdamW<Double>(configuration: AdamWConfiguration(learningRate: 0.01, weightDecay: 0))
    var residuals: [Double] = []
    residuals.reserveCapacity(steps)
    for _ in 0..<steps {
        let (y, cache) = layer.forward(probe, training: &rng)   // (k, d)
        let dy = y - targetOutput                               // ∂(½‖y − Y‖²)/∂y = (sBA − ΔW*)ᵀ
        let gradients = layer.backward(dy, cache: cache)
        var parameters = [layer.a, layer.b]
        adam.step(parameters: &parameters, gradients: [gradients.a, gradients.b])
        (layer.a, layer.b) = (parameters[0], parameters[1])
        residuals.append((layer.deltaWeight - targetUpdate).frobeniusNorm / targetNorm)
    }
    return residuals
}
var traces: [Int: [Double]] = [:]
for r in ranks { traces[r] = try train(rank: r) }
let checkpoints = [1, steps / 8, steps / 4, steps / 2, steps].filter { $0 >= 1 }
var progress = Table(columns: [Table.Column("r")] + Array(Set(checkpoints)).sorted().map { Table.Column("step \($0)") } + ["oracle"])  // hide
for r in ranks {
    progress.add(row: [String(r)] + Array(Set(checkpoints)).sorted().map { sci(traces[r]![$0 - 1], 3) } + [sci(oracleResidual(rank: r), 3)])
}
progress.print()  // hide
let tolerance = 1e-2
for r in ranks {
    let final = traces[r]!.last!
    let verdict = final < tolerance ? "fits ΔW* (below \(sci(tolerance, 0)))"
        : oracleResidual(rank: r) >= tolerance ? "cannot fit (no rank-\(r) matrix gets closer than the oracle)"
        : "not yet within \(sci(tolerance, 0)) after \(steps) steps"
    print("r = \(r): final residual \(sci(final, 3)), oracle \(sci(oracleResidual(rank: r), 3)) → \(verdict)")
}

/*:
Ranks below $t$ stall at the oracle: no amount of training gets a rank-2 matrix closer to a
rank-4 target than the tail of its spectrum, and the trained residuals agree with the oracle
column to the printed digits, which is the check that Adam on the factors finds the best
low-rank approximation here rather than a worse stationary point. From $r = t$ on, the residual
falls towards zero. The rank-8 adapter buys nothing over rank 4 except more parameters, and it
even converges more slowly: its four spare directions are not needed and must shrink back
towards zero, which Adam's roughly constant-size steps do only gradually. The figure shows the
whole runs (log scale; the dashed lines, in the colour of their rank, are the oracles for
$r < t$):
*/
cell("Figure")
var plot = LinePlot(
    title: "Fitting a rank-4 update with LoRA of rank r (Adam, lr 0.01)",
    xLabel: "Adam step", yLabel: "‖sBA − ΔW*‖ / ‖ΔW*‖", yScale: .log)
for (i, r) in ranks.enumerated() {
    let trace = traces[r]!
    let every = Array(stride(from: 0, to: trace.count, by: 4)) + [trace.count - 1]
    plot.add("r = \(r)", x: every.map { Double($0 + 1) }, y: every.map { max(trace[$0], 1e-12) }, showsPoints: false, colorIndex: i)
}
for (i, r) in ranks.enumerated() where oracleResidual(rank: r) > 0 {   // each oracle in its rank's colour
    plot.add("oracle r = \(r)", x: [1, Double(steps)], y: [oracleResidual(rank: r), oracleResidual(rank: r)], showsPoints: false,
             dashed: true, colorIndex: i)
}
plot.save(as: "ch01-residual-by-rank")  // hide

/*:
## The spectrum of a real update

*A preview: the model and its training are introduced in chapter [10](10-training.md); read this
section again after it.* Is a real fine-tuning update low-rank? Take chapter 10's tiny transformer
(pre-trained on copy, sort and shift1), fine-tune *all* its weights on `reverse` (the task it
never saw), and look at the update $\Delta W = W_{\text{after}} - W_{\text{before}}$ of each
attention projection: its singular values, the share of $\lVert \Delta W \rVert_F^2$ the top
$r$ directions hold (what a rank-$r$ adapter could capture at best, by Eckart–Young), and its
effective rank $\exp(H)$, where $H$ is the entropy of the normalised $\sigma_i^2$ (Roy &
Vetterli, 2007): 1 for a rank-one update, 64 for a flat spectrum.
*/
cell("The spectrum of a real update")
let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
let before = try {
    var model = try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 64, headCount: 4, layerCount: 2), seed: 1)
    var optimizer = AdamW<Float>()
    Trainer.train(&model, optimizer: &optimizer, configuration: TrainingConfiguration(steps: 600, batchSize: 32, learningRate: 3e-3, seed: 101),
                  tasks: suite.pretraining)
    return model
}()
var after = before
var fullOptimizer = AdamW<Float>()
Trainer.train(&after, optimizer: &fullOptimizer, configuration: TrainingConfiguration(steps: 200, batchSize: 32, learningRate: 1e-2, seed: 301),
              tasks: [suite.reverse])
var heldOutGenerator = SeededGenerator(seed: 10_000 + UInt64(suite.reverse.tag))
print("full fine-tuning on reverse, 200 steps: held-out exact match \(percent(after.evaluate(suite.reverse.batch(size: 256, using: &heldOutGenerator)).exactMatch, 1))")
let energyRanks = [1, 2, 4, 8, 16]
var spectrum = Table(columns: (["layer", "‖ΔW‖ / ‖W‖"] + energyRanks.map { "top \($0)" } + ["effective rank", "rank for 90%"]).map { Table.Column($0) })  // hide
for name in before.linearLayerNames where name.contains("self_attn") {
    let w0 = (before[linear: name] as! Linear<Float>).weight
    let delta = ((after[linear: name] as! Linear<Float>).weight - w0).converted(to: Double.self)
    let sigma = try delta.svd().singularValues
    let energy = sigma.map { $0 * $0 }
    let total = energy.reduce(0, +)
    let share = { (r: Int) in energy.prefix(r).reduce(0, +) / total }
    let entropy = -energy.map { $0 / total }.filter { $0 > 0 }.reduce(0) { $0 + $1 * Foundation.log($1) }
    let for90 = (1...sigma.count).first { share($0) >= 0.9 }!
    spectrum.add(row: [name, fmt(delta.frobeniusNorm / w0.converted(to: Double.self).frobeniusNorm, 3)]
                 + energyRanks.map { percent(share($0), 1) } + [fmt(Foundation.exp(entropy), 1), String(for90)])
}
// The baseline: a 64 × 64 matrix of i.i.d. Gaussian entries, which has no low-rank structure.
do {
    var g = SeededGenerator(seed: 9_001)
    let energy = try Matrix<Double>.normal(64, 64, using: &g).svd().singularValues.map { $0 * $0 }
    let total = energy.reduce(0, +)
    let share = { (r: Int) in energy.prefix(r).reduce(0, +) / total }
    let entropy = -energy.map { $0 / total }.filter { $0 > 0 }.reduce(0) { $0 + $1 * Foundation.log($1) }
    spectrum.add(row: ["i.i.d. Gaussian (baseline)", ""] + energyRanks.map { percent(share($0), 1) }
                 + [fmt(Foundation.exp(entropy), 1), String((1...energy.count).first { share($0) >= 0.9 }!)])
}
spectrum.print()  // hide

/*:
Each row is one $64 \times 64$ projection. The "top $r$" columns say how much of that layer's
update a rank-$r$ adapter could hold at best; the last column is the smallest rank that holds
90% of it. The last row gives those numbers a scale: a Gaussian matrix, with no structure at
all, still holds 90% of its energy in about half its directions, so an update is low-rank only
insofar as its numbers sit below that row. This measures how concentrated one full update is,
not the rank the task needs (the smallest rank that reaches a target accuracy, which chapter
[11](11-rank-targets-limits.md)'s rank sweep measures). On large models Biderman et al. (2024, "LoRA Learns Less and Forgets Less") find full fine-tuning
updates of much higher rank than typical adapters, which is why LoRA at low rank can learn
less of a new domain.

## Compared with PEFT and the LoRA paper

PEFT's `lora.Linear` stores the same two factors under the same names: `lora_A` is an
`nn.Linear(in_features, r)` (weight $(r, k)$, the down-projection) and `lora_B` an
`nn.Linear(r, out_features)` (weight $(d, r)$, the up-projection), and the forward pass is
`lora_B(lora_A(dropout(x))) * scaling`, which is $B(Ax)$ with $A$ applied first. The LoRA paper
(Hu et al., 2021, §4.1) writes $h = W_0x + BAx$ with $B \in \mathbb{R}^{d \times r}$,
$A \in \mathbb{R}^{r \times k}$, as here. Its §7 measures the subspace similarity between
adapters of rank 8 and 64 trained on GPT-3 and finds the top directions shared, which is the
empirical side of the "low intrinsic rank" hypothesis that our toy makes exact.

## Summary

- $W = W_0 + BA$ with $B$ $(d, r)$ and $A$ $(r, k)$: $A$ maps $k \to r$ (down) and $B$ maps
  $r \to d$ (up). The seed names them the other way round ([erratum 1](errata.md#erratum-1)).
- $\operatorname{rank}(BA) \le r$: the product's singular values beyond the $r$-th are rounding
  noise, and the numerical rank is $r$.
- A rank-$t$ target is fit exactly by LoRA of rank $r \ge t$ and not by $r < t$; for $r < t$
  training stops at the Eckart–Young error $\sqrt{\sum_{i>r}\sigma_i^2}$, printed above as the
  oracle.
- Intrinsic dimension (training in a random subspace) and intrinsic rank (the rank of each
  weight's update) are different ideas; the spectrum of a real full fine-tuning update, read
  against a Gaussian baseline, shows how much of it a rank-$r$ adapter could hold.

## Exercises

<!-- exercises -->
*/
