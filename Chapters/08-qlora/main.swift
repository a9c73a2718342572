// Chapter 08: QLoRA: a LoRA layer over an NF4 base: forward, backward and gradient checks,
// memory (per layer and for LLaMA-7B/65B), paged optimizer state, and what dequantization costs.
import LoRA
import Notebook

/*:
# 08 · QLoRA: LoRA on a 4-bit base

**What this chapter shows.** The seed's QLoRA section puts the pieces of chapters 06 and 07
together with a third one, 分页优化器 (paged optimizers), and sums them up in a table:

| 特性 | LoRA | QLoRA |
|---|---|---|
| 基础模型精度 (base precision) | FP16/BF16 | 4-bit NF4 |
| 65B模型显存 (memory, 65B) | ~130GB | ~48GB |
| 训练速度 (training speed) | 快 (fast) | 略慢（需反量化）(slightly slower: dequantization) |
| 精度损失 (accuracy loss) | 无 (none) | 极小 (very small) |

We build a QLoRA layer, check its gradients two ways, show that the 4-bit base is never held as
a float matrix, rebuild the memory rows of that table from the LLaMA shapes (and say where they
are loose), run a paged optimizer under a memory budget, and measure what "slightly slower"
means. Accuracy after training is chapter 10's subject.

Run it with `swift run ch08-qlora`; `--budget-kib K` sets the paged optimizer's device budget,
`--tokens N` the batch used for timing.

## The layer

A QLoRA layer stores its frozen weight as NF4 codes with double-quantized scales and adds a
LoRA branch in full precision:

$$y = x\,\operatorname{dequant}(W_4)^\top + b + s\,\big(\operatorname{drop}(x) A^\top\big) B^\top,
\qquad s = \alpha / r .$$

Only $A$ and $B$ train. The backward pass needs the gradient with respect to the input (to
reach earlier layers), which goes through the frozen base as well:

$$\frac{\partial L}{\partial B} = s\,G^\top U,\quad
\frac{\partial L}{\partial A} = \big(s\,G B\big)^\top \operatorname{drop}(x),\quad
\frac{\partial L}{\partial x} = G\,\operatorname{dequant}(W_4) + m \odot \big(s\,G B A\big),$$

with $G = \partial L / \partial y$, $U = \operatorname{drop}(x) A^\top$ and $m$ the inverted
dropout mask: each entry is 0 with probability $p$ and $1/(1-p)$ otherwise, so
$\operatorname{drop}(x) = m \odot x$ and the same factor $1/(1-p)$ appears in $\partial L/\partial x$.
No gradient is formed for $W_4$.
*/
cell()
//- hide
var options = Options(
    program: "ch08-qlora",
    summary: "A QLoRA layer checked against LoRA and central differences, memory for LLaMA-7B/65B, paged AdamW, timing.")
let budgetKiB = options.int("budget-kib", default: 2560, "device budget of the paged optimizer, in KiB", in: 1...1_000_000)
let tokens = options.int("tokens", default: 256, "rows of the input batch used for timing", in: 1...4096)
options.finish()
if budgetKiB * 1024 < 1_048_576 {
    options.fail("--budget-kib \(budgetKiB) is below the 1024 KiB one paged tensor's state needs; the optimizer would refuse it")
}
//- show

/*:
## Same gradients as LoRA on the dequantized weight

The cleanest check is a comparison: a `LoRALinear` whose base weight *is* $\operatorname{dequant}(W_4)$,
with the same $A$, $B$, bias and dropout draws, must give the same outputs and gradients. Only
the order of float32 summation differs (the QLoRA layer multiplies tile by tile), so we allow
$10^{-5}$. $B$ is made non-zero first, otherwise every path through it is trivially zero:
*/
cell("Same gradients as LoRA on the dequantized weight")
var generator = SeededGenerator(seed: 7)
let base = Linear<Float>(inFeatures: 96, outFeatures: 64, using: &generator)
let hyper = LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0.1)
var qlora = try QLoRALinear(base: base, hyperparameters: hyper, blocksize: 64, doubleQuantization: true, using: &generator)
qlora.b = .normal(64, 4, std: 0.2, using: &generator)
qlora.tileRows = 16
let reference = try LoRALinear(
    base: Linear(weight: qlora.weight.dequantized(), bias: qlora.bias), a: qlora.a, b: qlora.b, hyperparameters: hyper)
