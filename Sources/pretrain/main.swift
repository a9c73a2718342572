// `make pretrain`: pre-trains the tiny LLaMA of the real-text chapters on the corpus's source
// collection and writes the checkpoint folder the chapters load (transformers' layout, plus the
// tokenizer, the training log and SHA-256 sums). Deterministic: the same bytes on every machine.
import Corpus
import Foundation
import LoRA
import Notebook
import TinyLlama

var options = Options(
    program: "pretrain",
    summary: "Pre-trains the tiny LLaMA on the source corpus and writes its checkpoint folder (make pretrain).")
let standard = PretrainingPlan.standard
let steps = options.int("steps", default: standard.steps, "optimizer steps (the committed weights use the default)", in: 1...1_000_000)
let outPath = options.string("out", default: nil, "the checkpoint folder to write (default: <root>/Sources/TinyLlama/Checkpoint)")
options.finish()

/// The package root: the nearest folder upwards from the working directory with Package.swift and Sources/TinyLlama.
func packageRoot() -> URL? {
    var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    while true {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/TinyLlama").path),
           FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
        let parent = folder.deletingLastPathComponent()
        if parent.path == folder.path { return nil }
        folder = parent
    }
}

let out: URL
if let outPath {
    out = URL(fileURLWithPath: outPath)
} else if let root = packageRoot() {
    out = root.appendingPathComponent("Sources/TinyLlama/Checkpoint")
} else {
    options.fail("no --out given and no package root (a folder with Package.swift and Sources/TinyLlama) above the working directory")
}
if let problem = Options.outputFolderProblem(out.path) { options.fail("--out: \(problem)") }

func run(plan: PretrainingPlan, out: URL) throws {
    let clock = ContinuousClock()
    let start = clock.now
    func seconds() -> Double { let d = clock.now - start; return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
    print("pretrain: tokenizer (BPE, \(TinyLlama.vocabularySize) tokens) on source/train …")
    var pretraining = try Pretraining(plan: plan)
    let parameters = pretraining.model.namedParameters.reduce(0) { $0 + $1.value.count }
    print(String(format: "pretrain: %d training tokens, %d parameters, %d steps of %d × %d tokens (%.1f s so far)",
                 pretraining.trainStream.count, parameters, plan.steps, plan.batchSize, TinyLlama.configuration.contextLength, seconds()))
    var log = ["# tiny LLaMA pre-training log (written by `make pretrain`; deterministic, no times)",
               "# \(plan)",
               "# step\tloss\tlearning_rate\tgradient_norm   (every 10 steps; `eval` lines: monitor windows' nats per token)"]
    log.append("eval\t0\t" + String(format: "%.6f", pretraining.monitorLoss(pretraining.model)))
    let trainingStart = seconds()
    let monitor = pretraining.monitor
    pretraining.run { progress, model in
        if progress.step % 10 == 0 || progress.step == 1 {
            log.append(String(format: "%d\t%.6f\t%.6e\t%.6f", progress.step, progress.loss, progress.learningRate, progress.gradientNorm))
        }
        if progress.step == PretrainingPlan.checkedStep {
            log.append("digest\t\(progress.step)\t\(TinyLlama.weightDigest(model))")
        }
        if progress.step % plan.evaluationInterval == 0 || progress.step == progress.totalSteps {
            let loss = TinyLlama.score(model, windows: monitor).natsPerToken
            log.append("eval\t\(progress.step)\t" + String(format: "%.6f", loss))
            let elapsed = seconds() - trainingStart
            let perStep = elapsed / Double(progress.step)
            print(String(format: "pretrain: step %d/%d  loss %.4f  monitor %.4f  %.3f s/step  ETA %.0f s",
                         progress.step, progress.totalSteps, progress.loss, loss, perStep, perStep * Double(progress.totalSteps - progress.step)))
        }
        return .continue
    }
    let model = pretraining.model
    let validation = TinyLlama.score(model, documents: try Corpus.documents(.source, .validation), tokenizer: pretraining.tokenizer)
    log.append("digest\t\(plan.steps)\t\(TinyLlama.weightDigest(model))")
    log.append(String(format: "validation\tbits_per_byte\t%.6f\ttokens\t%d\tbytes\t%d", validation.bitsPerByte, validation.tokens, validation.bytes))
    print(String(format: "pretrain: source validation %.4f bits per byte (%d tokens, %d bytes); %.0f s in all",
                 validation.bitsPerByte, validation.tokens, validation.bytes, seconds()))

    // Write everything into a fresh sibling folder, then swap it in: the old checkpoint stays whole until the new one is.
    let fm = FileManager.default
    let parent = out.deletingLastPathComponent()
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    let staging = parent.appendingPathComponent(".\(out.lastPathComponent).writing-\(ProcessInfo.processInfo.processIdentifier)")
    try? fm.removeItem(at: staging)
    var information = LlamaConfig()
    information.bosTokenId = TinyLlama.endOfTextID
    information.eosTokenIds = [TinyLlama.endOfTextID]
    try model.saveCheckpoint(to: staging, config: information)
    try pretraining.tokenizer.write(to: staging.appendingPathComponent("tokenizer.json"))
    try Data((log.joined(separator: "\n") + "\n").utf8).write(to: staging.appendingPathComponent(TinyLlama.logFileName), options: .atomic)
    let names = try fm.contentsOfDirectory(atPath: staging.path).filter { !$0.hasPrefix(".") && $0 != TinyLlama.sumsFileName }.sorted()
    let sums = try names.map { name in SHA256.hex(try Data(contentsOf: staging.appendingPathComponent(name))) + "  " + name }
    try Data((sums.joined(separator: "\n") + "\n").utf8).write(to: staging.appendingPathComponent(TinyLlama.sumsFileName), options: .atomic)
    if fm.fileExists(atPath: out.path) {
        let old = parent.appendingPathComponent(".\(out.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
        try fm.moveItem(at: out, to: old)
        try fm.moveItem(at: staging, to: out)
        try fm.removeItem(at: old)
    } else {
        try fm.moveItem(at: staging, to: out)
    }
    print("pretrain: wrote \(out.path)")
    for line in sums { print("  " + line) }
}

var plan = standard
plan.steps = steps
do {
    try run(plan: plan, out: out)
} catch {
    FileHandle.standardError.write(Data("pretrain: \(error)\n".utf8))
    exit(1)
}
