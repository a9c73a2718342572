import LoRA

/// DoRA against LoRA at the LoRA-overhead shape (512×1024→1024, r = 16), and a mixed-adapter
/// batch against the merged layer.
///
/// PEFT's DoRA costs, per step, one weight norm on top of LoRA: forming W0 + s·B·A and its row
/// norms (2·d·k·r + 2·d·k flops and one (d, k) copy), plus element-wise work on the (n, d)
/// output. The second figure divides DoRA's time by LoRA's time plus one measured weight norm,
/// so it isolates what the layer adds beyond that norm (the element-wise passes).
///
/// The mixed batch serves 4 adapters of rank 16 on one base, each on a quarter of the 512 rows,
/// through `MultiAdapterLinear`; the merged layer is one dense weight (one adapter merged). The
/// branches add 2·r·(d + k) flops per row against 2·d·k for the base (3.1% here), plus the
/// gather and scatter of each adapter's rows.
func variantBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    let (n, d, r) = (512, 1024, 16)
    var g = SeededGenerator(seed: 5)
    var base = Linear<Float>(inFeatures: d, outFeatures: d, using: &g)
    base.isTrainable = false
    var lora = try! LoRALinear(base: base, hyperparameters: .init(rank: r, alpha: 32), using: &g)
    lora.b = .normal(d, r, std: 0.01, using: &g)
    let dora = try! DoRALinear(base: base, branch: lora.branch, magnitude: .uniform(1, d, low: 0.5, high: 1.5, using: &g))
    let x = Matrix<Float>.normal(n, d, using: &g)
    let dy = Matrix<Float>.normal(n, d, using: &g)
    var rng = SeededGenerator(seed: 6)
    var sink: Float = 0
    // Through `any LinearLayer`, as a model calls them.
    let loraLayer: any LinearLayer<Float> = lora, doraLayer: any LinearLayer<Float> = dora
    func step(_ layer: any LinearLayer<Float>) { forwardBackward(layer, x, dy, rng: &rng, sink: &sink) }
    let (tDoRA, tLoRA) = interleavedMedians(repetitions: repetitions, { step(doraLayer) }, { step(loraLayer) })
    let tNorm = medianSeconds(repetitions: repetitions) { sink += dora.weightNorm().storage[0] }
    var results = [
        BenchmarkResult(
            name: "DoRALinear fwd+bwd time / LoRALinear fwd+bwd (512×1024→1024, r=16, Float)",
            value: tDoRA / tLoRA, unit: "ratio",
            numerator: ("DoRA forward+backward", tDoRA), denominator: ("LoRA forward+backward", tLoRA)),
        BenchmarkResult(
            name: "DoRALinear fwd+bwd time / (LoRA fwd+bwd + one weight norm)",
            value: tDoRA / (tLoRA + tNorm), unit: "ratio",
            numerator: ("DoRA forward+backward", tDoRA), denominator: ("LoRA + weight norm", tLoRA + tNorm),
            target: (.atMost, 1.15)),
    ]

    // A mixed batch of 4 adapters against the merged dense layer.
    var served = MultiAdapterLinear(base: base)
    for k in 0..<4 {
        let branch = try! LoRABranch<Float>(a: .normal(r, d, std: 0.03, using: &g), b: .normal(d, r, std: 0.01, using: &g),
                                            hyperparameters: .init(rank: r, alpha: 32), inFeatures: d, outFeatures: d)
        served = try! served.adding("adapter\(k)", branch: branch)
    }
    served = served.routing((0..<n).map { "adapter\($0 % 4)" })
    let merged = lora.mergedAndUnloaded()
    let servedLayer: any LinearLayer<Float> = served, mergedLayer: any LinearLayer<Float> = merged
    let (tMixed, tMerged) = interleavedMedians(repetitions: repetitions, {
        sink += servedLayer.forward(x).storage[0]
    }, {
        sink += mergedLayer.forward(x).storage[0]
    })
    results += doraCostBenchmarks(base: base, lora: lora, dora: dora, x: x, dy: dy, repetitions: repetitions, sink: &sink)
    blackHole(sink)
    results.append(BenchmarkResult(
        name: "mixed batch, 4 adapters r=16 on one base / merged layer, forward (512×1024→1024, Float)",
        value: tMixed / tMerged, unit: "ratio",
        numerator: ("MultiAdapterLinear mixed batch", tMixed), denominator: ("merged Linear", tMerged),
        target: (.atMost, 1.25)))
    return results
}

