// scratch
import LoRA
import Notebook
import Foundation

let env = ProcessInfo.processInfo.environment
let suite = TaskSuite(alphabetSize: 32, length: 8, seed: 7)
var t0 = monotonicSeconds()
var base = try TransformerModel<Float>(configuration: suite.modelConfiguration(), seed: 1)
var opt = AdamWOptimizer<Float>()
Trainer.train(&base, optimizer: &opt, configuration: TrainingConfiguration(steps: 600, batchSize: 32, learningRate: 3e-3, seed: 11), tasks: suite.pretraining)
print("pretrain \(fmt(monotonicSeconds() - t0, 2)) s")
func held(_ task: SequenceTask) -> TokenBatch { var g = SeededGenerator(seed: 1000 + UInt64(task.tag)); return task.batch(size: 256, using: &g) }
let tasks = suite.fineTuning.filter { (env["TASKS"] ?? "reverse,rotate3,shift5,substitute").contains($0.name) }
let lrs = (env["LR"] ?? "1e-4,3e-4,1e-3,3e-3").split(separator: ",").map { Double($0)! }
let steps = Int(env["STEPS"] ?? "300")!
let pool = Int(env["POOL"] ?? "0")!
let drops = (env["DROP"] ?? "0").split(separator: ",").map { Double($0)! }
for task in tasks {
  for method in (env["METHODS"] ?? "full,lora").split(separator: ",") {
    for lr in lrs { for dr in drops {
      t0 = monotonicSeconds()
      var m = base
      if method == "lora" { try m.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16, dropout: dr), seed: 5) }
      var o = AdamWOptimizer<Float>()
      var g0 = SeededGenerator(seed: 77)
      let fixed = pool > 0 ? task.batch(size: pool, using: &g0) : nil
      let cfg = TrainingConfiguration(steps: steps, batchSize: 32, learningRate: lr, seed: 21)
      let losses: [Double]
      if let fixed {
        let t = fixed.sequenceLength
        losses = Trainer.train(&m, optimizer: &o, configuration: cfg, nextBatch: { g in
          var tok: [Int] = [], tar: [Int] = []
          for _ in 0..<32 { let i = g.nextInt(below: pool); tok += fixed.tokens[(i*t)..<((i+1)*t)]; tar += fixed.targets[(i*t)..<((i+1)*t)] }
          return TokenBatch(tokens: tok, targets: tar, batchSize: 32, sequenceLength: t) })
      } else {
        losses = Trainer.train(&m, optimizer: &o, configuration: cfg, tasks: [task])
      }
      let e = m.evaluate(held(task))
      print(task.name, method, "lr=\(lr) drop=\(dr)", "train \(fmt(losses.suffix(20).reduce(0,+)/20, 3))", fmt(e.loss, 3), percent(e.tokenAccuracy, 1), percent(e.exactMatch, 1), "\(fmt(monotonicSeconds() - t0, 2)) s")
    } }
  }
}
