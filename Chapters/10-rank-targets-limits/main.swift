// Chapter 10: how large r must be, which layers to adapt, and what LoRA cannot do.
import LoRA
import Notebook

/*:
# 10 · Rank, targets and limits

TITLE-PROSE
*/
cell()
var options = Options(
    program: "ch10-rank-targets-limits",
    summary: "Rank sweep, α/r vs rsLoRA, target modules, merged adapters that conflict, and a task low ranks cannot learn.")
let steps = options.int("steps", default: 300, "fine-tuning steps per run (rank sweep, α/r, merging)", in: 10...5000)
let learningRate = options.double("lr", default: 3e-3, "AdamW peak learning rate of the LoRA runs", in: 1e-6...1)
let seed = options.int("seed", default: 1, "seed of the model, the data and the adapters", in: 0...1_000_000)
options.finish()
let atDefaults = steps == 300 && learningRate == 3e-3 && seed == 1
let baseSeed = UInt64(seed)

/// The synthetic tasks: 32 letters, 8 per example (see `TaskSuite`).
let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
let configuration = suite.modelConfiguration(modelDimension: 64, headCount: 4, layerCount: 2)
print("model: d_model \(configuration.modelDimension), \(configuration.layerCount) layers, \(configuration.headCount) heads, MLP \(configuration.mlpDimension), vocabulary \(configuration.vocabularySize)")

/// Trains `model` on `tasks` with AdamW, drawing a progress bar at a terminal.
@discardableResult
func train(_ model: inout TransformerModel<Float>, tasks: [SequenceTask], steps: Int, schedule: LearningRateSchedule? = nil,
           learningRate: Double, seed: UInt64, label: String) -> [Double] {
    var optimizer = AdamWOptimizer<Float>()
    let bar = ProgressBar(total: steps, label: label)
    defer { bar.finish() }
    return Trainer.train(&model, optimizer: &optimizer,
                         configuration: TrainingConfiguration(steps: steps, batchSize: 32, learningRate: learningRate, schedule: schedule, seed: seed),
                         tasks: tasks) { p in
        bar.update(p.step, note: "loss " + fmt(p.loss, 3))
        return .continue
    }
}

/// 256 held-out examples of `task`, drawn from a seed no training run uses.
func heldOut(_ task: SequenceTask) -> TokenBatch {
    var g = SeededGenerator(seed: 10_000 + UInt64(task.tag))
    return task.batch(size: 256, using: &g)
}

/// The pre-trained model every experiment starts from, trained once on copy, sort and shift1.
let pretrained = try {
    var model = try TransformerModel<Float>(configuration: configuration, seed: baseSeed)
    train(&model, tasks: suite.pretraining, steps: 600, learningRate: 3e-3, seed: baseSeed + 100, label: "pre-training")
    return model
}()

/// A copy of the pre-trained model with LoRA on `targets`, fine-tuned on `task`.
func adapted(_ task: SequenceTask, targets: TargetModules = .names(["q_proj", "v_proj"]), rank: Int, alpha: Double? = nil,
             scaling: LoRAScaling = .standard, steps: Int = steps, label: String) throws -> TransformerModel<Float> {
    var model = pretrained
    try model.injectLoRA(targets: targets, hyperparameters: LoRAHyperparameters(rank: rank, alpha: alpha ?? Double(2 * rank), scaling: scaling),
                         seed: baseSeed + 200)
    train(&model, tasks: [task], steps: steps, learningRate: learningRate, seed: baseSeed + 300, label: label)
    return model
}