let x = Matrix<Float>.normal(8, 96, using: &generator)
let upstream = Matrix<Float>.normal(8, 64, using: &generator)
var dropoutQ = SeededGenerator(seed: 99), dropoutL = SeededGenerator(seed: 99)
let (yQ, cacheQ) = qlora.forward(x, training: &dropoutQ)
let (yL, cacheL) = reference.forward(x, training: &dropoutL)
let gradQ = qlora.backward(upstream, cache: cacheQ)
let gradL = reference.backward(upstream, cache: cacheL)
let agreement = [
    ("output y", yQ.maxAbsDifference(yL)), ("∂L/∂x", gradQ.input.maxAbsDifference(gradL.input)),
    ("∂L/∂A", gradQ.a.maxAbsDifference(gradL.a)), ("∂L/∂B", gradQ.b.maxAbsDifference(gradL.b)),
]
for (name, difference) in agreement { print("max |QLoRA − LoRA(dequant W4)| \(pad(name, 8)) \(sci(difference, 2))") }
let worstAgreement = agreement.map(\.1).max()!
print("worst difference \(sci(worstAgreement, 2)) (tolerance 1e-05): \(worstAgreement < 1e-5 ? "agree" : "DISAGREE")")

/*:
## Against central differences

The comparison trusts `LoRALinear`. An independent check differentiates numerically: perturb
each element of $x$, $A$ and $B$ by $\pm h$, evaluate $L = \sum G \odot y$ in Double on the
dequantized weight, and compare $(L(\theta + h) - L(\theta - h)) / 2h$ with the analytic
gradients (dropout off, so the function is deterministic). The analytic side is float32, so
the tolerance on the norm-wise relative error is $10^{-5}$:
*/
cell("Against central differences")
var plainLayer = try QLoRALinear(
    weight: qlora.weight, bias: qlora.bias, a: qlora.a, b: qlora.b,
    hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8, dropout: 0))
plainLayer.tileRows = 16
let small = Matrix<Float>.normal(3, 96, using: &generator)
let smallUpstream = Matrix<Float>.normal(3, 64, using: &generator)
var noDropout = SeededGenerator(seed: 1)
let (_, smallCache) = plainLayer.forward(small, training: &noDropout)
let analytic = plainLayer.backward(smallUpstream, cache: smallCache)
let w64 = plainLayer.weight.dequantized().converted(to: Double.self)
let bias64 = plainLayer.bias!.converted(to: Double.self)
let g64 = smallUpstream.converted(to: Double.self)
let s = plainLayer.hyperparameters.scale
let loss: ([Matrix<Double>]) -> Double = { p in
    var y = p[0].matmul(w64, transposeB: true)
    for i in 0..<y.rows { for j in 0..<y.columns { y[i, j] += bias64[0, j] } }
    Matrix.gemm(p[0].matmul(p[1], transposeB: true), p[2], transposeB: true, alpha: s, beta: 1, into: &y)
    return (y .* g64).sum
}
let report = GradientCheck.check(
    loss, at: [small.converted(), plainLayer.a.converted(), plainLayer.b.converted()],
    analytic: [analytic.input.converted(), analytic.a.converted(), analytic.b.converted()])
for (name, error) in zip(["∂L/∂x", "∂L/∂A", "∂L/∂B"], report.relativeErrors) {
    print("relative error vs central differences \(pad(name, 6)) \(sci(error, 2))")
}
print("worst relative error \(sci(report.maxRelativeError, 2)) (tolerance 1e-05): \(report.passes(tolerance: 1e-5) ? "pass" : "FAIL")")

/*:
## The 4-bit base is never a float matrix

Dequantizing the whole weight before each multiply would defeat the purpose: the float copy
is 8 times the size of the codes. `QLoRALinear` dequantizes `tileRows` rows at a time into one
scratch buffer, multiplies that tile with BLAS, and reuses the buffer for the next tile. What a
layer of LLaMA-7B's attention shape holds, counted by `QuantizationStorage` (no need to build
it):
*/
cell("The 4-bit base is never a float matrix")
let (outF, inF, tileRows) = (4096, 4096, 128)
let nf4Storage = QuantizationStorage(parameters: outF * inF, blocksize: 64, doubleQuantization: true)
var layerMemory = Table(columns: ["what", "bytes", "share of float32 W"])  // hide
let floatBytes = 4 * outF * inF
layerMemory.add("W as float32 (never built)", bytes(floatBytes), percent(1, 1))
layerMemory.add("W as bfloat16", bytes(2 * outF * inF), percent(0.5, 1))
layerMemory.add("NF4 codes + DQ constants", bytes(nf4Storage.totalBytes), percent(Double(nf4Storage.totalBytes) / Double(floatBytes), 1))
layerMemory.add("scratch tile (\(tileRows) rows, float32)", bytes(4 * tileRows * inF), percent(Double(4 * tileRows * inF) / Double(floatBytes), 1))
layerMemory.add("LoRA A and B (r = 64, float32)", bytes(4 * 64 * (inF + outF)), percent(Double(4 * 64 * (inF + outF)) / Double(floatBytes), 1))
layerMemory.print()  // hide
print("tiles per pass over W: \(outF / tileRows); at most \(tileRows) of \(outF) rows exist in float at any time")

