// Chapter 12: the seed's recommended LoraConfig, trained on the tiny transformer, saved in PEFT's
// format, reloaded bit for bit, refused when tampered with, and how PEFT would load it.
import Foundation
import LoRA
import Notebook

/*:
# 12 · Best practice: a recommended config, saved as PEFT saves it

**What this chapter shows.** The seed's last section, 最佳实践 (best practice), is one
`LoraConfig`, "推荐配置（LLaMA 类模型）" (the recommended configuration for LLaMA-like models):

```python
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
    lora_dropout=0.05,
    bias="none",
    task_type="CAUSAL_LM"
)
```

We build the same configuration with the library, apply it to the tiny LLaMA-shaped transformer
of the earlier chapters (pre-trained briefly here, then fine-tuned on one task), save the adapter
as PEFT's `save_pretrained` does (`adapter_model.safetensors` + `adapter_config.json`), list what
is in the files, load it into a fresh copy of the base model and check that the outputs are
identical, and watch strict loading refuse tampered copies. Then: how the same directory is
loaded with PEFT, and a checklist tying each of the seed's recommendations to the chapter that
measured it.

Run it with `swift run ch12-best-practice`. The adapter goes to a temporary directory that is
deleted at the end; `--out DIR` writes it to `DIR` and keeps it. `--task`, `--steps` and `--lr`
change the fine-tuning (`--help` lists the knobs).

The package's matrix products sum in a fixed order and its `exp`, `log` and `tanh` are its own,
so the numbers below are the ones your machine prints too, whatever its CPU, core count or
BLAS. (BLAS is still pinned to one thread with `BLASInfo.setThreadCount(1)` for anyone who opts
into it with `LORA_BLAS=1`: on matrices this size one thread is faster.)
*/
cell()
//- hide
var options = Options(
    program: "ch12-best-practice",
    summary: "Trains the seed's recommended LoRA config on a tiny transformer, saves it in PEFT's format and reloads it.")
let taskName = options.string("task", default: "reverse", "fine-tuning task: reverse, rotate3, shift5 or substitute")!
let steps = options.int("steps", default: 200, "LoRA fine-tuning steps", in: 1...100_000)
let pretrainSteps = options.int("pretrain-steps", default: 300, "pre-training steps of the base model", in: 1...100_000)
let learningRate = options.double("lr", default: 3e-3, "peak learning rate of the LoRA fine-tuning", in: 1e-6...1)
let outPath = options.string("out", "directory to write the adapter into and keep (default: a temporary directory, deleted)")
options.finish()
BLASInfo.setThreadCount(1)
let suite = TaskSuite()
if let outPath, let problem = Options.outputFolderProblem(outPath) { options.fail("--out: \(problem)") }
guard let task = suite.fineTuning.first(where: { $0.name == taskName }) else {
    options.fail("--task must be one of \(suite.fineTuning.map(\.name).joined(separator: ", ")), got '\(taskName)'")
}
//- show

/*:
## The recommended configuration

In the library, PEFT's `LoraConfig` is `AdapterConfig` (the fields of `adapter_config.json`,
with PEFT's names and defaults), and the part that changes the arithmetic is
`LoRAHyperparameters`: rank $r$, $\alpha$, dropout and the scaling rule $s = \alpha / r$
([formula 3](appendix-formulas.md#formula-3)). `bias = "none"` means no bias is trained, the only
setting this package supports. The configuration, and the JSON it becomes:
*/
cell("The recommended configuration")
let recommended = LoRAHyperparameters(rank: 16, alpha: 32, dropout: 0.05)
let seedTargets = ["q_proj", "k_proj", "v_proj", "o_proj"]
var seedConfig = AdapterConfig(hyperparameters: recommended, targetModules: [], taskType: "CAUSAL_LM")
seedConfig.targetModules = .names(seedTargets)  // as the user writes it, before resolution
print(String(decoding: seedConfig.encoded(), as: UTF8.self), terminator: "")
let parsed = try seedConfig.hyperparameters()
print("read back: r = \(parsed.rank), α = \(fmt(parsed.alpha, 0)), s = α/r = \(fmt(parsed.scale, 2)), dropout = \(fmt(parsed.dropout, 2)), scaling \(parsed.scaling)")

