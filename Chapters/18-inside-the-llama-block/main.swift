// Chapter 18: inside the LLaMA block — rotary positions, SwiGLU, grouped-query attention, the
// counts of real LLaMA shapes, and the tiny LLaMA decoding with its key/value cache.
import Foundation
import LoRA
import Notebook
import TinyLlama

/*:
# 18 · Inside the LLaMA block: rotary positions, SwiGLU, grouped-query attention

**What this chapter shows.** Chapters 16 and 17 use a LLaMA (transformers' `LlamaForCausalLM`)
as a whole. This chapter opens one of its blocks and computes each piece by hand beside the
library: rotary position embeddings exactly as transformers' `LlamaRotaryEmbedding` computes
them, the SwiGLU MLP, grouped-query attention and what it saves, the parameter counts of real
LLaMA shapes, and the tiny LLaMA decoding with its key/value cache, then taking a LoRA adapter.
Nothing here trains; every number is computed on this run.

One block, as transformers writes it (pre-norm, no biases):

$$h' = h + W_o\,\operatorname{attn}\big(\operatorname{rope}(W_q a),\ \operatorname{rope}(W_k a),\ W_v a\big),\quad a = \operatorname{RMSNorm}(h)$$
$$\text{out} = h' + W_{\text{down}}\big(\operatorname{silu}(W_{\text{gate}}\,m) \odot W_{\text{up}}\,m\big),\quad m = \operatorname{RMSNorm}(h')$$

Run it with `swift run ch18-inside-the-llama-block`; `--position P` moves the small RoPE
example, `--prompt "text"` and `--tokens N` change the decoded text, `--rank R` the adapter
(`--help` lists the knobs).
*/
cell()
//- hide
var options = Options(
    program: "ch18-inside-the-llama-block",
    summary: "Inside the LLaMA block: RoPE, SwiGLU and grouped-query attention by hand beside the library; counts of real LLaMA shapes; the tiny LLaMA with its KV cache and a LoRA adapter.")
let position = options.int("position", default: 3, "position of the small RoPE example", in: 0...1_000_000)
let userPrompt = options.string("prompt", default: "The secret of life is", "the text the tiny LLaMA continues greedily")!
let newTokens = options.int("tokens", default: 24, "tokens to generate", in: 1...100)
let rank = options.int("rank", default: 8, "LoRA rank on q_proj and v_proj", in: 1...64)
options.finish()
// The committed model and tokenizer (chapter 16), loaded first so that a prompt too long for the
// context is refused before anything is printed.
let (model, tokenizer) = try TinyLlama.load()
let c = model.configuration
let promptIDs = [TinyLlama.endOfTextID] + tokenizer.encode(userPrompt, addingSpecialTokens: false)
if promptIDs.count + newTokens > c.contextLength {
    options.fail("--prompt is \(promptIDs.count) tokens with <|endoftext|>; with --tokens \(newTokens) that passes the model's context of \(c.contextLength)")
}
/// A vector at a fixed number of decimals.
func show(_ v: [Double], _ digits: Int = 4) -> String { "[" + v.map { fmt($0, digits) }.joined(separator: ", ") + "]" }
/// The dot product in Double, summed left to right.
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
//- show