/// The three costs of DoRA that PEFT pays beyond one norm per training step (chapter 14 names
/// them from `peft/tuners/lora/dora.py` and `variants.py`), each as a ratio measured here:
///
/// - unmerged inference: the weight norm is recomputed on every forward (PEFT caches it only
///   inside `DoraCaching`), so a DoRA forward costs more than a LoRA forward;
/// - `lora_dropout > 0`: a second base product on the dropped input, so a training step grows
///   with the batch against the same layer without dropout;
/// - a 4-bit base: the whole weight is dequantized for the norm on every forward.
func doraCostBenchmarks(base: Linear<Float>, lora: LoRALinear<Linear<Float>>, dora: DoRALinear<Linear<Float>>,
                        x: Matrix<Float>, dy: Matrix<Float>, repetitions: Int, sink: inout Float) -> [BenchmarkResult] {
    var rng = SeededGenerator(seed: 9)
    func step(_ layer: any LinearLayer<Float>) { forwardBackward(layer, x, dy, rng: &rng, sink: &sink) }
    // Inference, unmerged.
    let loraLayer: any LinearLayer<Float> = lora, doraLayer: any LinearLayer<Float> = dora
    let (tDoRAInference, tLoRAInference) = interleavedMedians(repetitions: repetitions, {
        sink += doraLayer.forward(x).storage[0]
    }, {
        sink += loraLayer.forward(x).storage[0]
    })
    // Training with lora_dropout = 0.1 against 0.
    let r = dora.branch.rank
    var h = dora.branch.hyperparameters
    h.dropout = 0.1
    let droppedBranch = try! LoRABranch<Float>(a: dora.branch.a, b: dora.branch.b, hyperparameters: h,
                                               inFeatures: base.inFeatures, outFeatures: base.outFeatures)
    let doraDropout: any LinearLayer<Float> = try! DoRALinear(base: base, branch: droppedBranch, magnitude: dora.magnitude)
    let (tDropout, tNoDropout) = interleavedMedians(repetitions: repetitions, { step(doraDropout) }, { step(doraLayer) })
    // On an NF4 base (double quantization, blocksize 64) against the dense base.
    let quantizedBase = try! QuantizedLinear(quantizing: base)
    let doraNF4: any LinearLayer<Float> = try! DoRALinear(base: quantizedBase, branch: dora.branch, magnitude: dora.magnitude)
    let loraNF4: any LinearLayer<Float> = try! LoRALinear(base: quantizedBase, branch: lora.branch)
    let (tDoRANF4, tLoRANF4) = interleavedMedians(repetitions: repetitions, { step(doraNF4) }, { step(loraNF4) })
    return [
        BenchmarkResult(
            name: "DoRA inference forward, unmerged / LoRA's (the norm on every forward; 512×1024→1024, r=\(r))",
            value: tDoRAInference / tLoRAInference, unit: "ratio",
            numerator: ("DoRA forward", tDoRAInference), denominator: ("LoRA forward", tLoRAInference)),
        BenchmarkResult(
            name: "DoRA fwd+bwd with lora_dropout 0.1 / without (a second base product on the dropped input)",
            value: tDropout / tNoDropout, unit: "ratio",
            numerator: ("dropout 0.1", tDropout), denominator: ("dropout 0", tNoDropout)),
        BenchmarkResult(
            name: "DoRA fwd+bwd on an NF4 base / LoRA on the same NF4 base (the weight dequantized for the norm)",
            value: tDoRANF4 / tLoRANF4, unit: "ratio",
            numerator: ("DoRA, NF4 base", tDoRANF4), denominator: ("LoRA, NF4 base", tLoRANF4)),
    ]
}

/// One forward and backward pass of `layer` through `any LinearLayer`, as a model calls it,
/// with a value of every result folded into `sink` (so that nothing is optimised away).
func forwardBackward(_ layer: any LinearLayer<Float>, _ x: Matrix<Float>, _ dy: Matrix<Float>, rng: inout SeededGenerator, sink: inout Float) {
    let (y, cache) = layer.forwardErasingCache(x, training: &rng)
    let grads = layer.backward(dy, erasedCache: cache)
    sink += y.storage[0] + grads.input.storage[0] + grads.parameters.reduce(0) { $0 + $1.value.storage[0] }
}
