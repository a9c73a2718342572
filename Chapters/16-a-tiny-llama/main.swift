// Chapter 16: a tiny LLaMA pre-trained on real text — the corpus, the tokenizer, the model, what pre-training bought, samples.
import Corpus
import Foundation
import LoRA
import Notebook
import TinyLlama

/*:
# 16 · A tiny LLaMA, pre-trained on text people wrote

**What this chapter shows.** Every model so far was a miniature trained on synthetic letter
tasks. From here on the base model is a real language model: a small LLaMA (transformers'
`LlamaForCausalLM`: rotary positions, SwiGLU, grouped-query attention, RMSNorm, no biases),
pre-trained on the quotations of Debian's `fortunes`. This chapter
shows the text, the tokenizer, the model and its files, what pre-training bought (bits per byte
against n-gram baselines on held-out text), and what the model writes. The next chapter adapts
it, with LoRA and QLoRA, into two new voices; [chapter 18](18-inside-the-llama-block.md) opens
one of its blocks and computes each piece by hand (rotary positions, SwiGLU, grouped-query
attention, the key/value cache).

**The regime.** The models QLoRA was made for are LLaMA-7B to 65B, pre-trained on 1.0 to 1.4
trillion tokens (Touvron et al. 2023; Dettmers et al. 2023 fine-tune them); the line printed
under the model's shape below says how far below them this one sits. At this size a model
learns spelling, common words and the shape of a quotation, not facts or reasoning. What it
does share with a real base model is what LoRA needs: a pre-trained function that a small,
low-rank change can steer.

Run it with `swift run ch16-a-tiny-llama`; `--prompt "text"` continues your own text (`--help`
lists the knobs). The weights are committed: nothing here trains. `make pretrain` remakes them
(a release build, under an hour on two cores), bit for bit.
*/
cell()
//- hide
var options = Options(
    program: "ch16-a-tiny-llama",
    summary: "The tiny LLaMA pre-trained on the fortunes corpus: tokenizer, files, bits per byte against n-gram baselines, samples.")
let userPrompt = options.string("prompt", default: nil, "also continue this text (greedy and sampled)")
let newTokens = options.int("tokens", default: 48, "tokens to generate per sample", in: 1...127)
options.finish()
//- show

/*:
## The text

The corpus is a committed snapshot (`Sources/Corpus`, with its provenance, licences and
SHA-256 sums): the *source* collection, every prose category of `fortunes` except the one held
out, is what the model is pre-trained on; `startrek` (quotations from the original series) and
the King James Version's Book of Proverbs are the two target voices of the next chapter, which
the model never sees here. Each collection is split by document (a quotation, a verse):
document $i$ goes to validation when $i \bmod 10 = 8$, to test when it is 9, else to train.
*/
cell("The text")
var corpusTable = Table(columns: ["collection", "role", "train docs", "train bytes", "validation docs", "test docs", "test bytes"])  // hide
let roles: [CorpusCollection: String] = [.source: "pre-training", .startrek: "target voice", .proverbs: "target voice"]
for collection in CorpusCollection.allCases {
    let train = try Corpus.documents(collection, .train), validation = try Corpus.documents(collection, .validation)
    let test = try Corpus.documents(collection, .test)
    corpusTable.add(collection.rawValue, roles[collection]!, grouped(train.count), grouped(train.reduce(0) { $0 + $1.utf8.count }),
                    grouped(validation.count), grouped(test.count), grouped(test.reduce(0) { $0 + $1.utf8.count }))
}
corpusTable.print()  // hide
print("")
for collection in CorpusCollection.allCases {
    // The first short training document of each collection, as an example of its voice.
    let example = try Corpus.documents(collection, .train).first { $0.utf8.count < 110 && $0.utf8.count > 40 }!
    print("\(collection.rawValue): " + example.replacingOccurrences(of: "\n", with: " / "))
}