var before = Table(columns: ["task", "role", "held-out loss", "token accuracy", "exact match"])
for task in suite.pretraining + suite.fineTuning {
    let e = pretrained.evaluate(heldOut(task))
    before.add(task.name, suite.pretraining.contains(task) ? "pre-training" : "fine-tuning",
               fmt(e.loss, 3), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
}
before.print()

/*:
## Rank sweep

RANK-PROSE
*/
cell("Rank sweep")
let sweepRanks = [1, 2, 4, 8, 16, 32, 64]
var sweep = Table(columns: ["r", "α", "trainable", "% of model", "held-out loss", "token accuracy", "exact match"])
var sweepResults: [(rank: Int, loss: Double, exact: Double)] = []
for r in sweepRanks {
    let model = try adapted(suite.reverse, rank: r, label: "reverse r=\(r)")
    let e = model.evaluate(heldOut(suite.reverse))
    let count = model.parameterCount
    sweep.add(String(r), String(2 * r), grouped(count.trainable), percent(Double(count.trainable) / Double(count.total), 2),
              fmt(e.loss, 4), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1))
    sweepResults.append((r, e.loss, e.exactMatch))
}
sweep.print()
do {
    var tooLarge = pretrained
    try tooLarge.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 65, alpha: 130), seed: 1)
    print("r = 65 was accepted (unexpected)")
} catch {
    print("r = 65: \(error)")
}

/*:
## α/r or α/√r at high rank

ALPHA-PROSE
*/
cell("α/r or α/√r at high rank")
var scalingTable = Table(columns: ["r", "α", "s = α/r", "exact (α/r)", "loss (α/r)", "s = α/√r", "exact (rsLoRA)", "loss (rsLoRA)"])
var scalingResults: [(rank: Int, standard: Double, stabilized: Double)] = []
for r in [4, 16, 64] {
    let standard = try adapted(suite.reverse, rank: r, alpha: 8, label: "α/r r=\(r)").evaluate(heldOut(suite.reverse))
    let stabilized = try adapted(suite.reverse, rank: r, alpha: 8, scaling: .rankStabilized, label: "rsLoRA r=\(r)").evaluate(heldOut(suite.reverse))
    scalingTable.add(String(r), "8", fmt(8 / Double(r), 3), percent(standard.exactMatch, 1), fmt(standard.loss, 4),
                     fmt(8 / Double(r).squareRoot(), 3), percent(stabilized.exactMatch, 1), fmt(stabilized.loss, 4))
    scalingResults.append((r, standard.loss, stabilized.loss))
}
scalingTable.print()

/*:
## Which modules to adapt

TARGET-PROSE
*/
cell("Which modules to adapt")
let targetSteps = steps / 2
let targetChoices: [(label: String, targets: TargetModules, rank: Int)] = [
    ("q, v", .names(["q_proj", "v_proj"]), 8),
    ("q, k, v, o", .names(["q_proj", "k_proj", "v_proj", "o_proj"]), 8),
    ("all-linear", .allLinear, 8),
    ("q, k, v, o", .names(["q_proj", "k_proj", "v_proj", "o_proj"]), 4),
    ("all-linear", .allLinear, 2),
]
var targetTable = Table(columns: ["targets", "r", "layers", "trainable", "reverse exact", "reverse loss", "substitute exact", "substitute loss"])
for choice in targetChoices {
    var row = [choice.label, String(choice.rank)]
    var first = true
    for task in [suite.reverse, suite.substitute] {
        let model = try adapted(task, targets: choice.targets, rank: choice.rank, steps: targetSteps, label: "\(choice.label) r=\(choice.rank) \(task.name)")
        if first {
            row += [String(model.adaptedLayerNames.count), grouped(model.parameterCount.trainable)]
            first = false
        }
        let e = model.evaluate(heldOut(task))
        row += [percent(e.exactMatch, 1), fmt(e.loss, 4)]
    }
    targetTable.add(row: row)
}
targetTable.print()