/*:
`r` and `lora_alpha` are written even though they are "just" the values we chose: PEFT fills a
missing `r` or `lora_alpha` with its defaults (8 and 8), so a config that left them out would
silently load as a different adapter, with $s = 1$ instead of 2.

## Which modules the targets select

Our model names its modules as Hugging Face's LLaMA does, so PEFT's matching rules (an item
matches a module whose name equals it or ends with "." + item) pick the four attention
projections in every layer. The special value `"all-linear"` picks every linear layer except the
output head; the seed's `["all_linear"]` (underscore, inside a list) is an ordinary name that
matches nothing ([erratum 5](errata.md#erratum-5)):
*/
cell("Which modules the targets select")
var base = try TransformerModel<Float>(configuration: suite.modelConfiguration(), seed: 11)
let c = base.configuration
print("model: d = \(c.modelDimension), \(c.layerCount) layers, \(c.headCount) heads, vocabulary \(c.vocabularySize), context \(c.contextLength)")
let resolved = try base.resolveTargets(.names(seedTargets))
print("[\"q_proj\", \"k_proj\", \"v_proj\", \"o_proj\"] → \(resolved.count) modules:")
for name in resolved { print("  \(name)") }
let allLinear = try base.resolveTargets(.allLinear)
print("\"all-linear\" → \(allLinear.count) modules (every linear layer but lm_head)")
do {
    _ = try base.resolveTargets(.names(["all_linear"]))
    print("[\"all_linear\"] matched something (unexpected)")
} catch {
    let message = "\(error)"
    let parts = message.components(separatedBy: "; its modules are: ")
    print("[\"all_linear\"] → error: \(parts[0])")
    if parts.count == 2 { print("  (the message goes on to list all \(parts[1].components(separatedBy: ", ").count) module names of the model)") }
}

/*:
## Pre-train, then fine-tune with the recommended config

A LoRA adapter adapts a model that already knows something. The base model is pre-trained (all
weights trained) on a mixture of three sequence tasks from `TaskSuite` (copy, sort, shift by
one); then the recommended configuration is injected (`injectLoRA`, PEFT's `get_peft_model`),
which freezes every base weight, and only the adapters are trained on a new task. Accuracy is
exact match: the fraction of held-out sequences whose every answer letter is right.
*/
cell("Pre-train, then fine-tune with the recommended config")
var pretrainOptimizer = AdamW<Float>()
var clock = monotonicSeconds()  // hide
Trainer.train(&base, optimizer: &pretrainOptimizer,
              configuration: TrainingConfiguration(steps: pretrainSteps, batchSize: 32, learningRate: 3e-3, seed: 12),
              tasks: suite.pretraining)
let pretrainTime = monotonicSeconds() - clock  // hide
var heldOut = SeededGenerator(seed: 13)
let evaluation = task.batch(size: 256, using: &heldOut)
let pretrainMix = SequenceTask.batch(from: suite.pretraining, size: 256, using: &heldOut)
let baseOnTask = base.evaluate(evaluation)
print("pre-trained \(pretrainSteps) steps (\(live(duration(pretrainTime)))): exact match \(percent(base.evaluate(pretrainMix).exactMatch, 1)) on the pre-training tasks, \(percent(baseOnTask.exactMatch, 1)) on '\(task.name)'")

var model = base
let adapted = try model.injectLoRA(targets: .names(seedTargets), hyperparameters: recommended, seed: 14)
let counts = model.parameterCount
print("injected \(adapted.count) adapters: trainable \(grouped(counts.trainable)) of \(grouped(counts.trainable + counts.frozen)) parameters (\(percent(Double(counts.trainable) / Double(counts.trainable + counts.frozen), 2)))")
let d = c.modelDimension
print("per adapted (\(d), \(d)) matrix: r(d + k) = \(grouped(ParameterCount.loraParameters(rank: recommended.rank, out: d, in: d))) against d·k = \(grouped(d * d))")
var optimizer = AdamW<Float>()
clock = monotonicSeconds()  // hide
let losses = Trainer.train(&model, optimizer: &optimizer,
                           configuration: TrainingConfiguration(steps: steps, batchSize: 32, learningRate: learningRate, seed: 15),
                           tasks: [task])
