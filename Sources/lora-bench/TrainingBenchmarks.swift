import LoRA
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU seconds of the calling thread (with one BLAS thread, GEMMs run on it too), so that other
/// processes on a busy machine do not inflate the figure.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Milliseconds per training step (forward, backward, clipping, AdamW) of the tasks' default
/// model (`TaskSuite().modelConfiguration()`: d = 64, 4 heads, 2 layers, T = 17) at batch 32,
/// for LoRA r = 8 on q, v and for full fine-tuning, as thread-CPU medians, with the products on
/// the deterministic engine (the default, what the chapters run) and on BLAS, and their ratio.
///
/// Every product here runs on the calling thread: the deterministic kernel keeps products this
/// small on it, and BLAS is set to one thread (restored afterwards), so the thread's CPU time
/// covers the GEMMs too. The allocator keeps freed memory (``AllocatorTuning``, as
/// `Trainer.train` does), so the step pays no page faults.
/// (Where the time goes inside a step was measured separately with `perf record -e cpu-clock`.)
func trainingBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    let threadsBefore = BLASInfo.current.threads
    BLASInfo.setThreadCount(1)
    defer { BLASInfo.setThreadCount(max(1, threadsBefore)) }
    AllocatorTuning.keepFreedMemoryForReuse()
    let suite = TaskSuite()
    var data = SeededGenerator(seed: 3)
    let batches = (0..<8).map { _ in SequenceTask.batch(from: suite.pretraining, size: 32, using: &data) }
    var results: [BenchmarkResult] = []
    for (label, lora) in [("LoRA r=8 on q,v", true), ("full fine-tuning", false)] {
        var perEngine: [ProductEngine: Double] = [:]
        for engine in [ProductEngine.deterministic, .blas] {
            var model = try! TransformerModel<Float>(configuration: suite.modelConfiguration(), seed: 1)
            if lora { try! model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 8, alpha: 16), seed: 2) }
            var optimizer = AdamW<Float>()
            var dropout = SeededGenerator(seed: 4)
            var step = 0
            func oneStep() {
                _ = Trainer.step(&model, batch: batches[step % batches.count], optimizer: &optimizer, learningRate: 1e-3,
                                 maxGradientNorm: 1.0, generator: &dropout)
                step += 1
            }
            var samples: [Double] = []
            ProductEngine.$current.withValue(engine) {
                for _ in 0..<20 { oneStep() }
                // Each timed sample is 10 steps, to stay well above the clock's resolution.
                for _ in 0..<repetitions {
                    let start = threadCPUSeconds()
                    for _ in 0..<10 { oneStep() }
                    samples.append((threadCPUSeconds() - start) / 10)
                }
            }
            perEngine[engine] = median(samples)
            let products = engine == .blas ? "BLAS products (1 thread)" : "deterministic products"
            results.append(BenchmarkResult(
                name: "training step, tiny model (d=64, 2 layers), batch 32, \(label), \(products), CPU time",
                value: median(samples) * 1e3, unit: "ms/step"))
        }
        results.append(BenchmarkResult(
            name: "training step deterministic / BLAS products, \(label)",
            value: perEngine[.deterministic]! / perEngine[.blas]!, unit: "ratio",
            numerator: ("deterministic", perEngine[.deterministic]!), denominator: ("BLAS", perEngine[.blas]!)))
    }
    return results
}
