// Chapter 02: how many parameters a LoRA adapter trains, for one matrix and for LLaMA-7B.
import LoRA
import Notebook

/*:
# 02 · Parameter counts: how small is a LoRA adapter?

**What this chapter shows.** The seed's sections 参数量对比 (parameter counts), Rank and
Target Modules, computed rather than quoted: the count $r(d+k)$ against $dk$ for one weight
matrix, the compression ratio and its approximation $2r/d$, and what an adapter costs on the
real shapes of LLaMA-7B for ranks $r \in \{1, 2, 4, 8, 16, 64\}$ and three choices of target
modules. Nothing here is random and nothing is trained: every number is arithmetic on shapes.

Run it with `swift run ch02-parameter-counts`; change the single-matrix example with
`--d 4096 --k 4096 --rank 8` (`--help` lists the knobs).

## The formula

A frozen weight $W_0 \in \mathbb{R}^{d \times k}$ has $dk$ entries, and full fine-tuning trains
all of them. LoRA freezes $W_0$ and trains $B \in \mathbb{R}^{d \times r}$ and
$A \in \mathbb{R}^{r \times k}$ instead ([formula 1](appendix-formulas.md#formula-1),
$W = W_0 + BA$):

$$\underbrace{dk}_{\text{full fine-tuning}} \quad\text{vs}\quad \underbrace{dr + rk = r(d+k)}_{\text{LoRA}},
\qquad \frac{r(d+k)}{dk} = \frac{r}{d} + \frac{r}{k} \approx \frac{2r}{d} \quad (d \approx k).$$

- **Meaning**: the fraction of a matrix's entries that LoRA trains.
- **Variables**: $d$ output features, $k$ input features, $r$ the rank.
- **Intuition**: the cost grows *linearly* in the dimensions instead of quadratically, so the
  bigger the matrix, the smaller the fraction.

A bad value of a knob prints the usage and exits with status 2.
*/
cell()
//- hide
var options = Options(
    program: "ch02-parameter-counts",
    summary: "Counts the parameters LoRA trains: one (d, k) matrix, then LLaMA-7B.")
let d = options.int("d", default: 4096, "output features d of the example matrix", in: 1...1_000_000)
let k = options.int("k", default: 4096, "input features k of the example matrix", in: 1...1_000_000)
let rank = options.int("rank", default: 8, "LoRA rank r", in: 1...1_000_000)
options.finish()
if rank > min(d, k) {
    options.fail("--rank \(rank) exceeds min(d, k) = \(min(d, k)); a LoRA rank above that trains more than the full matrix")
}
//- show

/*:
## One matrix

The seed's example: $d = k = 4096$ and $r = 8$. It says the ratio is "about 0.4%", so LoRA
removes 99.6% of the trainable parameters. The exact value:
*/
cell("One matrix")
let full = d * k
let adapter = ParameterCount.loraParameters(rank: rank, out: d, in: k)
let ratio = ParameterCount.compressionRatio(rank: rank, out: d, in: k)
print("W0 (\(d), \(k))   B (\(d), \(rank))   A (\(rank), \(k))")
print("full fine-tuning trains d·k     = \(grouped(full))")
print("LoRA trains r·(d + k)           = \(grouped(adapter))")
print("ratio r(d + k) / (d·k)          = \(percent(ratio, 6))")
print("approximation 2r/d              = \(percent(2 * Double(rank) / Double(d), 6))")
print("trainable parameters removed    = \(percent(1 - ratio, 6))")

/*:
With $d = k$ the approximation is exact: $8 \cdot 8192 / 4096^2 = 1/256 = 0.390625\%$, which
the seed rounds to 0.4%. The seed is right here.

The formula is also what the library's `LoRALinear` allocates. A small layer, counted by the
layer itself rather than by the formula:
*/
cell("The formula, counted by LoRALinear")
var generator = SeededGenerator(seed: 4)
let small = Linear<Float>(inFeatures: 48, outFeatures: 32, bias: true, using: &generator)
let smallLoRA = try LoRALinear(base: small, hyperparameters: LoRAHyperparameters(rank: 4), using: &generator)
let counted = smallLoRA.parameterCount
print("LoRALinear on a (32, 48) weight with bias, r = 4:")
print("  trainable (A and B)  \(counted.trainable)   formula r(d + k) = \(ParameterCount.loraParameters(rank: 4, out: 32, in: 48))")
print("  frozen (W0 and bias) \(counted.frozen)   d·k + d = \(32 * 48 + 32)")
precondition(counted.trainable == ParameterCount.loraParameters(rank: 4, out: 32, in: 48))