/*:
ALLLINEAR-PROSE
*/
cell("The seed's [\"all_linear\"]")
do {
    var model = pretrained
    try model.injectLoRA(targets: .names(["all_linear"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 1)
    print("[\"all_linear\"] adapted \(model.adaptedLayerNames.count) layers (unexpected)")
} catch {
    print("[\"all_linear\"] → error: \(error)")
}
var fixed = pretrained
let fixedNames = try fixed.injectLoRA(targets: TargetModules("all-linear"), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 1)
print("\"all-linear\" → \(fixedNames.count) layers: \(fixedNames.joined(separator: ", "))")

/*:
## Two adapters merged into one model

MERGE-PROSE
*/
cell("Two adapters merged into one model")
let pair = [suite.reverse, suite.shift5]
let adapters = try pair.map { try adapted($0, rank: 8, label: "adapter for \($0.name)") }
/// W0 + ΔW₁ + ΔW₂ in every adapted layer: both adapters merged into one plain model.
var bothMerged = pretrained
for name in adapters[0].adaptedLayerNames {
    var weight = pretrained[linear: name].plainLinear!.weight
    for model in adapters { weight += model[linear: name].loraLinear!.deltaWeight }
    bothMerged[linear: name] = .linear(Linear(weight: weight))
}
var mergeTable = Table(columns: (["model"] + pair.flatMap { [$0.name + " exact", $0.name + " loss"] }).map { Table.Column($0) })
var mergeRows: [String: [EvaluationResult]] = [:]
for (label, model) in [("pre-trained", pretrained), ("adapter 1 (\(pair[0].name))", adapters[0]), ("adapter 2 (\(pair[1].name))", adapters[1]),
                       ("both merged: W0 + ΔW1 + ΔW2", bothMerged)] {
    let results = pair.map { model.evaluate(heldOut($0)) }
    mergeRows[label] = results
    mergeTable.add(label, percent(results[0].exactMatch, 1), fmt(results[0].loss, 3), percent(results[1].exactMatch, 1), fmt(results[1].loss, 3))
}
mergeTable.print()
for (i, task) in pair.enumerated() {
    let alone = mergeRows["adapter \(i + 1) (\(task.name))"]![i].exactMatch
    let merged = mergeRows["both merged: W0 + ΔW1 + ΔW2"]![i].exactMatch
    print("\(task.name): exact match \(percent(alone, 1)) with its own adapter, \(percent(merged, 1)) merged with the other (drop \(fmt(100 * (alone - merged), 1)) points)")
}
/// One adapter trained on both tasks at once (twice the steps: the same examples per task).
var jointModel = pretrained
try jointModel.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: baseSeed + 200)
train(&jointModel, tasks: pair, steps: 2 * steps, learningRate: learningRate, seed: baseSeed + 300, label: "one adapter, both tasks")
let jointResults = pair.map { jointModel.evaluate(heldOut($0)) }
print("one adapter trained on both tasks (\(2 * steps) steps): " + zip(pair, jointResults).map { "\($0.name) exact \(percent($1.exactMatch, 1))" }.joined(separator: ", "))

/*:
## What a low rank cannot learn

LIMIT-PROSE
*/
cell("What a low rank cannot learn")
let limitRanks = [1, 2, 4, 8]
let checkpoints = [300, 600, 1200]
var limitTable = Table(columns: ["r (v_proj only)", "trainable"] as [Table.Column] + checkpoints.flatMap { [Table.Column("tokens @\($0)"), Table.Column("loss @\($0)")] })
var limitCurves: [(rank: Int, accuracy: [Double])] = []
for r in limitRanks {
    var model = pretrained
    try model.injectLoRA(targets: .names(["v_proj"]), hyperparameters: LoRAHyperparameters(rank: r, alpha: 16), seed: baseSeed + 200)
    var optimizer = AdamWOptimizer<Float>()
    var row = [String(r), grouped(model.parameterCount.trainable)]
    var done = 0
    var accuracy: [Double] = []
    let bar = ProgressBar(total: checkpoints.last!, label: "substitute, v_proj r=\(r)")
    for (i, checkpoint) in checkpoints.enumerated() {
        let segment = checkpoint - done
        let offset = done
        Trainer.train(&model, optimizer: &optimizer,
                      configuration: TrainingConfiguration(steps: segment, batchSize: 32, schedule: .constant(learningRate, totalSteps: segment),
                                                           seed: baseSeed + 400 + UInt64(i)),
                      tasks: [suite.substitute]) { p in
            bar.update(offset + p.step)
            return .continue
        }
        done = checkpoint
        let e = model.evaluate(heldOut(suite.substitute))
        row += [percent(e.tokenAccuracy, 1), fmt(e.loss, 3)]
        accuracy.append(e.tokenAccuracy)
    }
    bar.finish()
    limitTable.add(row: row)
    limitCurves.append((r, accuracy))
}
limitTable.print()
