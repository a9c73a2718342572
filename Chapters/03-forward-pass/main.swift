// Chapter 03: the forward pass h = W0x + (α/r)·B(Ax) and what B(Ax) costs against (BA)x.
import Foundation
import LoRA
import Notebook

/*:
# 03 · The forward pass and its cost

**What this chapter shows.** The seed's section 前向传播 (forward pass), computed: the
forward formula checked against the library, and why LoRA computes $B(Ax)$ and never $(BA)x$
while training, in FLOPs and in time. What the scale $s = \alpha/r$ does to learning is
[chapter 05](05-scaling.md)'s subject.

Run it with `swift run ch03-forward-pass`; its knobs are listed below (`--help` lists
them too). The page is generated with the defaults.

## The formula

<a id="formula-3"></a>

$$h = W_0 x + \frac{\alpha}{r} B A x$$

- **Meaning**: the layer's output is the frozen output plus the adapter's, scaled by $s = \alpha/r$.
- **Variables**: $x \in \mathbb{R}^k$; $W_0$ $(d, k)$ frozen; $A$ $(r, k)$; $B$ $(d, r)$;
  $\alpha$ a constant chosen by the user; $r$ the rank.
- **Intuition**: $s$ sets how loudly the adapter speaks; the seed says dividing by $r$ means
  $\alpha$ need not be re-tuned when $r$ changes ([chapter 05](05-scaling.md) tests how far that holds).

This is the seed's formula 3 ([appendix](appendix-formulas.md#formula-3)).

A bad value of a knob prints the usage and exits with status 2.
*/
cell()
//- hide
var options = Options(
    program: "ch03-forward-pass",
    summary: "The LoRA forward pass and the cost of B(Ax) vs (BA)x.")
let rank = options.int("rank", default: 8, "LoRA rank r of the examples", in: 1...64)
let alpha = options.double("alpha", default: 16, "LoRA α (s = α/r)", in: 0.001...10_000)
let seed = options.int("seed", default: 2, "seed of every random draw", in: 0...1_000_000)
options.finish()
//- show
let scale = alpha / Double(rank)
print("r = \(rank), α = \(fmt(alpha, 3)), s = α/r = \(fmt(scale, 4))")

/*:
## Formula 3, checked

A layer with $d = k = 64$, a batch of $n = 16$ inputs (rows of $X$), and an adapter whose $B$
is given random entries (a fresh adapter has $B = 0$ and would make the check trivial). Three
ways to compute the output: the library's `forward`, formula 3 written out with two thin
products, and the merged weight $W_0 + sBA$ applied once:
*/
cell("Formula 3, checked")
var generator = SeededGenerator(seed: UInt64(seed))
let base64 = Linear<Double>(inFeatures: 64, outFeatures: 64, bias: false, using: &generator)
var layer = try LoRALinear(base: base64, hyperparameters: LoRAHyperparameters(rank: rank, alpha: alpha), using: &generator)
layer.b = .normal(64, rank, std: 0.1, using: &generator)
let x = Matrix<Double>.normal(16, 64, using: &generator)
let library = layer.forward(x)
// X·W0ᵀ + s·(X·Aᵀ)·Bᵀ: (16, 64)·(64, 64) + s·((16, 64)·(64, r))·(r, 64)
var byHand = x.matmul(base64.weight, transposeB: true)
Matrix.gemm(x.matmul(layer.a, transposeB: true), layer.b, transposeB: true, alpha: scale, beta: 1, into: &byHand)
let merged = x.matmul(base64.weight + layer.deltaWeight, transposeB: true)
print("max |forward − (W0x + s·B(Ax))| = \(sci(library.maxAbsDifference(byHand), 2))")
print("max |forward − (W0 + sBA)x|     = \(sci(library.maxAbsDifference(merged), 2))")
print("max |s·B(Ax)| (the adapter's part of h) = \(fmt((library - x.matmul(base64.weight, transposeB: true)).maxAbs, 4))")