/*:
## The tokenizer

A byte-level BPE (the GPT-2 scheme: text is cut into words by GPT-2's pattern, each word is its
UTF-8 bytes, and the most frequent adjacent pair is merged, again and again), trained by the
package's `BPETrainer` on the source training split: one special token (`<|endoftext|>`, id 0,
which separates documents), the 256 bytes, and the merges. It is written as a
`tokenizer.json` in Hugging Face `tokenizers`' format. Fewer tokens per byte means
more text per context window: here is how many bytes one token stands for in each collection,
and one sentence cut into its tokens.
*/
cell("The tokenizer")
let (model, tokenizer) = try TinyLlama.load()
print("vocabulary: \(tokenizer.vocabularySize) tokens = 1 special + 256 bytes + \(tokenizer.mergePairs.count) merges")
var tokenTable = Table(columns: ["collection (validation)", "bytes", "tokens", "bytes per token"])  // hide
for collection in CorpusCollection.allCases {
    let documents = try Corpus.documents(collection, .validation)
    let bytes = documents.reduce(0) { $0 + $1.utf8.count }
    let tokens = documents.reduce(0) { $0 + tokenizer.encode($1, addingSpecialTokens: false).count }
    tokenTable.add(collection.rawValue, grouped(bytes), grouped(tokens), fmt(Double(bytes) / Double(tokens), 2))
}
tokenTable.print()  // hide
let sentence = "Whoso loveth instruction loveth knowledge."
let pieces = tokenizer.encode(sentence, addingSpecialTokens: false).map { tokenizer.decode([$0]) }
print("\"\(sentence)\" → \(pieces.count) tokens: " + pieces.map { "[\($0)]" }.joined())

/*:
## The model and its files

The shape is transformers' `LlamaConfig`, read from the committed `config.json`; the weights
are `model.safetensors` under `save_pretrained`'s names, so the folder
`Sources/TinyLlama/Checkpoint` opens in Python as it is:

```python
from transformers import AutoModelForCausalLM, AutoTokenizer   # transformers ≥ 4.40
from tokenizers import Tokenizer
model = AutoModelForCausalLM.from_pretrained("Sources/TinyLlama/Checkpoint")
tok = Tokenizer.from_file("Sources/TinyLlama/Checkpoint/tokenizer.json")
```
*/
cell("The model and its files")
let c = model.configuration
var shapeTable = Table(columns: ["LlamaConfig field", "value", "meaning"])  // hide
shapeTable.add("hidden_size", "\(c.modelDimension)", "d, the width of the residual stream")
shapeTable.add("num_hidden_layers", "\(c.layerCount)", "decoder blocks")
shapeTable.add("num_attention_heads", "\(c.headCount)", "query heads, each \(c.headDimension) wide")
shapeTable.add("num_key_value_heads", "\(c.keyValueHeadCount)", "key/value heads: each serves \(c.headCount / c.keyValueHeadCount) query heads (GQA)")
shapeTable.add("intermediate_size", "\(c.mlpDimension)", "SwiGLU width: down(silu(gate(x)) ⊙ up(x))")
shapeTable.add("max_position_embeddings", "\(c.contextLength)", "context, in tokens (RoPE, no learned positions)")
shapeTable.add("vocab_size", "\(c.vocabularySize)", "the tokenizer's tokens")
shapeTable.add("tie_word_embeddings", "\(c.tieWordEmbeddings)", "lm_head reuses embed_tokens")
shapeTable.add("rms_norm_eps", sci(c.normEpsilon, 0), "RMSNorm's ε")
shapeTable.print()  // hide
var groups: [(String, Int)] = [("embed_tokens (= lm_head)", 0), ("attention q, k, v, o", 0), ("MLP gate, up, down", 0), ("RMSNorm weights", 0)]
for p in model.namedParameters {
    let index = p.name.contains("embed") ? 0 : p.name.contains("self_attn") ? 1 : p.name.contains("mlp") ? 2 : 3
    groups[index].1 += p.value.count
}
let total = groups.reduce(0) { $0 + $1.1 }
var countTable = Table(columns: ["parameters", "count", "share"])  // hide
for (name, count) in groups { countTable.add(name, grouped(count), percent(Double(count) / Double(total), 1)) }
countTable.add("total", grouped(total), "100%")
countTable.print()  // hide
let tokensSeen = PretrainingPlan.standard.steps * PretrainingPlan.standard.batchSize * c.contextLength
print("LLaMA-7B has \(grouped(Int(7e9 / Double(total)))) times as many parameters and was pre-trained on \(grouped(Int(1e12 / Double(tokensSeen)))) times as many tokens as this model saw (\(grouped(tokensSeen)))")

