// Chapter 04: how A and B start — the output is unchanged at step 0, and which factor learns first.
import LoRA
import Notebook

/*:
# 04 · Initialisation: which factor starts at zero

**What this chapter shows.** The initialisation part of the seed's section 数学推导
(derivation): LoRA starts with one factor at zero so that $\Delta W = BA = 0$ and the adapted
model begins exactly at the pre-trained one. The seed puts the zero on $A$ and the Gaussian on
$B$; the LoRA paper, PEFT and loralib do the opposite, and the choice decides which factor
receives a gradient at step 0 ([erratum 2](errata.md#erratum-2)). For each initialisation the
library offers, computed: the output change at step 0, the gradient norms of $A$ and $B$ at
step 0, and a few training steps on the same small regression task, side by side.

Run it with `swift run ch04-initialisation`; the knobs are listed below (`--help` lists them
too). The page is generated with the defaults.

## The formula and the seed's claim

<a id="formula-2"></a>

$$\Delta W = BA$$

This is the seed's formula 2 ([appendix](appendix-formulas.md#formula-2)). The seed continues:
"$B \in \mathbb{R}^{d \times r}$ … 初始化为随机高斯 (initialised random Gaussian);
$A \in \mathbb{R}^{r \times k}$ … 初始化为零 (initialised to zero). 初始化 $A = 0$ 确保 $BA = 0$"
(setting $A = 0$ guarantees $BA = 0$). The guarantee is right, and it holds just as well with
$B = 0$. The LoRA paper (Hu et al., 2021, §4.1) says "We use a random Gaussian initialization
for $A$ and zero for $B$, so $\Delta W = BA$ is zero at the beginning of training". What the
choice changes is the gradient at step 0. With $h = W_0x + sBAx$ and $g = \partial L/\partial h$:

$$\frac{\partial L}{\partial B} = s\,g\,(Ax)^\top, \qquad \frac{\partial L}{\partial A} = s\,B^\top g\,x^\top.$$

With $B = 0$ the gradient of $A$ vanishes and only $B$ learns at first; with $A = 0$ it is the
gradient of $B$ that vanishes. (A bad value of a knob prints the usage and exits with status 2.)
*/
cell()
//- hide
var options = Options(
    program: "ch04-initialisation",
    summary: "LoRA initialisations: output change and gradients at step 0, and a few training steps of each.")
let rank = options.int("rank", default: 4, "LoRA rank r", in: 1...32)
let steps = options.int("steps", default: 100, "Adam steps of the training comparison", in: 1...2000)
let seed = options.int("seed", default: 3, "seed of every random draw", in: 0...1_000_000)
options.finish()
//- show