/*:
(On a GPU, bitsandbytes dequantizes the whole weight of one layer to bfloat16 into a temporary
buffer just before the matrix multiply and frees it afterwards: only one layer's float copy
exists at a time. The tile here plays the same role at a smaller grain.)

The same layer as a dataflow, with the bytes of each piece for a batch of `--tokens` rows.
The frozen base goes in as NF4 codes and double-quantized constants and is dequantized one tile
at a time for the matrix multiply; the LoRA branch never leaves full precision:
*/
cell("Figure: the QLoRA dataflow")
let adapterRank = 64   // as in the table above
let tileBytes = 4 * tileRows * inF
//- hide
var dataflow = Diagram(title: "QLoRA forward pass: one (\(outF), \(inF)) layer, \(tokens) tokens", width: 640, height: 400)
dataflow.box("codes", ["NF4 codes", "(\(outF), \(inF)) × 4 bit", bytes(nf4Storage.codeBytes)], x: 84, y: 70, style: .frozen)
dataflow.box("constants", ["absmax constants", "8-bit + fp32 (DQ)", bytes(nf4Storage.constantBytes)], x: 84, y: 160, style: .frozen)
dataflow.box("dequantize", ["dequantize a tile", "(\(tileRows), \(inF)) float32", "\(bytes(tileBytes)), \(outF / tileRows) per pass"],
             x: 262, y: 160)
dataflow.box("gemm", ["GEMM x · tileᵀ", "float32 here,", "bf16 in bitsandbytes"], x: 450, y: 160)
dataflow.box("x", ["x", "(\(tokens), \(inF)) float32", bytes(4 * tokens * inF)], x: 84, y: 255, style: .data)
dataflow.box("dropout", ["dropout"], x: 178, y: 335)
dataflow.box("A", ["A", "(\(adapterRank), \(inF)) fp32", bytes(4 * adapterRank * inF)], x: 292, y: 335, style: .trainable)
dataflow.box("B", ["B", "(\(outF), \(adapterRank)) fp32", bytes(4 * outF * adapterRank)], x: 438, y: 335, style: .trainable)
dataflow.operation("scale", "×s", x: 536, y: 335)
dataflow.operation("+", "+", x: 590, y: 160)
dataflow.box("y", ["y", "(\(tokens), \(outF))"], x: 590, y: 70, style: .data)
dataflow.arrow(from: "codes", to: "dequantize", via: [(262, 70)])
dataflow.arrow(from: "constants", to: "dequantize")
dataflow.arrow(from: "dequantize", to: "gemm")
dataflow.arrow(from: "x", to: "gemm", via: [(450, 255)])
dataflow.arrow(from: "gemm", to: "+")
dataflow.arrow(from: "x", to: "dropout", via: [(84, 335)])
dataflow.arrow(from: "dropout", to: "A")
dataflow.arrow(from: "A", to: "B")
dataflow.arrow(from: "B", to: "scale")
dataflow.arrow(from: "scale", to: "+", via: [(590, 335)])
dataflow.arrow(from: "+", to: "y")
dataflow.key = [(.frozen, "frozen, 4-bit"), (.trainable, "trained, float32"), (.data, "data"), (.compute, "computation")]
dataflow.save(as: "ch08-qlora-dataflow")
//- show