/*:
## Rotary position embeddings, step by step

A LLaMA has no position table. Instead each query and key is *turned* by an angle proportional
to its position (Su et al. 2021, RoFormer). A head of width $d_h$ is read as $d_h/2$ planes,
each turned at its own frequency:

$$\omega_i = \theta^{-2i/d_h},\qquad i = 0, \dots, d_h/2 - 1 \qquad (\text{transformers' } \texttt{inv\_freq},\ \theta = \texttt{rope\_theta})$$

transformers pairs column $i$ with column $i + d_h/2$ (the two *halves* of the head, not
neighbouring columns). The angles $p\,\omega_i$ of position $p$ are written twice,
`cat(freqs, freqs)`, into $\cos$ and $\sin$ vectors of length $d_h$, and

$$\operatorname{rope}(x, p) = x \odot \cos + \operatorname{rotate\_half}(x) \odot \sin,\qquad
\operatorname{rotate\_half}([x_1 \,|\, x_2]) = [-x_2 \,|\, x_1].$$

On a head of width 8 with $\theta = 10000$, at the position `--position` chooses:
*/
cell("RoPE on a small vector")
let (width, theta) = (8, 10_000.0)
let x: [Double] = [1.0, 0.5, -0.25, 2.0, 0.0, -1.0, 0.75, 0.1]
// ωᵢ = θ^(−2i/d) = exp(−(2i/d)·ln θ), with the package's exp and log (the same bits everywhere).
let inverseFrequencies = (0..<width / 2).map { i in Double.exp(-Double(2 * i) / Double(width) * Double.log(theta)) }
let angles = inverseFrequencies.map { Double(position) * $0 }
let cosines = (angles + angles).map { Double.cos($0) }
let sines = (angles + angles).map { Double.sin($0) }
let rotatedHalf = x[(width / 2)...].map { -$0 } + x[..<(width / 2)]
let byHand = (0..<width).map { x[$0] * cosines[$0] + rotatedHalf[$0] * sines[$0] }
print("position p = \(position), d_h = \(width), θ = \(grouped(Int(theta)))")
print("inv_freq ωᵢ          " + show(inverseFrequencies))
print("angles p·ωᵢ          " + show(angles))
print("cos (duplicated)     " + show(cosines))
print("sin (duplicated)     " + show(sines))
print("x                    " + show(x))
print("rotate_half(x)       " + show(rotatedHalf))
print("x·cos + rot(x)·sin   " + show(byHand))
let rope8 = RotaryEmbedding<Double>(headDimension: width, theta: theta)
let library = rope8.rotate(Matrix(rows: 1, columns: width, storage: x), positions: [position]).row(0)
print("library RotaryEmbedding: " + show(library) + "   max |difference| \(sci(zip(byHand, library).map { abs($0 - $1) }.max()!, 1))")
print("length |x| = \(fmt(dot(x, x).squareRoot(), 6)), |rope(x)| = \(fmt(dot(byHand, byHand).squareRoot(), 6)): a rotation keeps the length")

/*:
The first plane turns by one radian per position ($\omega_0 = 1$), the last by
$\theta^{-(d_h-2)/d_h}$ radians: fast planes resolve nearby positions, slow ones stay nearly
still for thousands of positions. The figure follows one plane of each kind of the tiny
LLaMA's heads (their width is in the figure's title) through positions 0 to 8: the pair $(x_i, x_{i+d_h/2})$ starts on
the horizontal axis and turns by $\omega_i$ per step (the circles are drawn for reference).
*/
cell("Figure: one pair, two frequencies")
let headWidth = c.headDimension
guard case .rotary(let tinyTheta) = c.positionEncoding else { fatalError("the tiny LLaMA uses RoPE") }
let tinyRope = RotaryEmbedding<Double>(headDimension: headWidth, theta: tinyTheta)
let planes = [(index: 0, radius: 1.0), (index: 4, radius: 0.6)]
var start = [Double](repeating: 0, count: headWidth)
for plane in planes { start[plane.index] = plane.radius }
let positions = Array(0...8)
let turned = tinyRope.rotate(Matrix(rows: positions.count, columns: headWidth, storage: positions.flatMap { _ in start }), positions: positions)
//- hide
let partner = "x[i + \(headWidth / 2)]"
var turning = LinePlot(title: "RoPE: the pair (x[i], \(partner)) of a \(headWidth)-wide head at positions 0 … \(positions.last!)",
                       xLabel: "x[i]", yLabel: partner)
//- show
for (k, plane) in planes.enumerated() {
    let omega = tinyRope.inverseFrequencies[plane.index]
    let circle = (0...72).map { Double($0) * 2 * Double.pi / 72 }
    turning.add("i = \(plane.index): ω = \(fmt(omega, 3)) rad per position", x: positions.map { turned[$0, plane.index] },
                y: positions.map { turned[$0, plane.index + headWidth / 2] }, colorIndex: k)
    turning.add("radius \(fmt(plane.radius, 1))", x: circle.map { plane.radius * Double.cos($0) }, y: circle.map { plane.radius * Double.sin($0) },
                showsPoints: false, dashed: true, colorIndex: k)
    let angle = Double(positions.last!) * omega
    print("plane i = \(plane.index): ω = \(fmt(omega, 4)); after \(positions.last!) positions it has turned \(fmt(angle, 3)) rad = \(fmt(angle * 180 / Double.pi, 1))°")
}
let slowest = tinyRope.inverseFrequencies.last!
print("the slowest plane, i = \(headWidth / 2 - 1): ω = \(sci(slowest, 2)) rad per position, one turn every \(grouped(Int(2 * Double.pi / slowest))) positions")
turning.save(as: "ch18-rope-rotation")  // hide