let fineTuneTime = monotonicSeconds() - clock  // hide
let tuned = model.evaluate(evaluation)
print("fine-tuned \(steps) LoRA steps on '\(task.name)' (\(live(duration(fineTuneTime)))): loss \(fmt(losses.first!, 3)) → \(fmt(losses.last!, 3))")
print("exact match on '\(task.name)': base \(percent(baseOnTask.exactMatch, 1)) → with the adapter \(percent(tuned.exactMatch, 1)) (token accuracy \(percent(tuned.tokenAccuracy, 1)))")
let llama = ModelSpec.llama7B
let llamaAdapter = llama.adapterParameterCount(rank: recommended.rank, targets: seedTargets)
print("the same config on \(llama.name): \(grouped(llamaAdapter)) trainable of \(grouped(llama.parameterCount)) (\(percent(Double(llamaAdapter) / Double(llama.parameterCount), 2)))")

/*:
On a model this small, $r = 16$ is a large share of the parameters: an adapter costs
$r(d + k)$ per matrix against $dk$, and with $d = k$ that ratio is $2r/d$ (second line). On
LLaMA-7B's 4096-wide projections the same configuration is a fraction of a percent (last line;
[chapter 02](02-parameter-counts.md) counts it in detail). The learning rate is higher than the seed's starting point of $10^{-4}$ because this model is
tiny and trains for a few hundred steps; [chapter 10](10-training.md) measures how the learning
rate and dropout change the outcome.

## Saving: the two files PEFT writes

`saveAdapter(to:)` writes the adapter of every adapted layer, keyed by module path. In the
config, `target_modules` holds the resolved paths (PEFT keeps the names the user typed; both
select the same modules, because a full path also matches by the suffix rule):
*/
cell("Saving")
let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("ch12-\(UUID().uuidString)")  // hide
let outDirectory = outPath.map { URL(fileURLWithPath: $0) } ?? temporary.appendingPathComponent("adapter")
defer { try? FileManager.default.removeItem(at: temporary) }  // hide
let written = try model.saveAdapter(to: outDirectory, taskType: "CAUSAL_LM")
print(outPath == nil ? "saved into a temporary directory (--out DIR keeps a copy):" : "saved into \(outDirectory.path):")
let weightsURL = outDirectory.appendingPathComponent(AdapterFiles.weightsFileName)
let configURL = outDirectory.appendingPathComponent(AdapterConfig.fileName)
for url in [configURL, weightsURL] {
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    print("  \(url.lastPathComponent)  \(grouped(size)) bytes")
}
print("\n\(AdapterConfig.fileName):")
print(try String(contentsOf: configURL, encoding: .utf8), terminator: "")
precondition(written.r == 16 && written.loraAlpha == 32)