/*:

## Memory for LLaMA-7B and LLaMA-65B

`MemoryEstimator` adds up, from the model's shapes (chapter 02), the bytes per parameter each
method keeps:

| method | weights | gradients | AdamW moments | bytes per parameter |
|---|---|---|---|---|
| full fine-tuning, 16-bit weights and gradients | 2 | 2 | 4 + 4 | 12 (every parameter) |
| full fine-tuning, mixed precision with float32 master weights | 4 (+2 bf16 copy, transient) | 4 | 4 + 4 | 16 (every parameter) |
| LoRA, 16-bit base | 2 (frozen) | 4 (adapter only) | 4 + 4 (adapter only) | 2 per base parameter + 16 per adapter parameter |
| QLoRA, NF4 + DQ base | 0.5 + constants | 4 (adapter only) | 4 + 4 (adapter only) | ≈ 0.52 per linear parameter, 2 per other, + 16 per adapter parameter |

PEFT keeps adapter weights in float32 by default (`autocast_adapter_dtype=True`), even on a
16-bit base, so the adapter counts 4 bytes per parameter plus 4 for its gradient. The adapter
is $r = 64$ on every linear layer, the QLoRA paper's setting. Activations come separately,
below.
*/
cell("Memory for LLaMA-7B and LLaMA-65B")
var memory = Table(columns: ["model", "method", "B/param", "weights", "quant. constants", "adapter", "gradients", "optimizer", "total"])  // hide
var totals: [String: MemoryBreakdown] = [:]
for model in [ModelSpec.llama7B, .llama65B] {
    let rows: [(String, MemoryBreakdown)] = [
        ("full FT, 16-bit", MemoryEstimator.fullFineTuning(model)),
        ("full FT, float32 master", MemoryEstimator.fullFineTuning(model, weights: .float32, gradients: .float32)),
        ("LoRA (16-bit base)", MemoryEstimator.lora(model)),
        ("QLoRA (NF4 + DQ)", MemoryEstimator.qlora(model)),
    ]
    for (method, m) in rows {
        totals["\(model.name) \(method)"] = m
        memory.add(model.name, method, fmt(m.total / Double(model.parameterCount), 2), bytes(m.weights, decimal: true), bytes(m.quantizationConstants, decimal: true),
                   bytes(m.adapterWeights, decimal: true), bytes(m.gradients, decimal: true),
                   bytes(m.optimizerState, decimal: true), bytes(m.total, decimal: true))
    }
}
memory.print()  // hide
let lora65 = totals["LLaMA-65B LoRA (16-bit base)"]!
let qlora65 = totals["LLaMA-65B QLoRA (NF4 + DQ)"]!
let qlora65NoDQ = MemoryEstimator.qlora(.llama65B, doubleQuantization: false)
print("seed, LoRA 65B \"~130GB\":  16-bit weights alone \(fmt(lora65.weights / 1e9, 1)) GB; with adapter and optimizer \(fmt(lora65.total / 1e9, 1)) GB")
print("seed, QLoRA 65B \"~48GB\":  total before activations \(fmt(qlora65.total / 1e9, 1)) GB (without DQ \(fmt(qlora65NoDQ.total / 1e9, 1)) GB); headroom on a 48 GB GPU \(fmt(48 - qlora65.total / 1e9, 1)) GB")
print("QLoRA / LoRA memory on 65B: \(percent(qlora65.total / lora65.total, 1))")
print("full fine-tuning of 65B: \(fmt(totals["LLaMA-65B full FT, 16-bit"]!.total / 1e9, 0)) GB at 12 B/param, \(fmt(totals["LLaMA-65B full FT, float32 master"]!.total / 1e9, 0)) GB at 16 B/param")

