// `llama-adapt`: a learner's own LLaMA checkpoint folder (transformers' layout), end to end and
// offline: load it, say what it holds, continue a prompt, attach a LoRA or QLoRA adapter, train a
// few steps on a text file with the memory ledger, save the adapter in PEFT's layout.
//
//   swift run -c release llama-adapt --checkpoint ~/models/SmolLM2-135M --prompt "Once upon"
//   swift run -c release llama-adapt --checkpoint DIR --method qlora --text my.txt --steps 20 --out my-adapter
import Foundation
import LoRA
import Notebook

var options = Options(
    program: "llama-adapt",
    summary: "Loads a LlamaForCausalLM checkpoint folder, continues a prompt, attaches LoRA or QLoRA, trains a few steps on a text file, saves the adapter.")
let checkpointPath = options.string("checkpoint", default: nil, "the checkpoint folder: config.json, model.safetensors (or shards), tokenizer.json")
let prompt = options.string("prompt", default: "The", "text to continue (greedy) before and after training")
let newTokens = options.int("tokens", default: 32, "new tokens to generate", in: 0...4096)
let startWithBOS = options.flag("bos", "start the prompt with the config's bos_token_id when the tokenizer does not add it")
let method = options.string("method", default: "lora", "lora, or qlora (the linear layers quantized to NF4 with double quantization at load)")
let targetList = options.string("targets", default: "q_proj,v_proj", "comma-separated module names, or all-linear")
let rank = options.int("rank", default: 8, "adapter rank r", in: 1...4096)
let alpha = options.double("alpha", default: 16, "lora_alpha (scale alpha / r)", in: 1e-6...1e6)
let textPath = options.string("text", default: nil, "a UTF-8 text file to train on (needed when --steps > 0)")
let steps = options.int("steps", default: 0, "training steps (0: only load, generate and attach)", in: 0...100_000)
let batchSize = options.int("batch", default: 4, "windows per step", in: 1...1024)
let length = options.int("length", default: 64, "tokens per window (at most the model's context)", in: 2...1_000_000)
let learningRate = options.double("lr", default: 1e-3, "AdamW learning rate", in: 1e-8...1)
let outPath = options.string("out", default: nil, "save the adapter here (PEFT's layout; the folder is replaced as a whole)")
options.finish()