/*:
## When $d \neq k$, the approximation drifts

$2r/d$ assumes a square matrix. LLaMA's MLP projections are $11008 \times 4096$ and
$4096 \times 11008$; there the exact ratio $r/d + r/k$ is what counts:
*/
cell("When d ≠ k")
var shapes = Table(columns: ["matrix (d, k)", "r", "exact r(d+k)/(dk)", "2r/d", "2r/k"])  // hide
for (dOut, kIn) in [(4096, 4096), (11008, 4096), (4096, 11008)] {
    shapes.add(
        "(\(dOut), \(kIn))", String(rank),
        percent(ParameterCount.compressionRatio(rank: rank, out: dOut, in: kIn), 4),
        percent(2 * Double(rank) / Double(dOut), 4),
        percent(2 * Double(rank) / Double(kIn), 4))
}
shapes.print()  // hide

/*:
## LLaMA-7B, counted from its shapes

To put adapters in proportion we need the base model's size. LLaMA-7B (Touvron et al., 2023,
Table 2; Hugging Face `LlamaConfig`: hidden size 4096, intermediate size 11008, 32 layers,
vocabulary 32000) has, per decoder layer, four attention projections `q_proj`, `k_proj`,
`v_proj`, `o_proj` of shape (4096, 4096), three MLP projections `gate_proj`, `up_proj`
(11008, 4096) and `down_proj` (4096, 11008), and two RMSNorm weight vectors of 4096. Outside
the layers: the token embedding and the output head `lm_head` (32000 × 4096 each, not tied)
and a final RMSNorm. No linear layer has a bias, and rotary position embeddings have no
parameters. Counting exactly that:
*/
cell("LLaMA-7B, counted from its shapes")
/// One linear projection of a LLaMA decoder layer: PEFT's module name and its (out, in) shape.
struct Projection {
    let name: String
    let out: Int
    let input: Int
    var weights: Int { out * input }
}
let hidden = 4096, intermediate = 11008, layers = 32, vocabulary = 32000
let projections = [
    Projection(name: "q_proj", out: hidden, input: hidden),
    Projection(name: "k_proj", out: hidden, input: hidden),
    Projection(name: "v_proj", out: hidden, input: hidden),
    Projection(name: "o_proj", out: hidden, input: hidden),
    Projection(name: "gate_proj", out: intermediate, input: hidden),
    Projection(name: "up_proj", out: intermediate, input: hidden),
    Projection(name: "down_proj", out: hidden, input: intermediate),
]
let perLayerLinear = projections.reduce(0) { $0 + $1.weights }
let perLayerNorms = 2 * hidden
let embeddings = vocabulary * hidden
let head = vocabulary * hidden
let baseTotal = layers * (perLayerLinear + perLayerNorms) + embeddings + head + hidden

var parts = Table(columns: ["part", "shape", "count", "parameters"])  // hide
parts.add("attention q, k, v, o", "(4096, 4096)", "4 × 32", grouped(layers * 4 * hidden * hidden))
parts.add("MLP gate, up", "(11008, 4096)", "2 × 32", grouped(layers * 2 * intermediate * hidden))
parts.add("MLP down", "(4096, 11008)", "1 × 32", grouped(layers * hidden * intermediate))
parts.add("RMSNorm weights", "(4096)", "2 × 32 + 1", grouped(layers * perLayerNorms + hidden))
parts.add("embed_tokens", "(32000, 4096)", "1", grouped(embeddings))
parts.add("lm_head", "(32000, 4096)", "1", grouped(head))
parts.add("total", "", "", grouped(baseTotal))
parts.print()  // hide
print("LLaMA-7B base: \(grouped(baseTotal)) parameters = \(fmt(Double(baseTotal) / 1e9, 2))B")