/*:
Where the seed's table is right, and where it is loose:

- **LoRA, ~130 GB**: right as the size of LLaMA-65B's 16-bit weights (every parameter × 2
  bytes, the "weights" cell). A LoRA run needs more: the adapter, its gradients and AdamW state
  add several GB at r = 64 (compare the two LoRA numbers printed), and activations come on top.
- **QLoRA, ~48 GB**: the estimate before activations is below 48 GB. The QLoRA paper's claim
  is exactly this: finetuning a 65B model "on a single 48GB GPU", with activations kept small
  by gradient checkpointing and memory spikes absorbed by paged optimizers. "~48 GB" is the
  GPU, not the footprint. Without double quantization the total is larger (chapter 07).
- **Full fine-tuning of 65B**: the QLoRA paper's "more than 780 GB" is the 12 B/param row
  (16-bit weights and gradients, float32 AdamW): the last printed line. With float32 master
  weights, the usual mixed-precision recipe, it is 16 B/param.

## Activations, and the model against measured peaks

Activations depend on batch × sequence, not on the method alone (`ActivationEstimate`:
per token and block $8d + 4m$ values in bfloat16: $8d$ for the two norms' inputs and outputs,
$q$, $k$, $v$ and the attention output, $4m$ for the outputs of `gate_proj` and `up_proj`,
SiLU of the gate, and their product, `down_proj`'s input; a float32 copy of each LoRA target's input,
and the float32 logits; with gradient checkpointing each block keeps only its input). The test
of the whole model is a measurement. These peaks were measured on an NVIDIA H200 with random
LLaMA-7B-shaped weights (bitsandbytes NF4 + double quantization with bfloat16 compute, LoRA
$r = 16$, $\alpha = 32$ on q, k, v, o with float32 adapters, AdamW, one training step,
`torch.cuda.max_memory_allocated`); the estimate for each row is printed beside it:
*/
cell("The model against measured peaks")
//- hide
struct MeasuredPeak {
    let run: String, batch: Int, sequence: Int, checkpointing: Bool, peak: Double, weights: Double
    let estimate: MemoryBreakdown, loraTargets: [String]
}
//- show
let qkvo = ["q_proj", "k_proj", "v_proj", "o_proj"]
let q7 = MemoryEstimator.qlora(.llama7B, rank: 16, targets: qkvo)
let l7 = MemoryEstimator.lora(.llama7B, rank: 16, targets: qkvo)
let f16 = MemoryEstimator.fullFineTuning(.llama7B, weights: .float16, gradients: .float16, optimizerState: .float16)
let f32 = MemoryEstimator.fullFineTuning(.llama7B, weights: .float32, gradients: .float32, optimizerState: .float32)
let measured: [MeasuredPeak] = [
    MeasuredPeak(run: "QLoRA", batch: 1, sequence: 512, checkpointing: true, peak: 4.56, weights: 3.96, estimate: q7, loraTargets: qkvo),
    MeasuredPeak(run: "QLoRA", batch: 1, sequence: 512, checkpointing: false, peak: 7.92, weights: 4.02, estimate: q7, loraTargets: qkvo),
    MeasuredPeak(run: "QLoRA", batch: 4, sequence: 2048, checkpointing: true, peak: 10.11, weights: 4.02, estimate: q7, loraTargets: qkvo),
    MeasuredPeak(run: "QLoRA, paged AdamW", batch: 1, sequence: 512, checkpointing: true, peak: 4.55, weights: 4.02, estimate: q7, loraTargets: qkvo),
    MeasuredPeak(run: "LoRA (bf16 base)", batch: 1, sequence: 512, checkpointing: true, peak: 14.12, weights: 13.61, estimate: l7, loraTargets: qkvo),
    MeasuredPeak(run: "LoRA (bf16 base)", batch: 1, sequence: 512, checkpointing: false, peak: 17.47, weights: 13.61, estimate: l7, loraTargets: qkvo),
    MeasuredPeak(run: "LoRA (bf16 base)", batch: 4, sequence: 2048, checkpointing: true, peak: 19.70, weights: 13.61, estimate: l7, loraTargets: qkvo),
    MeasuredPeak(run: "full FT, bf16 weights, grads, AdamW", batch: 1, sequence: 512, checkpointing: true, peak: 67.48, weights: 13.54, estimate: f16, loraTargets: []),
    MeasuredPeak(run: "full FT, fp32 master + bf16 autocast", batch: 1, sequence: 512, checkpointing: true, peak: 134.87, weights: 27.02, estimate: f32, loraTargets: []),
]
var peaks = Table(columns: ["run", "batch × tokens", "ckpt", "measured peak GB", "estimate GB", "estimate / measured", "weights: measured", "estimated", "activations (est.)"])  // hide
for m in measured {
    let activations = ActivationEstimate.bytes(.llama7B, tokens: m.batch * m.sequence, loraTargets: m.loraTargets, checkpointing: m.checkpointing)
    let estimate = (m.estimate.total + activations) / 1e9
    let weights = (m.estimate.weights + m.estimate.quantizationConstants + m.estimate.adapterWeights) / 1e9
    peaks.add(m.run, "\(m.batch) × \(m.sequence)", m.checkpointing ? "yes" : "no", fmt(m.peak, 2), fmt(estimate, 2), fmt(estimate / m.peak, 2),
              fmt(m.weights, 2), fmt(weights, 2), fmt(activations / 1e9, 2))
}
peaks.print()  // hide
let llamaParameters = Double(ModelSpec.llama7B.parameterCount)
print("the full FT rows' estimates: bf16 run at \(fmt(f16.total / llamaParameters, 0)) B/param (weights, gradients and AdamW's two moments all in bf16, "
      + "as PyTorch keeps the moments in the parameters' dtype), fp32-master run at \(fmt(f32.total / llamaParameters, 0)) B/param; "
      + "the 12 B/param row of the table above is a third configuration (bf16 weights and gradients, float32 moments)")