/*:
The tensors, read back with `SafetensorsReader`. Names follow PEFT:
`base_model.model.<module path>.lora_A.weight` with shape $(r, \text{in})$ and `lora_B` with
$(\text{out}, r)$, stored as little-endian float32:
*/
cell("What the weights file holds")
let document = try SafetensorsReader.read(contentsOf: weightsURL)
var tensors = Table(columns: ["tensor", "dtype", "shape", "bytes"])  // hide
var dataBytes = 0
for name in document.tensors.keys.sorted() {
    let t = document.tensors[name]!
    tensors.add(name, t.dtype.rawValue, "(" + t.shape.map(String.init).joined(separator: ", ") + ")", grouped(t.values.count * 4))
    dataBytes += t.values.count * 4
}
tensors.print()  // hide
let fileBytes = [UInt8](try Data(contentsOf: weightsURL))
let headerLength = (0..<8).reduce(0) { $0 | Int(fileBytes[$1]) << (8 * $1) }
print("file = 8-byte header length + \(grouped(headerLength))-byte JSON header + \(grouped(dataBytes)) bytes of data = \(grouped(fileBytes.count)) bytes")
print("metadata: " + document.metadata.keys.sorted().map { "\($0) = \(document.metadata[$0]!)" }.joined(separator: ", "))
let header = String(decoding: fileBytes[8..<(8 + headerLength)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
print("JSON header (one entry per line here; in the file it is one line, padded with spaces to a multiple of 8 bytes):")
print(header.replacingOccurrences(of: "},\"", with: "},\n \""))

/*:
Besides PEFT's `"format": "pt"`, the metadata holds `lora_adapter_config_fnv1a64`, a digest of
the `adapter_config.json` saved with these weights. A save writes each file under a temporary
name and renames it into place, weights first; between the two renames (a crash, or a reader
running beside the save) the folder holds new weights beside the old config, and the digest lets
the loader tell that mix from a matched pair. PEFT ignores metadata keys it does not know.

Each adapted projection costs $r(d + k)$ numbers, $rk$ in A and $dr$ in B, as the byte column
shows. A Hugging Face LLaMA nests its decoder under a
`model` attribute, so there the first tensor would be named
`base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`; our tiny model's paths
start at `layers`, with no `model.` level, so its names have one `model.` fewer.

## Loading into a fresh model

`loadingAdapter(from:)` is PEFT's `PeftModel.from_pretrained(base, dir)`: it reads the config,
resolves its `target_modules` on the base model, injects adapters with the config's $r$, $\alpha$
and dropout, and fills them with the file's factors. We give it an untouched copy of the
pre-trained base and compare logits with the model we trained:
*/
cell("Loading into a fresh model")
let reloaded = try base.loadingAdapter(from: outDirectory)
let trainedLogits = model.logits(tokens: evaluation.tokens, sequenceLength: evaluation.sequenceLength)
let reloadedLogits = reloaded.logits(tokens: evaluation.tokens, sequenceLength: evaluation.sequenceLength)
let baseLogits = base.logits(tokens: evaluation.tokens, sequenceLength: evaluation.sequenceLength)
print("adapted modules: \(reloaded.adaptedLayerNames.count), r = \(reloaded[linear: resolved[0]].adapterBranch!.rank), dropout \(fmt(reloaded[linear: resolved[0]].adapterBranch!.hyperparameters.dropout, 2))")
print("reloaded vs trained logits: max |difference| = \(fmt(Double(reloadedLogits.maxAbsDifference(trainedLogits)), 1)) over \(grouped(trainedLogits.count)) logits")
print("base (no adapter) vs trained logits: max |difference| = \(fmt(Double(baseLogits.maxAbsDifference(trainedLogits)), 3))")
print("exact match on '\(task.name)' after reload: \(percent(reloaded.evaluate(evaluation).exactMatch, 1))")

/*:
The difference is exactly zero, not merely small: float32 values go to disk as their bit patterns
and come back unchanged, and the reloaded model computes the same operations in the same order.
The base model alone differs, so the adapter is what the file carries.

## Strict loading

PEFT loads an adapter's state dict non-strictly. In PEFT 0.22, `load_adapter` (and
`PeftModel.from_pretrained`) takes `strict_adapter_check="warn"` by default: adapter keys that
are missing, and tensors with no matching layer ("unexpected adapter keys"), produce one
warning ("Found … while loading the checkpoint") and the load goes on; `"error"` raises
instead, `"ignore"` says nothing (`peft/peft_model.py`, `load_adapter`). This package refuses instead, and refuses *before* changing anything. Three tampered
copies of the directory:

1. `adapter_config.json` says `r = 8` while the tensors have rank 16;
2. `adapter_model.safetensors` loses its last 64 bytes (the end of the last tensor; a loader that
   streamed tensors one by one would already have written all the others);
3. `target_modules` is the seed's `["all_linear"]`.

The first two are loaded with `loadAdapter(from:)` into the reloaded model, which already has
adapters on the right modules, so a partial load would be visible; the third with
`loadingAdapter(from:)` onto the base:
*/
cell("Strict loading")
//- hide
func tamperedCopy(_ label: String, _ change: (URL) throws -> Void) throws -> URL {
    let copy = temporary.appendingPathComponent(label)
    try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
    for name in [AdapterConfig.fileName, AdapterFiles.weightsFileName] {
        try FileManager.default.copyItem(at: outDirectory.appendingPathComponent(name), to: copy.appendingPathComponent(name))
    }
    try change(copy)
    return copy
}
/// The message with the temporary folder written `<tmp>`, so that the page reads the same every run.
func shown(_ error: AdapterError) -> String { "\(error)".replacingOccurrences(of: temporary.path, with: "<tmp>") }
//- show
let wrongRank = try tamperedCopy("wrong-rank") { dir in
    var config = try AdapterConfig.read(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))
    config.r = 8
    try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
}
let truncated = try tamperedCopy("truncated") { dir in
    let url = dir.appendingPathComponent(AdapterFiles.weightsFileName)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count - 64).write(to: url)
}
let sloppyTargets = try tamperedCopy("all_linear") { dir in
    var config = try AdapterConfig.read(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))
    config.targetModules = .names(["all_linear"])
    try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
}
for (label, dir) in [("r = 8 in the config", wrongRank), ("truncated weights file", truncated)] {
    var victim = reloaded
    do {
        try victim.loadAdapter(from: dir)
        print("\(label): loaded (unexpected)")
    } catch {
        print("\(label): refused (\(error.kind))\n  \(shown(error))")
    }
    let after = victim.logits(tokens: evaluation.tokens, sequenceLength: evaluation.sequenceLength)
    print("  model untouched: max |difference| of its logits = \(fmt(Double(after.maxAbsDifference(reloadedLogits)), 1))")
}
do {
    _ = try base.loadingAdapter(from: sloppyTargets)
    print("[\"all_linear\"]: loaded (unexpected)")
} catch {
    print("target_modules [\"all_linear\"]: refused (\(error.kind))\n  \(shown(error))")
}