/*:
## Why a rotation: attention sees only the distance

A score is a dot product of a query and a key. Turning both by angles proportional to their
positions $m$ and $n$ leaves a dot product that depends on $m - n$ only, since rotations
compose: $R(m\omega)^\top R(n\omega) = R((n - m)\omega)$. Here a random query and key of the
tiny LLaMA's head width, placed at many absolute positions with the same offset, give the same
score up to rounding:
*/
cell("The score depends only on the offset")
var generator = SeededGenerator(seed: 18)
let q = Matrix<Double>.normal(1, headWidth, using: &generator).row(0)
let k = Matrix<Double>.normal(1, headWidth, using: &generator).row(0)
/// rope(v, p) of one head vector through the library.
func rope(_ v: [Double], _ p: Int) -> [Double] { tinyRope.rotate(Matrix(rows: 1, columns: headWidth, storage: v), positions: [p]).row(0) }
let shifts = [0, 1, 10, 50, 100]
var offsetTable = Table(columns: ["offset m − n", "score at n = 0", Table.Column("largest |difference| over n ∈ {" + shifts.map(String.init).joined(separator: ", ") + "}")])  // hide
var largest = 0.0
for offset in [0, 1, 2, 5, 20] {
    let scores = shifts.map { n in dot(rope(q, n + offset), rope(k, n)) }
    let spread = scores.map { abs($0 - scores[0]) }.max()!
    largest = max(largest, spread)
    offsetTable.add(String(offset), fmt(scores[0], 6), sci(spread, 1))
}
offsetTable.print()  // hide
print("largest difference over all offsets: \(sci(largest, 1)) (Double rounding); the scores themselves change with the offset")

/*:
The RoFormer paper and Meta's original LLaMA code turn *neighbouring* columns
$(x_{2i}, x_{2i+1})$ together. transformers turns the halves instead, and its conversion
script (`convert_llama_weights_to_hf.py`) permutes the rows of each head of `q_proj` and
`k_proj` so that the two agree: the even entries of a head go to its first half, the odd ones to
its second. A query of the tiny LLaMA's head width turned both ways:
*/
cell("Halves or neighbours: one permutation apart")
/// The paper's rotation: columns 2i and 2i+1 form plane i.
func ropeInterleaved(_ v: [Double], _ p: Int) -> [Double] {
    var out = v
    for i in 0..<(headWidth / 2) {
        let angle = Double(p) * tinyRope.inverseFrequencies[i]
        let (c, s) = (Double.cos(angle), Double.sin(angle))
        out[2 * i] = v[2 * i] * c - v[2 * i + 1] * s
        out[2 * i + 1] = v[2 * i + 1] * c + v[2 * i] * s
    }
    return out
}
let permutation = stride(from: 0, to: headWidth, by: 2).map { $0 } + stride(from: 1, to: headWidth, by: 2).map { $0 }
let permutedThenHalves = rope(permutation.map { q[$0] }, 7)
var unpermuted = [Double](repeating: 0, count: headWidth)
for (slot, column) in permutation.enumerated() { unpermuted[column] = permutedThenHalves[slot] }
let interleaved = ropeInterleaved(q, 7)
print("at p = 7: max |neighbours(q) − unpermute(halves(permute(q)))| = \(sci(zip(interleaved, unpermuted).map { abs($0 - $1) }.max()!, 1))")