/*:
Read the ratio column. Weights are predicted closely from the shapes alone. Where the estimate
falls short, the gap is what the model leaves out: full fine-tuning's optimizer step allocates
temporaries of the parameters' size (PyTorch's multi-tensor AdamW works on whole lists of
tensors at once), mixed precision keeps a bfloat16 copy of every float32 weight for the
autocast matmuls, and a QLoRA step dequantizes one layer's weight at a time into a 16-bit
buffer. Activations dominate the difference between checkpointing and not, and grow with
batch × tokens, as the rows with 4 × 2048 tokens show. The seed's 60 / 24 / 12 GB for LLaMA-7B
now has a measured answer: at 1 × 512 tokens with checkpointing, the H200 peaks above for full
fine-tuning, LoRA and QLoRA.

The estimates of those runs at the smallest batch with checkpointing, stacked by what the
memory holds (the total is printed above each bar; the largest part of each is printed below),
with each run's measured peak drawn over its bar as a black diamond:
*/
cell("Figure: where the memory goes")
let smallRuns = measured.filter { $0.batch == 1 && $0.checkpointing && !$0.run.contains("paged") }
let shortNames = ["QLoRA": "QLoRA", "LoRA (bf16 base)": "LoRA", "full FT, bf16 weights, grads, AdamW": "full, bf16",
                  "full FT, fp32 master + bf16 autocast": "full, fp32"]
let runParts: [(name: String, parts: [Double])] = smallRuns.reversed().map { m in
    let activations = ActivationEstimate.bytes(.llama7B, tokens: m.batch * m.sequence, loraTargets: m.loraTargets, checkpointing: true)
    let e = m.estimate
    return (shortNames[m.run] ?? m.run, [e.weights, e.quantizationConstants, e.adapterWeights, e.gradients, e.optimizerState, activations].map { $0 / 1e9 })
}
let partNames = ["weights", "quantization constants", "adapter", "gradients", "optimizer state", "activations"]
//- hide
var breakdown = BarChart(title: "LLaMA-7B, \(smallRuns[0].batch) × \(smallRuns[0].sequence) tokens, checkpointing: estimated memory",
                         categories: runParts.map(\.name), yLabel: "GB")
// Palette entries chosen so that no two parts share a hue (the quantization constants yellow,
// the activations vermillion).
let partColors = [0, 6, 2, 3, 4, 5]
for (i, part) in partNames.enumerated() { breakdown.add(part, values: runParts.map { $0.parts[i] }, colorIndex: partColors[i]) }
breakdown.addMarkers("measured peak (H200)", values: smallRuns.reversed().map(\.peak))
breakdown.stacked = true
breakdown.valueLabel = { fmt($0, 1) }
breakdown.save(as: "ch08-memory-breakdown")
//- show
for run in runParts {
    let largest = run.parts.indices.max { run.parts[$0] < run.parts[$1] }!
    print("\(pad(run.name, 10)) total \(fmt(run.parts.reduce(0, +), 2)) GB; largest part: \(partNames[largest]) \(fmt(run.parts[largest], 2)) GB")
}