/*:
Every message names the file by its full path (the temporary folder is written `<tmp>` here),
the tensor or field, and what was expected against what was found. The model keeps its exact
logits after each refusal: the loader validates the whole directory against the whole model
first, and replaces the layers only once everything fits.

## Loading the directory with PEFT

The directory is in PEFT's format, so a Python reader would type (PEFT's
[`PeftModel.from_pretrained`](https://huggingface.co/docs/peft/package_reference/peft_model)):

```python
from peft import PeftModel, LoraConfig, get_peft_model

base = ...  # a PyTorch model whose modules carry the same names and shapes
model = PeftModel.from_pretrained(base, "path/to/adapter")   # is_trainable=False by default
```

`from_pretrained` reads `adapter_config.json`, injects LoRA layers into the modules that
`target_modules` selects, and loads `adapter_model.safetensors` into them, which is what
`loadingAdapter(from:)` does here (except for the strictness). For *this* directory the base must
be a PyTorch module with our module paths (`layers.0.self_attn.q_proj`, …, no `model.` prefix)
and our shapes; a Hugging Face LLaMA would not match the tensor names, as noted above. The
interop check `Tests/interop/run.sh` (run by `.ci/run`) has the real `safetensors` library read
an adapter saved from a `TransformerModel` and compare every tensor with what the package wrote.

To train a fresh adapter with the seed's settings in PEFT:

```python
config = LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                    lora_dropout=0.05, bias="none", task_type="CAUSAL_LM")
model = get_peft_model(base, config)
```

Two details matter when writing such configs by hand. `target_modules="all-linear"` (hyphen, a
plain string, not a list item) selects every linear layer but the output head; `["all_linear"]`
matches nothing, and PEFT then raises an error that the target modules were not found
([erratum 5](errata.md#erratum-5)). And leaving out `r` or `lora_alpha` does not make PEFT infer
them: it uses its defaults, 8 and 8.

## A checklist of the seed's best practices

Each recommendation and the chapter that measured it:

| the seed recommends | where it is measured |
|---|---|
| $r$ = 16; "从小秩开始，逐步增大直到性能饱和" (start small, grow until saturation) | [11 · rank, targets, limits](11-rank-targets-limits.md): rank sweep until accuracy saturates |
| $\alpha$ = 32 = $2r$, so $s = \alpha / r = 2$ | [05 · scaling](05-scaling.md): what $s$ does to the update |
| `target_modules` = q, k, v, o projections | [02 · parameter counts](02-parameter-counts.md) (their cost on LLaMA-7B) and [11](11-rank-targets-limits.md) (target ablation) |
| `lora_dropout` = 0.05; learning rate $10^{-4}$ to $5 \times 10^{-4}$ | [10 · training](10-training.md): learning-rate and dropout sweeps |
| its initialisation ($B$ Gaussian, $A$ zero: swapped, [erratum 2](errata.md#erratum-2)) | [04 · initialisation](04-initialisation.md): which factor moves first |
| merge the adapter for deployment | [09 · merging](09-merging.md): merged and unmerged outputs agree; merging into 4 bits does not |

## A recipe

What to set, for a 7B-class model fine-tuned on an instruction or domain dataset, with the
reason and its source. The last column says whether this package measured it, and where, or
whether the miniature (two layers, 64 wide, synthetic tasks, hundreds of steps) cannot test it.

| setting | recipe | why | source | in this package |
|---|---|---|---|---|
| target modules | all linear layers of the blocks, MLP included (`target_modules="all-linear"`) | attention-only LoRA underperforms; the MLP layers matter most | QLoRA (Dettmers et al., 2023, §4): "LoRA on all linear transformer block layers are required to match full finetuning performance"; Schulman et al. (2025, "LoRA Without Regret") | measured in chapter 11 at equal budget; the miniature's MLP is small, so its answer need not carry over; measured again at equal rank on a real language model in chapter [17](17-a-new-voice.md) (`q, v`, attention, MLP and all-linear, $r = 8$) |
| rank $r$ | 16–64; more for large datasets or new knowledge | a low rank caps how much a large dataset can teach | Schulman et al. (2025); Biderman et al. (2024, "LoRA Learns Less and Forgets Less") | measured in chapter 11 (rank sweep on one task); chapter [17](17-a-new-voice.md) adds rsLoRA at $r = 32$ against $r = 8$ on a real language model |
| $\alpha$ | $\alpha = r$ or $2r$ ($s$ = 1 or 2), then tune the rate | $s$ and the rate are not interchangeable under Adam (chapter 05); fix $s$, tune the rate | Hu et al. (2021, §4.1); [erratum 8](errata.md#erratum-8) | measured in chapter 05 (what $s$ does to a step, and $s$ as LoRA+'s λ) |
| large $r$ | rsLoRA (`use_rslora=True`) or retune the rate per rank | $\alpha/r$ with a fixed $\alpha$ slows large ranks | Kalajdzievski (2023) | measured in chapters 05 and 11 |
| learning rate | about 10× the best full fine-tuning rate for the same model | the optimal LoRA rate sits about an order of magnitude above full fine-tuning's | Schulman et al. (2025) | measured in chapter 10 (the printed ratio of tuned rates), and on a real language model in chapter [17](17-a-new-voice.md) (its table of tuned rates) |
| batch size | moderate; do not scale it up as far as full fine-tuning tolerates | LoRA degrades with large batches more than full fine-tuning | Schulman et al. (2025) | not testable in the miniature |
| epochs | as long as validation loss falls; stop when it rises | a small dataset is memorised | standard practice | measured in chapter 10 (the 64-example pool over-fits) |
| `lora_dropout` | 0.05–0.1 on small datasets | regularises the branch when data are scarce | QLoRA (Dettmers et al., 2023, appendix: 0.1 up to 13B, 0.05 for 33B and 65B) | measured in chapter 10 (dropout on a fixed pool) |
| memory | 4-bit NF4 base with double quantization, gradient checkpointing, paged 8-bit AdamW | weights, activations and optimizer spikes are the three costs | QLoRA (Dettmers et al., 2023) | measured in chapters 06–08 (codes, storage, the memory ledger, paged AdamW); QLoRA against LoRA on a real language model in chapter [17](17-a-new-voice.md) |
| deployment | dequantize the 4-bit base, then merge in 16/32 bits (`model.dequantize()`, then `merge_and_unload()`), or serve unmerged | `merge_and_unload()` on a 4-bit model re-quantizes the merged weight | PEFT, `peft/tuners/lora/bnb.py` (`Linear4bit.merge`) | measured in chapter 13 (the three merges), and for a QLoRA adapter of a real language model in chapter [17](17-a-new-voice.md) |
| forgetting | prefer LoRA when the base's other abilities must survive | LoRA "learns less and forgets less" than full fine-tuning | Biderman et al. (2024) | measured in chapter 10 (pre-training tasks after fine-tuning) and on a real language model in chapter [17](17-a-new-voice.md) (source text after adaptation) |

**What the miniature's rates mean.** Chapters 10–15 choose rates around $10^{-2}$ to
$3 \times 10^{-2}$. Those values belong to a 64-wide model, a few hundred steps and synthetic
tasks; they are not a starting point for a 7B model, whose LoRA rates are usually quoted around
$10^{-4}$ (the seed's $10^{-4}$ to $5 \times 10^{-4}$). What does carry over is the method: tune
the rate per configuration on validation data, bracket the optimum, and compare configurations
each at its own best rate; and the direction of the ratio (LoRA's best rate above full
fine-tuning's), which chapter 10 prints for the miniature.
| QLoRA when memory is short | [08 · QLoRA](08-qlora.md): memory of a 4-bit base with float adapters |
| `target_modules = ["all_linear"]` (PEFT spells it `"all-linear"`) | this chapter and [02](02-parameter-counts.md) ([erratum 5](errata.md#erratum-5)) |

## Compared with PEFT

- `AdapterConfig` holds the `LoraConfig` fields that go into `adapter_config.json`, with PEFT's
  names and defaults, including `rank_pattern` and `alpha_pattern` (per-module r and α, first
  matching key in the file's order wins, as in PEFT). `use_dora` is honoured (DoRA
  adapters load with their `lora_magnitude_vector`, chapter [14](14-dora-and-loraplus.md)).
  Every other key PEFT writes is accepted only when it leaves its feature off
  (`loftq_config: {}`, …) and refused by name otherwise: an adapter never loads with a setting
  silently dropped.
- `saveAdapter(to:)` writes the same two files as `save_pretrained`, with the same tensor names;
  `target_modules` holds resolved module paths where PEFT keeps the user's list.
- `loadingAdapter(from:)` corresponds to `PeftModel.from_pretrained`, `loadAdapter(from:)` to
  `load_adapter` into layers that already exist. Both refuse what PEFT refuses (a factor whose
  shape does not fit the layer) and also what PEFT by default only warns about (tensors for modules
  the targets do not select, a missing factor), and neither changes a model when it throws.

## Summary

- The seed's recommended configuration ($r = 16$, $\alpha = 32$, q/k/v/o projections, dropout
  0.05, no bias, causal LM) is one `LoRAHyperparameters` plus a target list; its
  `adapter_config.json` spells every field PEFT reads, `r` and `lora_alpha` included.
- Trained on the tiny transformer, it adapts a pre-trained base to a new task while the base
  stays frozen; the trainable share is large on a 64-wide model and a fraction of a percent on
  LLaMA-7B (both printed above).
- Saved adapters reload into a fresh copy of the base with identical outputs (difference 0).
- Loading is strict and all-or-nothing: a wrong rank, a truncated file or targets that do not
  fit are refused with a message naming the file and the problem, and the model is unchanged.
- `"all-linear"` is the PEFT spelling; the seed's `["all_linear"]` selects nothing.

## Exercises

<!-- exercises -->
*/