/*:
## SwiGLU: the MLP with a gate

LLaMA's MLP (Shazeer 2020, "GLU Variants Improve Transformer") has three projections instead
of two: a gate, passed through SiLU, multiplies the up projection element by element:

$$\operatorname{mlp}(x) = W_{\text{down}}\big(\operatorname{silu}(W_{\text{gate}}\,x) \odot W_{\text{up}}\,x\big),\qquad
\operatorname{silu}(g) = \frac{g}{1 + e^{-g}}.$$

By hand in Double on the tiny LLaMA's first block (the committed checkpoint of chapter 16,
loaded with `TinyLlama.load()`), for one row (the last prompt token's
embedding through the block's `post_attention_layernorm`, a stand-in for the MLP's real input),
against the library's layers in Float:
*/
cell("SwiGLU by hand")
let block = model.layers[0]
let normed = block.postAttentionLayernorm.forward(model.embedTokens.forward(promptIDs))
let row = normed.row(normed.rows - 1).map(Double.init)
/// A weight (out, in) of the model by the end of its name, in Double.
func weight(_ suffix: String) -> Matrix<Double> {
    model.namedParameters.first { $0.name.hasSuffix(suffix) }!.value.converted(to: Double.self)
}
/// W·v for a weight (out, in), summed left to right.
func apply(_ w: Matrix<Double>, _ v: [Double]) -> [Double] { (0..<w.rows).map { dot(w.row($0), v) } }
let gate = apply(weight("layers.0.mlp.gate_proj.weight"), row)
let up = apply(weight("layers.0.mlp.up_proj.weight"), row)
let silu = gate.map { $0 / (1 + Double.exp(-$0)) }
let hidden = zip(silu, up).map { $0 * $1 }
let mlpByHand = apply(weight("layers.0.mlp.down_proj.weight"), hidden)
let lastRow = Matrix(rows: 1, columns: c.modelDimension, storage: normed.row(normed.rows - 1))
let mlpLibrary = block.downProj.forward(SwiGLU.forward(gate: block.gateProj!.forward(lastRow), up: block.upProj.forward(lastRow))).row(0)
print("x (\(c.modelDimension) values), first four   " + show(Array(row.prefix(4))))
print("g = gate_proj(x) (\(c.mlpDimension))         " + show(Array(gate.prefix(4))))
print("silu(g)                         " + show(Array(silu.prefix(4))))
print("u = up_proj(x) (\(c.mlpDimension))           " + show(Array(up.prefix(4))))
print("silu(g) ⊙ u                     " + show(Array(hidden.prefix(4))))
print("down_proj(…) (\(c.modelDimension))            " + show(Array(mlpByHand.prefix(4))))
print("library (Float)                 " + show(Array(mlpLibrary.prefix(4)).map(Double.init)))
let mlpDifference = zip(mlpByHand, mlpLibrary).map { abs($0 - Double($1)) }.max()!
print("max |by hand − library| over all \(c.modelDimension) outputs: \(sci(mlpDifference, 1)) (Float rounding); largest |output| \(fmt(mlpByHand.map(abs).max()!, 3))")
let lowest = silu.indices.min { silu[$0] < silu[$1] }!
print("silu keeps small negatives: \(silu.filter { $0 < 0 }.count) of \(c.mlpDimension) gate values are below 0 after silu, the lowest \(fmt(silu[lowest], 4)) at g = \(fmt(gate[lowest], 4)) (ReLU would zero them)")

/*:
Three matrices of width $m$ instead of two of width $4d$: LLaMA takes $m \approx \tfrac23 \cdot 4d$
so that the MLP costs about what a GELU MLP of width $4d$ costs, rounded up to a multiple of
256 (Touvron et al. 2023; Meta's code calls it `multiple_of`). For LLaMA-7B's $d$, the width
that rule gives and the width in chapter 08's memory model:
*/
cell("SwiGLU's width")
let d7 = ModelSpec.llama7B.hiddenSize
let rule = 256 * Int((Double(2 * 4 * d7) / 3 / 256).rounded(.up))
print("d = \(grouped(d7)): ⅔·4d = \(fmt(Double(8 * d7) / 3, 2)), rounded up to a multiple of 256 = \(grouped(rule)); ModelSpec.llama7B: \(grouped(ModelSpec.llama7B.intermediateSize))")
print("MLP parameters per block: SwiGLU 3·d·m = \(grouped(3 * d7 * rule)), GELU 2·d·4d = \(grouped(2 * d7 * 4 * d7)) (ratio \(fmt(Double(3 * rule) / Double(8 * d7), 3)))")