/*:
The total is the "6.7B" of the LLaMA paper. It is the denominator of every percentage
below.

## Adapters on LLaMA-7B: rank × target modules

Three choices of `target_modules`, as in the seed: the attention's query and value
(`["q_proj", "v_proj"]`, the LoRA paper's choice), all four attention projections, and every
linear layer of the decoder. PEFT spells the last one as the plain string `"all-linear"`
(hyphen, not inside a list), which excludes the output head; the seed's `["all_linear"]`
matches no module (see [errata](errata.md#erratum-5)). Each targeted $(d, k)$ projection adds
$r(d+k)$ parameters in each of the 32 layers:
*/
cell("Adapters on LLaMA-7B: rank × target modules")
let targetSets: [(label: String, modules: [String])] = [
    ("q, v", ["q_proj", "v_proj"]),
    ("q, k, v, o", ["q_proj", "k_proj", "v_proj", "o_proj"]),
    ("all-linear", projections.map(\.name)),
]
/// Trainable parameters of a rank-r adapter on `modules` in every layer.
func adapterParameters(rank r: Int, modules: [String]) -> Int {
    layers * projections.filter { modules.contains($0.name) }
        .reduce(0) { $0 + ParameterCount.loraParameters(rank: r, out: $1.out, in: $1.input) }
}
let ranks = [1, 2, 4, 8, 16, 64]
var adapters = Table(columns: ["r"] + targetSets.flatMap { [Table.Column($0.label), Table.Column("% of base")] })  // hide
for r in ranks {
    adapters.add(row: [String(r)] + targetSets.flatMap { target -> [String] in
        let n = adapterParameters(rank: r, modules: target.modules)
        return [grouped(n), percent(Double(n) / Double(baseTotal), 4)]
    })
}
adapters.print()  // hide

/*:
Even the largest adapter here, rank 64 on every linear layer, trains only a few percent of the
model, and the common rank 8 on `q_proj`, `v_proj` a small fraction of a percent. The count is linear in $r$, so each
column doubles with the rank, which the figure shows as parallel straight lines on log axes:
*/
cell("Figure")
//- hide
var plot = LinePlot(
    title: "LoRA adapters on LLaMA-7B: trainable share of the base",
    xLabel: "rank r", yLabel: "trainable parameters (% of 6.74B)", xScale: .log, yScale: .log)
plot.xTicks = ranks.map(Double.init)
//- show
for target in targetSets {
    plot.add(target.label, x: ranks.map(Double.init),
             y: ranks.map { 100 * Double(adapterParameters(rank: $0, modules: target.modules)) / Double(baseTotal) })
}
plot.save(as: "ch02-trainable-share")  // hide

/*:
## Compared with PEFT

PEFT's `print_trainable_parameters()` divides by *all* parameters, the adapter included, so
for the same model its percentage is slightly smaller. For LLaMA-7B with $r = 8$ on
`q_proj`, `v_proj`, the line it prints works out as:
*/
cell("Compared with PEFT")
let qv8 = adapterParameters(rank: 8, modules: ["q_proj", "v_proj"])
let withAdapter = baseTotal + qv8
print("trainable params: \(grouped(qv8)) || all params: \(grouped(withAdapter)) || trainable%: \(fmt(100 * Double(qv8) / Double(withAdapter), 4))")
print("same adapter as a share of the base alone: \(percent(Double(qv8) / Double(baseTotal), 6))")
print("PEFT's share, more digits:                 \(percent(Double(qv8) / Double(withAdapter), 6))")

/*:
These are the numbers PEFT reports for this configuration, which is a check that the shapes
and the counting rule above match the real model.

## Rank: what the count does not tell

The seed suggests $r = 1$–4 for simple tasks, 8–16 for instruction tuning and 32–64 for
learning new knowledge, and to grow $r$ until performance saturates. The count says only what
a rank *costs*: moving from $r = 8$ to $r = 64$ multiplies the adapter by 8 and still leaves it
under 2.5% of the model. Whether the extra rank *helps* is an experiment, run in chapter 11
([rank sweep until saturation](11-rank-targets-limits.md)).

## Summary

- A LoRA adapter on a $(d, k)$ matrix trains $r(d+k)$ parameters instead of $dk$; the ratio
  is $r/d + r/k$, which is $2r/d$ only for square matrices.
- The seed's "0.4% at $r = 8$, $d = 4096$" is right: exactly 0.390625%.
- On LLaMA-7B, counted from its shapes, even rank 64 on every linear layer trains a few
  percent of the model, and the common rank 8 on `q_proj`, `v_proj` a small fraction of a
  percent (the rank × target table above has the exact counts).
- The target-module choice moves the count as much as the rank does: at the same rank,
  all-linear costs several times what q, v costs (compare the columns of that table).

## Exercises

<!-- exercises -->
*/