/*:
## The schemes

| scheme (library name) | $A$ $(r, k)$ | $B$ $(d, r)$ | where from |
|---|---|---|---|
| `.kaimingUniform` (default) | $U(-1/\sqrt{k}, 1/\sqrt{k})$ | 0 | PEFT `init_lora_weights=True`, loralib |
| `.gaussian` | $N(0, (1/r)^2)$ | 0 | PEFT `init_lora_weights="gaussian"`; the paper's wording |
| `.swappedZeroA` | 0 | $N(0, (1/r)^2)$ | the seed's wording |
| `.pissa` | $\sqrt{\Sigma_r/s}\,V_r^\top$ | $U_r\sqrt{\Sigma_r/s}$ | PiSSA (Meng et al., 2024), PEFT `init_lora_weights="pissa"` |
| (PEFT's `Embedding` layers; not in the library) | 0 | $N(0, 1)$ | PEFT `LoraLayer.reset_lora_parameters` for `lora_embedding_A`/`lora_embedding_B`, after loralib's `Embedding`: the zero factor is $A$, as `nn.Embedding`'s default init goes to $B$ |

**Kaiming-uniform with $a = \sqrt{5}$.** PEFT (`LoraLayer.reset_lora_parameters`) and loralib
(`lora.Linear.reset_parameters`) call `nn.init.kaiming_uniform_(lora_A.weight, a=math.sqrt(5))`
and `nn.init.zeros_(lora_B.weight)`; loralib's comment says it initialises $A$ "the same way as
the default for nn.Linear". PyTorch's Kaiming-uniform draws from $U(-b, b)$ with
$b = \text{gain}\cdot\sqrt{3/\text{fan\_in}}$ and, for the leaky-ReLU slope $a$,
$\text{gain} = \sqrt{2/(1+a^2)}$. With $a = \sqrt{5}$ the gain is $\sqrt{1/3}$, so
$b = \sqrt{1/3}\cdot\sqrt{3/k} = 1/\sqrt{k}$: the odd-looking $\sqrt{5}$ is chosen so that the
bound is exactly $1/\sqrt{\text{fan\_in}}$, with fan_in $= k$ the input features. The variance
of $U(-b, b)$ is $b^2/3 = 1/(3k)$. Checked on the library's default $A$:
*/
cell("Kaiming-uniform with a = √5")
let (d, k, n) = (32, 48, 64)
var generator = SeededGenerator(seed: UInt64(seed))
let base = Linear<Float>(inFeatures: k, outFeatures: d, bias: false, using: &generator)
let a5 = 5.0.squareRoot()
let gain = (2 / (1 + a5 * a5)).squareRoot()
let bound = gain * (3 / Double(k)).squareRoot()
var probeRNG = SeededGenerator(seed: UInt64(seed) &+ 50)
let wide = try LoRALinear(base: Linear<Float>(inFeatures: k, outFeatures: 256, bias: false, using: &probeRNG),
                          hyperparameters: LoRAHyperparameters(rank: 32), using: &probeRNG)
let entries = wide.a.storage.map(Double.init)
let variance = entries.reduce(0) { $0 + $1 * $1 } / Double(entries.count)
print("k = \(k): gain √(2/(1+a²)) = \(fmt(gain, 6)), bound gain·√(3/k) = \(fmt(bound, 6)), 1/√k = \(fmt(1 / Double(k).squareRoot(), 6))")
print("library A (32, \(k)): max |A| = \(fmt(wide.a.maxAbs, 6)) ≤ bound, mean A² = \(fmt(variance, 6)) vs 1/(3k) = \(fmt(1 / (3 * Double(k)), 6))")
print("library B: max |B| = \(fmt(wide.b.maxAbs, 1))")

/*:
## Step 0: the output is unchanged

A frozen layer $W_0$ $(32, 48)$ in single precision, a batch of 64 inputs, and one adapter of
rank $r$ per scheme. The output with the adapter against the output of $W_0$ alone:
*/
cell("Step 0: the output is unchanged")
let x = Matrix<Float>.normal(n, k, using: &generator)
let baseOutput = base.forward(x)
let schemes = LoRAInitialization.allCases
/// A fresh adapter for `scheme`, drawn from the same seed for every scheme.
func adapter(_ scheme: LoRAInitialization) throws -> LoRALinear<Linear<Float>> {
    var rng = SeededGenerator(seed: UInt64(seed) &+ 100)
    return try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: rank, alpha: Double(rank), initialization: scheme), using: &rng)
}
var stepZero = Table(columns: ["scheme", "‖A‖", "‖B‖", "‖sBA‖", "max |y_lora − y_base|", "max |y_base|"])  // hide
for scheme in schemes {
    let layer = try adapter(scheme)
    stepZero.add(scheme.rawValue, fmt(layer.a.frobeniusNorm, 4), fmt(layer.b.frobeniusNorm, 4), fmt(layer.deltaWeight.frobeniusNorm, 4),
                 sci(layer.forward(x).maxAbsDifference(baseOutput), 2), fmt(baseOutput.maxAbs, 4))
}
stepZero.print()  // hide
print("single-precision ε = \(sci(Double(Float.ulpOfOne), 2))")