/*:
## Grouped-query attention

A LLaMA may have fewer key/value heads than query heads (Ainslie et al. 2023, "GQA"): with $H$
query heads and $KV$ key/value heads, query head $h$ uses key/value head $\lfloor h / (H/KV) \rfloor$.
transformers implements it by repeating each key/value head $H/KV$ times (`repeat_kv`) and
running ordinary attention; the library indexes the shared head instead. The tiny LLaMA's
grouping, and the two computations on random queries, keys and values of its shape:
*/
cell("Which query heads share a key/value head")
let group = c.headCount / c.keyValueHeadCount
for j in 0..<c.keyValueHeadCount {
    print("key/value head \(j) ← query heads " + (0..<c.headCount).filter { $0 / group == j }.map(String.init).joined(separator: ", "))
}
let tokens = 5
let qs = Matrix<Float>.normal(tokens, c.headCount * headWidth, using: &generator)
let ks = Matrix<Float>.normal(tokens, c.keyValueDimension, using: &generator)
let vs = Matrix<Float>.normal(tokens, c.keyValueDimension, using: &generator)
/// transformers' repeat_kv: each key/value head's columns copied for the H/KV query heads it serves.
func repeatHeads(_ m: Matrix<Float>) -> Matrix<Float> {
    Matrix(rows: m.rows, columns: c.headCount * headWidth) { r, column in m[r, (column / headWidth / group) * headWidth + column % headWidth] }
}
let sharedHeads = ScaledDotProductAttention.forward(query: qs, key: ks, value: vs, heads: c.headCount, keyValueHeads: c.keyValueHeadCount, sequenceLength: tokens).output
let repeated = ScaledDotProductAttention.forward(query: qs, key: repeatHeads(ks), value: repeatHeads(vs), heads: c.headCount, sequenceLength: tokens).output
print("attention with \(c.keyValueHeadCount) shared heads vs \(c.headCount) repeated heads (repeat_kv): max |difference| \(sci(sharedHeads.maxAbsDifference(repeated), 1))")

/*:
What sharing saves: `k_proj` and `v_proj` shrink from $(d, d)$ to $(KV \cdot d_h, d)$, and so
does the key/value cache, which holds one key row and one value row per layer and token:

$$\text{cache bytes per token} = 2 \cdot L \cdot KV \cdot d_h \cdot \text{bytes per number}.$$

The large shapes are the models' published configurations (`config.json` on the Hugging Face
Hub; Touvron et al. 2023, "Llama 2", Table 1: GQA in the 34B and 70B models only; Grattafiori
et al. 2024, "The Llama 3 Herd of Models", Table 3). Their caches are counted in 16-bit, the
tiny LLaMA's in Float, as this package decodes:
*/
cell("What grouped-query attention saves")
/// A published LLaMA shape, with the bytes of one cached number.
struct Shape {
    let name: String, configuration: TransformerConfiguration, cacheBytes: Int
}
let shapes = [
    Shape(name: "tiny LLaMA (chapter 16)", configuration: c, cacheBytes: 4),
    Shape(name: "LLaMA-2-7B", configuration: .llama(vocabularySize: 32000, contextLength: 4096, modelDimension: 4096, headCount: 32,
                                                     keyValueHeadCount: 32, layerCount: 32, mlpDimension: 11008), cacheBytes: 2),
    Shape(name: "LLaMA-2-70B", configuration: .llama(vocabularySize: 32000, contextLength: 4096, modelDimension: 8192, headCount: 64,
                                                      keyValueHeadCount: 8, layerCount: 80, mlpDimension: 28672), cacheBytes: 2),
    Shape(name: "LLaMA-3-8B", configuration: .llama(vocabularySize: 128_256, contextLength: 8192, modelDimension: 4096, headCount: 32,
                                                     keyValueHeadCount: 8, layerCount: 32, mlpDimension: 14336, ropeTheta: 500_000), cacheBytes: 2),
]
var gqaTable = Table(columns: ["model", "L", "H", "KV", "d_h", "k_proj + v_proj per block", "(without GQA)", "cache per token", "(without GQA)", "cache at full context"])  // hide
for s in shapes {
    let t = s.configuration
    let kv = 2 * t.modelDimension * t.keyValueDimension, full = 2 * t.modelDimension * t.headCount * t.headDimension
    let perToken = t.keyValueCacheElementsPerToken * s.cacheBytes
    gqaTable.add(s.name, "\(t.layerCount)", "\(t.headCount)", "\(t.keyValueHeadCount)", "\(t.headDimension)", grouped(kv), grouped(full),
                 bytes(perToken), bytes(2 * t.layerCount * t.headCount * t.headDimension * s.cacheBytes),
                 bytes(perToken * t.contextLength) + " (\(grouped(t.contextLength)) tokens)")
}
gqaTable.print()  // hide
for s in shapes where s.configuration.keyValueHeadCount < s.configuration.headCount {
    let t = s.configuration
    print("\(s.name): \(t.headCount / t.keyValueHeadCount) query heads per key/value head, so k_proj, v_proj and the cache are \(t.headCount / t.keyValueHeadCount)× smaller")
}