guard let checkpointPath else { options.fail("--checkpoint is required: the folder of a LlamaForCausalLM checkpoint") }
guard method == "lora" || method == "qlora" else { options.fail("--method must be lora or qlora, got '\(method ?? "")'") }
if steps > 0 && textPath == nil { options.fail("--steps \(steps) needs --text FILE to train on") }
if let outPath, let problem = Options.outputFolderProblem(outPath) { options.fail("--out: \(problem)") }
let targets: TargetModules = {
    let items = (targetList ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    if items == ["all-linear"] { return .allLinear }
    if items.isEmpty { options.fail("--targets needs at least one module name, or all-linear") }
    return .names(items)
}()

/// MiB with one decimal.
func mebibytes(_ bytes: Int) -> String { fmt(Double(bytes) / 1_048_576, 1) + " MiB" }

func run() throws {
    let folder = URL(fileURLWithPath: checkpointPath)
    let checkpoint = try LlamaCheckpoint.read(from: folder)
    let tokenizerFile = folder.appendingPathComponent("tokenizer.json")
    guard FileManager.default.fileExists(atPath: tokenizerFile.path) else {
        throw ToolError("no tokenizer.json in \(folder.path): it is needed to encode --prompt and --text")
    }
    let tokenizer = try BPETokenizer(contentsOf: tokenizerFile)
    var model = try TransformerModel<Float>(checkpoint: checkpoint)
    let c = model.configuration
    guard tokenizer.vocabularySize <= c.vocabularySize else {
        throw ToolError("tokenizer.json has \(tokenizer.vocabularySize) tokens but the model's vocabulary is \(c.vocabularySize)")
    }
    let count = model.parameterCount.total
    print("loaded \(folder.path): LlamaForCausalLM, \(grouped(count)) parameters (\(mebibytes(4 * count)) as Float)")
    print("  d \(c.modelDimension), \(c.layerCount) layers, \(c.headCount) heads over \(c.keyValueHeadCount) key/value heads, "
          + "MLP \(c.mlpDimension), vocabulary \(c.vocabularySize), context \(c.contextLength), "
          + (c.tieWordEmbeddings ? "tied" : "untied") + " head")
    let eos = checkpoint.config.eosTokenIds

    func continuation(_ model: TransformerModel<Float>) throws -> String {
        var ids = tokenizer.encode(prompt ?? "", addingSpecialTokens: true)
        if startWithBOS, let bos = checkpoint.config.bosTokenId, ids.first != bos { ids.insert(bos, at: 0) }
        guard !ids.isEmpty else { return "(the prompt encodes to no tokens)" }
        guard ids.count < c.contextLength else { throw ToolError("the prompt is \(ids.count) tokens; the context is \(c.contextLength)") }
        var generator = SeededGenerator(seed: 0)
        let out = try model.generate(prompt: ids, maxNewTokens: min(newTokens, c.contextLength - ids.count), eos: eos, generator: &generator)
        let ending = switch out.stopReason {
        case .endOfSequence: " [end-of-sequence token]"
        case .contextFull: " [context full]"
        case .maxNewTokens: " […]"
        }
        return tokenizer.decode(out.tokens, skippingSpecialTokens: true) + ending
    }
    if newTokens > 0 { print("greedy: \(prompt ?? "")…" + (try continuation(model))) }

    if method == "qlora" {
        model = try model.quantized(blocksize: 64, doubleQuantization: true)
        print("quantized \(model.quantizedLayerNames.count) linear layers to NF4 (blocksize 64, double quantization); lm_head and embeddings stay Float")
    }
    let hyperparameters = LoRAHyperparameters(rank: rank, alpha: alpha)
    let adapted = try model.injectLoRA(targets: targets, hyperparameters: hyperparameters, seed: 0)
    let counts = model.parameterCount
    print("\(method == "qlora" ? "QLoRA" : "LoRA") r = \(rank), alpha = \(fmt(alpha, 2)) on \(adapted.count) layers: "
          + "\(grouped(counts.trainable)) trainable parameters (\(percent(counts.trainableFraction, 3)))")

    if steps > 0, let textPath {
        let text: String
        do { text = try String(contentsOf: URL(fileURLWithPath: textPath), encoding: .utf8) } catch {
            throw ToolError("cannot read --text \(textPath) as UTF-8: \(error.localizedDescription)")
        }
        let window = min(length, c.contextLength)
        let stream = tokenizer.encode(text, addingSpecialTokens: false)
        guard stream.count > window + 1 else {
            throw ToolError("--text \(textPath) is \(stream.count) tokens; one window of \(window) needs at least \(window + 2)")
        }
        print("training on \(textPath): \(grouped(stream.count)) tokens, \(steps) steps × \(batchSize) windows × \(window) tokens, lr \(sci(learningRate, 1))")
        var optimizer = AdamW<Float>()
        var data = SeededGenerator(seed: 1), dropout = SeededGenerator(seed: 2)
        for step in 1...steps {
            var tokens: [Int] = [], targetIDs: [Int] = []
            for _ in 0..<batchSize {
                let start = data.nextInt(below: stream.count - window)
                tokens += stream[start..<(start + window)]
                targetIDs += stream[(start + 1)...(start + window)]
            }
            let batch = TokenBatch(tokens: tokens, targets: targetIDs, batchSize: batchSize, sequenceLength: window)
            let result = Trainer.step(&model, batch: batch, optimizer: &optimizer, learningRate: learningRate, maxGradientNorm: 1,
                                      generator: &dropout, measureMemory: step == 1)
            if let ledger = result.ledger {
                print("memory of a step: " + MemoryLedger.Category.allCases.map { "\($0.rawValue) \(mebibytes(ledger.bytes($0)))" }.joined(separator: ", ")
                      + ", total \(mebibytes(ledger.totalBytes))")
            }
            if step == 1 || step == steps || step % max(1, steps / 10) == 0 {
                print("step \(step)/\(steps)  loss \(fmt(result.loss, 4))  gradient norm \(fmt(result.gradientNorm, 3))")
            }
        }
        if newTokens > 0 { print("greedy after training: \(prompt ?? "")…" + (try continuation(model))) }
    }
    if let outPath {
        let config = try model.saveAdapter(to: URL(fileURLWithPath: outPath), baseModel: folder.path, taskType: "CAUSAL_LM")
        print("wrote \(outPath): adapter_config.json (r = \(config.r)) and adapter_model.safetensors, PEFT's layout")
    }
}

/// A problem with what the user gave, reported as one line.
struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("llama-adapt: \(error)\n".utf8))
    exit(1)
}