/*:
The three agree to rounding in double precision: $W_0x + s\,B(Ax) = (W_0 + sBA)x$ by
associativity. The *cost* of the two bracketings is not the same.

## $B(Ax)$ or $(BA)x$: the cost

Count a multiply-add as 2 floating-point operations (FLOPs). For a batch of $n$ inputs:

$$\underbrace{2nkr + 2nrd = 2nr(d+k)}_{B(Ax)}
\qquad\text{vs}\qquad
\underbrace{2dkr}_{\text{form } BA} + \underbrace{2nkd}_{(BA)x}
\qquad\text{and the frozen part } \underbrace{2nkd}_{W_0x}.$$

While training, $B$ and $A$ change every step, so $BA$ would have to be formed again every
step; and it would need a $d \times k$ buffer, as large as $W_0$ itself. $B(Ax)$ needs only an
$(n, r)$ intermediate. For the seed's example shape $d = k = 4096$:
*/
cell("B(Ax) or (BA)x: FLOPs")
let (dBig, kBig) = (4096, 4096)
/// FLOPs of the adapter branch for a batch of n: thin products, or form BA then apply it.
func flops(n: Int, r: Int) -> (thin: Int, product: Int, base: Int) {
    (2 * n * r * (dBig + kBig), 2 * dBig * kBig * r + 2 * n * kBig * dBig, 2 * n * kBig * dBig)
}
var costs = Table(columns: ["n", "B(Ax): 2nr(d+k)", "(BA)x: 2dkr + 2nkd", "ratio", "W0x: 2nkd", "B(Ax) / W0x"])  // hide
for n in [1, 16, 512, 4096] {
    let c = flops(n: n, r: rank)
    costs.add(String(n), grouped(c.thin), grouped(c.product), fmt(Double(c.product) / Double(c.thin), 1) + "×",
              grouped(c.base), percent(Double(c.thin) / Double(c.base), 3))
}
costs.print()  // hide
print("B(Ax) / W0x = r(d+k)/(dk) = \(percent(Double(rank * (dBig + kBig)) / Double(dBig * kBig), 3)) for any n: the adapter adds this fraction to the layer's FLOPs")

/*:
The ratio column is the point: for one input, $(BA)x$ does thousands of times the work of
$B(Ax)$, and even for a batch of 4096 it does more than the frozen layer itself. The adapter
computed as $B(Ax)$ adds the fraction $r(d+k)/(dk)$ to the layer's work, the same fraction as
its share of the parameters ([chapter 02](02-parameter-counts.md)).

The same comparison timed, in single precision with BLAS (the Basic Linear Algebra Subprograms,
the standard library interface for vector and matrix products; OpenBLAS on Linux, Accelerate on
Apple platforms) (times differ from run to run and
machine to machine, so the page shows a placeholder; run the chapter to see yours):
*/
cell("B(Ax) or (BA)x: timed")
let aBig = Matrix<Float>.uniform(rank, kBig, low: -0.01, high: 0.01, using: &generator)
let bBig = Matrix<Float>.uniform(dBig, rank, low: -0.01, high: 0.01, using: &generator)
let n16 = 16
let xBig = Matrix<Float>.normal(n16, kBig, using: &generator)
var sink: Float = 0  // hide
let thinTime = medianTime(repetitions: 5) {
    // (n, k)·Aᵀ (k, r) → (n, r); then (n, r)·Bᵀ (r, d) → (n, d)
    let y = xBig.matmul(aBig, transposeB: true).matmul(bBig, transposeB: true)
    sink += y.storage[0]  // hide
}
let productTime = medianTime(repetitions: 3) {
    let delta = bBig.matmul(aBig)                          // (d, r)·(r, k) → (d, k): a 4096 × 4096 buffer
    let y = xBig.matmul(delta, transposeB: true)           // (n, k)·(BA)ᵀ → (n, d)
    sink += y.storage[0]  // hide
}
let c16 = flops(n: n16, r: rank)
print("n = \(n16): B(Ax) \(grouped(c16.thin)) FLOPs in \(live(duration(thinTime)))")
print("n = \(n16): (BA)x \(grouped(c16.product)) FLOPs in \(live(duration(productTime)))")
print("measured time ratio \(live(fmt(productTime / thinTime, 0) + "×")), FLOP ratio \(fmt(Double(c16.product) / Double(c16.thin), 0))×")
precondition(sink.isFinite)  // hide

/*:
Compare the two ratios on your machine. They need not agree: the thin products are too small
to keep BLAS busy, while forming $BA$ is one large GEMM (BLAS's GEneral Matrix-Matrix multiply,
$C \leftarrow \alpha AB + \beta C$) that runs near the machine's peak, and
memory traffic for the $d \times k$ buffer comes on top. Either way $(BA)x$ loses by orders of
magnitude, which is why PEFT's `lora.Linear` computes `lora_B(lora_A(dropout(x))) * scaling`.
At inference the trade-off flips: $B$ and $A$ are fixed, so $BA$ can be formed once and merged
into $W_0$ ([chapter 09](09-merging.md)).

## Summary

- $h = W_0x + (\alpha/r)\,B(Ax)$ equals $(W_0 + sBA)x$ up to rounding, but $B(Ax)$ costs
  $2nr(d+k)$ FLOPs against $2dkr + 2nkd$ for $(BA)x$: at $d = k = 4096$, $r = 8$ the adapter
  adds $r(d+k)/(dk) \approx 0.39\%$ to the layer's work.

## Exercises

<!-- exercises -->
*/