/*:
## Parameter counts of real LLaMA shapes

`TransformerConfiguration.parameterCount` counts a configuration from its shapes without
building it. For the LLaMA-7B and -65B shapes of chapter 08's memory model (`ModelSpec`, which
assumes full-width `k_proj` and `v_proj`), the two must agree; for the GQA models, the
memory-model formula would count `k_proj` and `v_proj` at full width. The tiny LLaMA's count is
also held against the model loaded from its files:
*/
cell("Parameter counts")
var countTable = Table(columns: ["model", "configuration.parameterCount", "ModelSpec formula (k, v full width)", "agree"])  // hide
for spec in [ModelSpec.llama7B, .llama65B] {
    let t = TransformerConfiguration.llama(vocabularySize: spec.vocabularySize, contextLength: 2048, modelDimension: spec.hiddenSize,
                                           headCount: spec.hiddenSize / 128, layerCount: spec.layers, mlpDimension: spec.intermediateSize)
    countTable.add(spec.name + " (chapter 08)", grouped(t.parameterCount), grouped(spec.parameterCount), t.parameterCount == spec.parameterCount ? "yes" : "NO")
}
for s in shapes.dropFirst() {
    let t = s.configuration
    let spec = ModelSpec(name: s.name, layers: t.layerCount, hiddenSize: t.modelDimension, intermediateSize: t.mlpDimension, vocabularySize: t.vocabularySize)
    countTable.add(s.name, grouped(t.parameterCount), grouped(spec.parameterCount), t.parameterCount == spec.parameterCount ? "yes" : "no (GQA)")
}
countTable.print()  // hide
let loadedCount = model.parameterCount.total
print("tiny LLaMA: configuration.parameterCount \(grouped(c.parameterCount)), the loaded model's parameters \(grouped(loadedCount)): \(c.parameterCount == loadedCount ? "equal" : "DIFFERENT")")
print("tiny LLaMA per block: \(grouped(c.blockParameterCount)) = attention \(grouped(2 * c.modelDimension * c.modelDimension + 2 * c.modelDimension * c.keyValueDimension)) + MLP \(grouped(3 * c.modelDimension * c.mlpDimension)) + norms \(grouped(2 * c.modelDimension))")

/*:
## The tiny LLaMA decodes with its cache

Generating token by token, a model without a cache runs the whole sequence again for every new
token. With a key/value cache each layer keeps the rotated keys and the values of every
position seen; a new token computes its own projections and attends over the cache (the
attention itself still reads every cached row). The logits must be the same either way.
Greedy decoding of `--prompt`, then the logits of every position computed incrementally (the
prompt in one pass, then one token at a time) against one uncached pass over the whole
sequence:
*/
cell("Decoding with the KV cache")
var noDraws = SeededGenerator(seed: 0)
let cached = try model.generate(prompt: promptIDs, maxNewTokens: newTokens, sampling: .greedy, eos: [TinyLlama.endOfTextID], useCache: true, generator: &noDraws)
let uncached = try model.generate(prompt: promptIDs, maxNewTokens: newTokens, sampling: .greedy, eos: [TinyLlama.endOfTextID], useCache: false, generator: &noDraws)
print("prompt: \(userPrompt)")
print("greedy, \(cached.tokens.count) tokens: …" + tokenizer.decode(cached.tokens, skippingSpecialTokens: true).replacingOccurrences(of: "\n", with: " / "))
print("the same tokens without the cache: \(cached.tokens == uncached.tokens ? "yes" : "NO")")
let sequence = promptIDs + cached.tokens
var cache = model.makeKVCache()
var incremental = try model.logits(appending: promptIDs, to: &cache).storage
for token in cached.tokens { incremental += try model.logits(appending: [token], to: &cache).storage }
let full = model.logits(tokens: sequence, sequenceLength: sequence.count)
let cacheDifference = Matrix(rows: sequence.count, columns: c.vocabularySize, storage: incremental).maxAbsDifference(full)
print("logits of all \(sequence.count) positions, cached vs uncached: max |difference| \(sci(cacheDifference, 1))")
// Token rows pushed through the projections: without the cache the whole sequence at every step.
let steps = cached.tokens.count
let uncachedRows = (0..<steps).reduce(0) { $0 + promptIDs.count + $1 }, cachedRows = promptIDs.count + steps - 1
print("token rows through the projections for \(steps) tokens: \(grouped(uncachedRows)) without the cache, \(grouped(cachedRows)) with it (\(fmt(Double(uncachedRows) / Double(cachedRows), 1))× fewer)")
let perToken = c.keyValueCacheElementsPerToken * MemoryLayout<Float>.size
print("cache after \(cache.count) tokens: \(grouped(cache.elementCount)) numbers = \(bytes(cache.elementCount * MemoryLayout<Float>.size)); from the configuration, \(cache.count) × \(bytes(perToken)) = \(bytes(cache.count * perToken))")