/*:
The three zero-product schemes change nothing: $BA = 0$ exactly, so the output is bit for bit
the base's. PiSSA is different in kind: its $A$ and $B$ are *not* zero. It moves the top $r$
singular directions of $W_0$ into the adapter, $sBA = U_r\Sigma_rV_r^\top$, and leaves the
residual $W_0 - U_r\Sigma_rV_r^\top$ as the frozen weight, so the sum is $W_0$ again, up to the
rounding of a subtraction and a product in single precision (compare the error to $\varepsilon$
times the output's size).

## Step 0: which factor gets a gradient

One forward and backward pass on a regression loss $\tfrac12 \cdot \text{mean}\lVert h - y\rVert^2$
toward the outputs of a target layer $W_0 + \Delta W^\star$ ($\Delta W^\star$ a random rank-$r$
change), with the gradients from the library's `backward`:
*/
cell("Step 0: which factor gets a gradient")
let targetChange = Matrix<Float>.normal(d, rank, std: 0.3, using: &generator).matmul(Matrix<Float>.normal(rank, k, std: 0.3, using: &generator))
let y = x.matmul(base.weight + targetChange, transposeB: true)    // (n, d)
/// One training step's loss and gradients.
func lossAndGradients(_ layer: LoRALinear<Linear<Float>>, using rng: inout SeededGenerator) -> (loss: Double, grads: LayerGradients<Float>) {
    let (out, cache) = layer.forward(x, training: &rng)
    let residual = out - y
    let loss = 0.5 * residual.storage.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n)
    return (loss, layer.backward((1 / Float(n)) * residual, cache: cache))
}
var gradientTable = Table(columns: ["scheme", "‖∂L/∂A‖", "‖∂L/∂B‖", "learns first"])  // hide
var gradientNorms: [LoRAInitialization: (a: Double, b: Double)] = [:]
for scheme in schemes {
    var rng = SeededGenerator(seed: 0)
    let g = lossAndGradients(try adapter(scheme), using: &rng).grads
    gradientNorms[scheme] = (g.a.frobeniusNorm, g.b.frobeniusNorm)
    let first = g.a.frobeniusNorm == 0 ? "B only" : g.b.frobeniusNorm == 0 ? "A only" : "both"
    gradientTable.add(scheme.rawValue, sci(g.a.frobeniusNorm, 3), sci(g.b.frobeniusNorm, 3), first)
}
gradientTable.print()  // hide

/*:
Exactly as the formulas say: under the default and the Gaussian scheme ($B = 0$), $\partial L/\partial A$
is exactly zero and only $B$ moves at step 0; under the seed's swapped scheme ($A = 0$) it is
$\partial L/\partial B$ that is exactly zero. After one step the zero factor is no longer zero
and both learn. PiSSA starts with both factors non-zero, so both get gradients at once.

Is the swap harmless? Both conventions give $\Delta W = 0$ at the start and both train, but
they are not mirror images: in the default, the random factor $A$ (the projection of the
input) is fixed at first and $B$ learns to use it; in the swapped one the random factor is
$B$, the output side, with a different scale ($1/r$ instead of $1/\sqrt{k}$). PEFT, loralib
and the paper agree on zero $B$.

## A few training steps, side by side

Each scheme trains on the same task with AdamW (learning rate 0.01, no weight decay), the
same batch and the same $s = \alpha/r = 1$. The loss after each step:
*/
cell("A few training steps, side by side")
var losses: [LoRAInitialization: [Double]] = [:]
for scheme in schemes {
    var layer = try adapter(scheme)
    var rng = SeededGenerator(seed: 0)
    var adam = AdamW<Float>(configuration: AdamWConfiguration(learningRate: 0.01, weightDecay: 0))
    var trace: [Double] = []
    for _ in 0...steps {
        let (loss, g) = lossAndGradients(layer, using: &rng)
        trace.append(loss)
        var p = [layer.a, layer.b]
        adam.step(parameters: &p, gradients: [g.a, g.b])
        (layer.a, layer.b) = (p[0], p[1])
    }
    losses[scheme] = trace     // trace[t] is the loss before step t + 1, i.e. after t steps
}
let shown = Array(Set([0, 1, 2, 5, 10, steps / 4, steps / 2, steps])).filter { $0 <= steps }.sorted()
var trainingTable = Table(columns: [Table.Column("after step")] + schemes.map { Table.Column($0.rawValue) })  // hide
for t in shown {
    trainingTable.add(row: [String(t)] + schemes.map { sci(losses[$0]![t], 3) })
}
trainingTable.print()  // hide