/*:
## How it was trained

`make pretrain` trains the tokenizer, turns the source training split into one token stream
(`<|endoftext|>` before every document), and runs AdamW on context-length windows drawn from it
at random positions (seeded), in Float, with the package's deterministic kernels: every machine
computes the same weights. The settings and the log are committed beside the weights; the loss
curve below is read from that log (the training batch's loss every 10 steps, and a monitor:
the first windows of the source validation split, scored at the interval printed below).
*/
cell("How it was trained")
let plan = PretrainingPlan.standard
print("AdamW β₁ 0.9, β₂ \(fmt(plan.beta2, 2)), weight decay \(fmt(plan.weightDecay, 2)); peak rate \(sci(plan.peakLearningRate, 0)) after \(plan.warmupSteps) warm-up steps, cosine to \(fmt(plan.minimumFactor, 1))× peak")
print("\(grouped(plan.steps)) steps × \(plan.batchSize) windows × \(c.contextLength) tokens = \(grouped(plan.steps * plan.batchSize * c.contextLength)) tokens seen; clip \(fmt(plan.maxGradientNorm, 1))")
print("monitor: the first \(plan.monitorWindows) windows of source validation, every \(plan.evaluationInterval) steps")
let log = try TinyLlama.committedLog()
var trainX: [Double] = [], trainY: [Double] = [], monitorX: [Double] = [], monitorY: [Double] = []
for line in log where !line.hasPrefix("#") {
    let f = line.split(separator: "\t").map(String.init)
    if f[0] == "eval" { monitorX.append(Double(f[1])!); monitorY.append(Double(f[2])!) }
    else if let step = Int(f[0]) { trainX.append(Double(step)); trainY.append(Double(f[1])!) }
}
let trainedTokens = try TinyLlama.tokenStream(Corpus.documents(.source, .train), tokenizer: tokenizer).count
print("epochs over the training stream: \(fmt(Double(plan.steps * plan.batchSize * c.contextLength) / Double(trainedTokens), 1))")
var curve = LinePlot(title: "Pre-training the tiny LLaMA: loss (nats per token)", xLabel: "step", yLabel: "cross-entropy")
curve.add("training batch (every 10 steps)", x: trainX, y: trainY, showsPoints: false)
curve.add("source validation monitor", x: monitorX, y: monitorY)
curve.save(as: "ch16-pretraining-loss")  // hide
print("monitor loss at steps " + [0, plan.evaluationInterval, plan.steps / 2, plan.steps].compactMap { s in monitorX.firstIndex(of: Double(s)).map { "\(s): \(fmt(monitorY[$0], 3))" } }.joined(separator: ", "))

/*:
## What pre-training bought

A language model is judged by how few bits it needs to encode held-out text. Bits per byte
(Σ −log₂ p over every token, end-of-text included, divided by the bytes of text) compares
models whatever their tokenizer. The baselines are byte-level n-gram models with Witten–Bell
smoothing (the package's `ByteNGram`), counted on the same source training split: order 1 knows
only byte frequencies, order $n$ the previous $n-1$ bytes. The n-gram order is chosen on the
validation split; the comparison is reported on the test split, which chose nothing. Each
document is scored from its start, as the n-grams score it. The uncertainty is over documents
(one pre-training run; a second run from another seed would vary too, and is not measured here);
the margin for "close" is fixed at 0.05 bits per byte.
*/
cell("What pre-training bought")
let sourceTrain = try Corpus.documents(.source, .train)
let sourceValidation = try Corpus.documents(.source, .validation), sourceTest = try Corpus.documents(.source, .test)
let orders = [1, 2, 3, 4, 5, 6]
let grams = try orders.map { try ByteNGram(order: $0, documents: sourceTrain) }
let validationBits = grams.map { $0.bitsPerByte(sourceValidation) }
let bestIndex = validationBits.indices.min { validationBits[$0] < validationBits[$1] }!
/// Each test document's bits under the model, and its bytes.
func modelScores(_ documents: [String]) -> [TextScore] {
    documents.map { TinyLlama.documentScore(model, document: $0, tokenizer: tokenizer) }
}
let modelTest = modelScores(sourceTest)
let testBytes = sourceTest.map(\.utf8.count)
let modelBitsPerByte = modelTest.reduce(0) { $0 + $1.nats } / Double.log(2) / Double(testBytes.reduce(0, +))
var baselineTable = Table(columns: ["model", "validation bits/byte", "test bits/byte"])  // hide
baselineTable.add("uniform over 256 bytes", "8.000", "8.000")
for (i, order) in orders.enumerated() {
    baselineTable.add("byte \(order)-gram" + (i == bestIndex ? " ← best on validation" : ""), fmt(validationBits[i], 3), fmt(grams[i].bitsPerByte(sourceTest), 3))
}
let modelValidation = modelScores(sourceValidation)
let modelValidationBits = modelValidation.reduce(0) { $0 + $1.nats } / Double.log(2) / Double(sourceValidation.reduce(0) { $0 + $1.utf8.count })
baselineTable.add("tiny LLaMA (\(grouped(total)) parameters)", fmt(modelValidationBits, 3), fmt(modelBitsPerByte, 3))
baselineTable.print()  // hide
let best = grams[bestIndex]
let verdict = Difference(perByte: modelTest.map { $0.nats / Double.log(2) }, sourceTest.map { best.bits(of: $0) }, bytes: testBytes, margin: 0.05)
print("source test loss in bits per byte: " + Verdict.line("tiny LLaMA", "byte \(orders[bestIndex])-gram", verdict, higherIsBetter: false, digits: 3, unit: "bits/byte", marginDigits: 2))

