import Foundation
import LoRA
import Notebook

/// A LLaMA of about 31 M parameters (vocabulary 8192, d 512, 8 layers, 8 query heads over 4
/// key/value heads, SwiGLU 1376, untied), written as a transformers checkpoint folder:
///
/// - loading it (config.json, header, F32 tensors, the model built from them) against reading
///   the weights file's bytes twice, the bound for a loader without per-tensor copies
///   beyond the conversion to float;
/// - greedy generation with the key/value cache against rerunning the whole sequence for every
///   new token (the cache must pay), in tokens per second.
func llamaBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    let configuration = TransformerConfiguration.llama(
        vocabularySize: 8192, contextLength: 512, modelDimension: 512, headCount: 8, keyValueHeadCount: 4,
        layerCount: 8, mlpDimension: 1376, ropeTheta: 10_000)
    let model = try! TransformerModel<Float>(configuration: configuration, seed: 11)
    let parameters = model.parameterCount.total
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lora-bench-llama-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    try! model.saveCheckpoint(to: folder)
    let weights = folder.appendingPathComponent("model.safetensors")
    let millions = fmt(Double(parameters) / 1e6, 1)
    var sink = 0
    let slow = max(3, repetitions / 5)
    let (tLoad, tRead) = interleavedMedians(repetitions: slow, {
        let loaded = try! TransformerModel<Float>(checkpointFolder: folder)
        sink &+= loaded.configuration.vocabularySize
    }, {
        for _ in 0..<2 { sink &+= (try! Data(contentsOf: weights)).count }
    })

    // Greedy continuation of a 16-token prompt: 48 new tokens with the cache, and without.
    let prompt = (0..<16).map { ($0 * 613) % configuration.vocabularySize }
    let newTokens = 48
    var generator = SeededGenerator(seed: 1)
    let (tCached, tUncached) = interleavedMedians(warmup: 1, repetitions: max(3, repetitions / 5), {
        sink &+= (try! model.generate(prompt: prompt, maxNewTokens: newTokens, generator: &generator)).tokens.count
    }, {
        sink &+= (try! model.generate(prompt: prompt, maxNewTokens: newTokens, useCache: false, generator: &generator)).tokens.count
    })
    precondition(sink != 0)
    return [
        BenchmarkResult(
            name: "checkpoint load / reading its weights file twice (LLaMA \(millions) M parameters, F32)",
            value: tLoad / tRead, unit: "ratio",
            numerator: ("load folder → model", tLoad), denominator: ("read model.safetensors ×2", tRead),
            target: (.atMost, 1)),
        BenchmarkResult(
            name: "generation with the KV cache, tokens/s (LLaMA \(millions) M, 16-token prompt, \(newTokens) new, greedy)",
            value: Double(newTokens) / tCached, unit: "tok/s"),
        BenchmarkResult(
            name: "generation without the cache, tokens/s (same model and prompt)",
            value: Double(newTokens) / tUncached, unit: "tok/s"),
        BenchmarkResult(
            name: "generation time without the cache / with it (the cache must pay)",
            value: tUncached / tCached, unit: "ratio",
            numerator: ("uncached", tUncached), denominator: ("cached", tCached),
            target: (.atLeast, 1)),
    ]
}