/*:
## An adapter on the block

LoRA attaches to the block's linear layers by their transformers names, exactly as in chapter
17. On `q_proj` and `v_proj` at rank `--rank` the trainable count follows from the shapes:
`q_proj` is $(H d_h, d)$ and `v_proj` $(KV d_h, d)$, so each layer trains $r(d + H d_h) + r(d + KV d_h)$
parameters. With $B = 0$ at initialisation the adapted model computes the same logits:
*/
cell("An adapter on q_proj and v_proj")
var adapted = model
let targets = try adapted.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: rank, alpha: Double(2 * rank)), seed: 1)
let counted = adapted.parameterCount
let formula = c.layerCount * (ParameterCount.loraParameters(rank: rank, out: c.headCount * c.headDimension, in: c.modelDimension)
                              + ParameterCount.loraParameters(rank: rank, out: c.keyValueDimension, in: c.modelDimension))
print("adapted modules: \(targets.count) (\(targets.prefix(2).joined(separator: ", ")), …)")
print("trainable \(grouped(counted.trainable)) of \(grouped(counted.total)) (\(percent(counted.trainableFraction, 2))); from the shapes \(c.layerCount) · [r(d + H·d_h) + r(d + KV·d_h)] = \(grouped(formula))")
let adaptedLogits = adapted.logits(tokens: sequence, sequenceLength: sequence.count)
print("logits with the fresh adapter (B = 0) vs without: max |difference| \(sci(adaptedLogits.maxAbsDifference(full), 1))")

/*:
## Compared with transformers

- `LlamaRotaryEmbedding` computes `inv_freq` once in float32 and `cos`, `sin` per forward pass
  from `inv_freq @ position_ids`; the library does the same arithmetic in the model's element
  type, with its own `cos` and `sin` so every machine gets the same bits. Other `rope_type`s
  (`llama3`, `linear`, `dynamic`, `yarn`) change `inv_freq`; the library refuses them by name.
- transformers repeats key/value heads (`repeat_kv`) before the attention product; the library
  indexes the shared head. The outputs agree (the repeat check above).
- transformers' `DynamicCache` keeps the same rotated keys and values per layer as `KVCache`.

## Summary

- RoPE turns each pair of columns $(x_i, x_{i+d_h/2})$ of a query or key by $p\,\theta^{-2i/d_h}$;
  a score then depends only on the distance between the two positions (the largest difference
  over shifts is printed above), and the paper's neighbouring pairs are a permutation of
  transformers' halves.
- SwiGLU is $W_{\text{down}}(\operatorname{silu}(W_{\text{gate}}x) \odot W_{\text{up}}x)$ with a
  width near $\tfrac23 \cdot 4d$, so that it costs about what a GELU MLP of width $4d$ costs.
- Grouped-query attention shares each key/value head among $H/KV$ query heads; it shrinks
  `k_proj`, `v_proj` and the KV cache by that factor; the cache grows with every token of
  every sequence being decoded (the table above).
- Counting from the configuration reproduces chapter 08's LLaMA-7B and -65B and the loaded tiny
  LLaMA; cached decoding gives the uncached logits; LoRA on q, v trains what its shapes predict.

## Exercises

Exercise 33 turns a query by hand, exercise 35 takes one decoding step over a cache. Exercise 34
goes back to the one piece of chapter 16 this chapter did not open, the tokenizer: one step of
the BPE training that `BPETrainer` repeats for every merge.

<!-- exercises -->
*/