/*:
At step 0 the three zero-product schemes share one loss, the base model's, and PiSSA's agrees
with it to the printed digits. In the first steps the swapped scheme and PiSSA move fastest
here, and Gaussian $A$ (larger than Kaiming's at this $k$ and $r$) starts faster than the
default; later the order changes. One toy regression says nothing general about which scheme
is best. PiSSA's position has a simple reason on this task: its adapter must hold $W_0$'s top-$r$
part *and* the change. The trainable product has to become $U_r\Sigma_rV_r^\top + \Delta W^\star$,
which for a random rank-$r$ target has rank up to $2r$:
*/
cell("Why PiSSA lags on this task")
let pissa = try adapter(.pissa)
let needed = try (pissa.deltaWeight + targetChange).svd().singularValues
print("singular values of U_rΣ_rV_rᵀ + ΔW*: " + needed.prefix(2 * rank + 1).map { fmt($0, 4) }.joined(separator: "  ") + "  …")
let tail = needed.dropFirst(rank).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
print("part a rank-\(rank) adapter cannot reach (Eckart–Young tail) = \(fmt(tail, 4)) of ‖…‖ = \(fmt((pissa.deltaWeight + targetChange).frobeniusNorm, 4))")

/*:
The singular values after the $r$-th are far from zero, so a rank-$r$ PiSSA adapter cannot fit
this target (chapter 01's oracle). PiSSA's authors (Meng et al., 2024) report faster convergence
on real models, where the useful update lines up with $W_0$'s principal directions; a random
target does not.
*/
cell("Figure")
//- hide
var plot = LinePlot(
    title: "Loss per step by initialisation (rank \(rank), AdamW lr 0.01)",
    xLabel: "step", yLabel: "½·mean ‖h − y‖²", yScale: .log)
//- show
for scheme in schemes {
    plot.add(scheme.rawValue, x: (0...steps).map(Double.init), y: losses[scheme]!, showsPoints: false, dashed: scheme == .swappedZeroA)
}
plot.save(as: "ch04-loss-by-init")  // hide

/*:
## Compared with PEFT

PEFT's `init_lora_weights` selects the scheme: `True` (the default) is Kaiming-uniform $A$
with $a = \sqrt{5}$ and zero $B$; `"gaussian"` draws $A$ from $N(0, 1/r^2)$ with zero $B$;
`"pissa"` runs the SVD of the base weight and rewrites it as the residual (so a PiSSA adapter
only works on *that* residual base: to use it on the original model, save the base too, or
let PEFT convert it to a plain LoRA adapter with `save_pretrained(...,
path_initial_model_for_weight_conversion=...)`, which folds the change of base into $\Delta W$
at twice the rank); `False` leaves $B$
random too, which PEFT documents as intended for debugging, since the output then changes at
step 0. There is no PEFT option for the seed's zero $A$ and Gaussian $B$; the library keeps
`.swappedZeroA` only to show what it changes (its adapter files record `init_lora_weights: true`,
as PEFT has nothing closer), so it is not meant for real adapters.

## Summary

- Every zero-product scheme leaves the output unchanged at step 0 (exactly); PiSSA leaves it
  unchanged up to single-precision rounding, by moving $W_0$'s top-$r$ part into the adapter.
- With $B = 0$ (the paper, PEFT, loralib) only $B$ gets a gradient at step 0; with the seed's
  $A = 0$ only $A$ does ([erratum 2](errata.md#erratum-2)). Both start training, from
  different sides.
- Kaiming-uniform with $a = \sqrt{5}$ is $U(-1/\sqrt{k}, 1/\sqrt{k})$, PyTorch's `nn.Linear`
  default, which is why PEFT and loralib use it for $A$.

## Exercises

<!-- exercises -->
*/