/*:
The voices of the next chapter are text the model has not seen. What it spends on them, beside
the source n-gram and an n-gram counted on each voice's own training split (a rough idea of
the room adaptation has to work in):
*/
cell("The target voices, before adaptation")
var voiceTable = Table(columns: ["collection (test)", "best n-gram on source", "tiny LLaMA", "n-gram trained on the voice itself"])  // hide
for collection in [CorpusCollection.startrek, .proverbs] {
    let test = try Corpus.documents(collection, .test), bytes = test.reduce(0) { $0 + $1.utf8.count }
    let own = try ByteNGram(order: orders[bestIndex], documents: Corpus.documents(collection, .train))
    voiceTable.add(collection.rawValue, fmt(best.bitsPerByte(test), 3), fmt(modelScores(test).reduce(0) { $0 + $1.nats } / Double.log(2) / Double(bytes), 3),
                   fmt(own.bitsPerByte(test), 3))
}
voiceTable.print()  // hide

/*:
## What it writes

Continuations of fixed prompts: greedy (the most likely token each step), and sampled (the
settings are printed first) from two seeds; the package's sampler draws the same numbers on
every machine. Generation stops at `<|endoftext|>` or after the token limit.
*/
cell("What it writes")
let (temperature, topP) = (0.8, 0.95)
let sampled = Sampling.random(temperature: temperature, topP: topP)
print("sampled: temperature \(fmt(temperature, 2)), top-p \(fmt(topP, 2)); at most \(newTokens) new tokens")
/// Continues `prompt` greedily and sampled; prints the three continuations.
func continuations(_ prompt: String) throws {
    let ids = [TinyLlama.endOfTextID] + tokenizer.encode(prompt, addingSpecialTokens: false)
    print("prompt: \(prompt)")
    let settings: [(String, Sampling, UInt64)] = [("greedy", .greedy, 0), ("seed 1", sampled, 1), ("seed 2", sampled, 2)]
    for (name, sampling, seed) in settings {
        var generator = SeededGenerator(seed: seed)
        let generated = try model.generate(prompt: ids, maxNewTokens: min(newTokens, c.contextLength - ids.count), sampling: sampling,
                                           eos: [TinyLlama.endOfTextID], generator: &generator)
        let text = tokenizer.decode(generated.tokens, skippingSpecialTokens: true)
        print("  \(pad(name, 7)) …" + text.replacingOccurrences(of: "\n", with: " / ") + (generated.stopReason == .endOfSequence ? " ⏎" : " …"))
    }
}
for prompt in ["The secret of life is", "A woman", "Never trust"] { try continuations(prompt) }
if let userPrompt { try continuations(userPrompt) }

/*:
`⏎` marks a sample that ended itself with `<|endoftext|>`, `…` one cut at the token limit.

## What this chapter could not show

- **Scale.** The cited results come from models thousands of times larger, trained on hundreds of
  thousands of times more tokens (the ratios printed above); their samples stay coherent across
  paragraphs. Loss against compute follows smooth power laws there (Kaplan et al. 2020; Hoffmann
  et al. 2022), which one run at one size cannot show.
- **Run-to-run variation.** One pre-training run: the intervals above are over documents, not
  over training runs.
- **One corpus.** How the model compares with the n-grams is what the verdict line printed, on
  this corpus and tokenizer, and nothing more.

## Exercises

<!-- exercises -->
*/