/*:

## Paged optimizers

The seed: "使用 NVIDIA Unified Memory，处理内存峰值，避免 OOM" (uses NVIDIA unified memory to
absorb memory spikes and avoid running out). That is right. bitsandbytes allocates optimizer
state with `cudaMallocManaged`; when the GPU runs short, the driver evicts pages of it to host
RAM and faults them back in when the optimizer touches them. The update is unchanged, only
*where* the state lives moves.

A CPU has no such pages, so `PagedAdamW` models it: states of tensors with at least 100,000
elements live in a pool with a byte budget; before a tensor is updated its state is brought in,
evicting the least recently used states to "host" copies when the budget is full. Here three
large adapter tensors (each state 1 MiB: $m$ and $v$, float32) and two small ones train for 10
steps under the budget, next to an ordinary `AdamW` fed the same gradients:
*/
cell("Paged optimizers")
var pagingGenerator = SeededGenerator(seed: 70)
var plainParameters: [Matrix<Float>] = [
    .normal(16, 8192, std: 0.02, using: &pagingGenerator), .normal(8, 64, std: 0.02, using: &pagingGenerator),
    .normal(8192, 16, std: 0.02, using: &pagingGenerator), .normal(16, 8192, std: 0.02, using: &pagingGenerator),
    .normal(1, 64, std: 0.02, using: &pagingGenerator),
]
var pagedParameters = plainParameters
let config = AdamWConfiguration(learningRate: 2e-4, weightDecay: 0.0)
var adamW = AdamW<Float>(configuration: config)
var paged = try PagedAdamW<Float>(configuration: config, budgetBytes: budgetKiB * 1024)
let steps = 10
for _ in 0..<steps {
    let gradients = plainParameters.map { Matrix<Float>.normal($0.rows, $0.columns, std: 0.01, using: &pagingGenerator) }
    adamW.step(parameters: &plainParameters, gradients: gradients)
    try paged.step(parameters: &pagedParameters, gradients: gradients)
}
let identical = zip(plainParameters, pagedParameters).allSatisfy { $0.storage.map(\.bitPattern) == $1.storage.map(\.bitPattern) }
let c = paged.counters
print("budget \(bytes(paged.budgetBytes)); paged tensors: \(plainParameters.filter { $0.count >= paged.pagingThreshold }.count) of \(plainParameters.count) (threshold \(grouped(paged.pagingThreshold)) elements)")
print("after \(steps) steps: pages in \(grouped(c.pagesIn)), pages out \(grouped(c.pagesOut)) (\(grouped(paged.pageBytes))-byte pages)")
print("bytes in \(bytes(c.bytesIn)), bytes out \(bytes(c.bytesOut)), peak on device \(bytes(c.peakDeviceBytes))")
print("parameters after \(steps) steps, paged vs plain AdamW: \(identical ? "bit-identical" : "DIFFERENT")")

/*:
The parameters are bit-identical to plain AdamW's: paging moves state, it does not change the
arithmetic. The counters show the cost instead. The default budget has room for two of the
three large states, and the three are used in the same order every step, which is the worst
case for least-recently-used eviction: the state evicted is always the one needed next, so
every step fetches all three, and the traffic is the price of never exceeding the
budget (on a GPU, PCIe transfers instead of an out-of-memory error). With a budget that holds
all three states, nothing is ever evicted after the first fetch; try `--budget-kib 4096`.

## "略慢（需反量化）": what dequantization costs

The seed says QLoRA trains slightly slower because it must dequantize. The extra work can be
counted exactly. Per training step, a layer with a $(d_{out}, d_{in})$ weight and $n$ input
rows does the same matrix multiplies as LoRA with a 16-bit base: $2 n\, d_{out} d_{in}$ FLOPs
(a multiply and an add each) for the forward pass and as many for $\partial L / \partial x$.
On top of that it dequantizes the weight once for each of the two passes: $2\, d_{out} d_{in}$
table lookups and multiplies. Relative to the FLOPs that is $1 / (2n)$, a lower bound on the
cost, not the cost: dequantization does almost no arithmetic per byte, so its time is set by
memory traffic. Each pass reads the 4-bit codes and constants, writes a 16-bit copy of the
weight, and the matrix multiply reads that copy back; a 16-bit base only reads its weight once.
With gradient checkpointing a step makes three passes (forward, recomputed forward, and
$\partial L/\partial x$):
*/
cell("What dequantization costs")
let (dOut, dIn) = (1024, 1024)
let gemmFlops = 2 * 2 * tokens * dOut * dIn
let dequantized = 2 * dOut * dIn
print("layer (\(dOut), \(dIn)), \(tokens) input rows per step:")
print("  FLOPs of the base matrix multiplies (forward + ∂x): \(grouped(gemmFlops))")
print("  weights dequantized (forward + ∂x):                 \(grouped(dequantized))  = \(percent(Double(dequantized) / Double(gemmFlops), 3)) of the FLOPs")
let weightCount = Double(dOut * dIn)
let nf4Read = weightCount * QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: true) / 8
let perPassQLoRA = nf4Read + 2 * weightCount + 2 * weightCount  // read codes, write bf16, read bf16
let perPassLoRA = 2 * weightCount                               // read the bf16 weight
print("  bytes of weight traffic per pass: QLoRA \(grouped(Int(perPassQLoRA))) (4-bit read, 16-bit write and re-read), 16-bit base \(grouped(Int(perPassLoRA)))")
print("  per step with gradient checkpointing (3 passes): QLoRA \(grouped(Int(3 * perPassQLoRA))), 16-bit base \(grouped(Int(3 * perPassLoRA))), ratio \(fmt(perPassQLoRA / perPassLoRA, 2))")
var timingGenerator = SeededGenerator(seed: 71)
let timingBase = Linear<Float>(inFeatures: dIn, outFeatures: dOut, using: &timingGenerator)
let timingHyper = LoRAHyperparameters(rank: 16, alpha: 16)
var g1 = timingGenerator, g2 = timingGenerator
let timedLoRA = try LoRALinear(base: timingBase, hyperparameters: timingHyper, using: &g1)
let timedQLoRA = try QLoRALinear(base: timingBase, hyperparameters: timingHyper, using: &g2)
let batch = Matrix<Float>.normal(tokens, dIn, using: &timingGenerator)
let batchUpstream = Matrix<Float>.normal(tokens, dOut, using: &timingGenerator)
var rng = SeededGenerator(seed: 72)
let loraTime = medianTime(repetitions: 5) {
    let (_, cache) = timedLoRA.forward(batch, training: &rng)
    _ = timedLoRA.backward(batchUpstream, cache: cache)
}
let qloraTime = medianTime(repetitions: 5) {
    let (_, cache) = timedQLoRA.forward(batch, training: &rng)
    _ = timedQLoRA.backward(batchUpstream, cache: cache)
}
print("  forward + backward, LoRA (float32 base):  \(live(duration(loraTime)))")
print("  forward + backward, QLoRA (NF4 + DQ):     \(live(duration(qloraTime)))   ratio \(live(fmt(qloraTime / loraTime, 2)))")

/*:
At a terminal the two timings above are live measurements on this machine (the page shows a
placeholder because times differ between runs). On a CPU with float32 BLAS, dequantizing a
tile is cheap next to multiplying it, and the ratio depends on the batch: try `--tokens 8`
and `--tokens 1024`. On a GPU the picture differs in detail (bitsandbytes dequantizes to
bfloat16 in a separate kernel, and small batches are limited by memory traffic), but the
count is the same: the extra work is proportional to the weight, not to the batch, and it is
paid in memory traffic, about twice the weight bytes of a 16-bit base per pass (the ratio
printed above). End to end the slowdown is real: Raschka (2023, "Practical Tips for Finetuning
LLMs Using LoRA", Ahead of AI) reports that QLoRA saved 33% of GPU memory against LoRA at the
cost of a 39% longer training run on a 7B model. "Slightly slower" is the right direction; its
size depends on how memory-bound the step is.

## Compared with PEFT and bitsandbytes

- In the Hugging Face stack a QLoRA model is a model loaded with
  `BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
  bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch.bfloat16)`, whose linear
  layers become `bnb.nn.Linear4bit`, wrapped by PEFT's LoRA layers. Our `QLoRALinear` is both
  in one struct, computing in float32 instead of bfloat16.
- The paged optimizer is `optim="paged_adamw_32bit"` (or `paged_adamw_8bit`) in the
  `transformers` trainer; bitsandbytes pages only state tensors with at least 100,000
  elements, as here.

## Summary

- A QLoRA layer is LoRA over $\operatorname{dequant}(W_4)$: its outputs and gradients agree
  with `LoRALinear` on the dequantized weight and with central differences, within $10^{-5}$.
- The 4-bit base is dequantized in tiles and never held as a float matrix; NF4 with DQ takes
  about an eighth of the float32 bytes.
- For LLaMA-65B the 16-bit weights alone are about 130 GB (the seed's LoRA figure), and the
  QLoRA estimate before activations is below the 48 GB of a single GPU; every row states its
  bytes per parameter, and the estimates are held against peaks measured on an H200.
- Paged AdamW gives bit-identical updates while moving state in and out under a budget.
- Dequantization adds arithmetic proportional to the weight, $1/(2n)$ of the matrix multiplies
  for a batch of $n$ rows, but it is memory-bound: each pass moves about twice the weight bytes
  of a 16-bit base, and published end-to-end runs are tens of percent slower.

## Exercises

<!-- exercises -->
*/
