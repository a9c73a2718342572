import LoRA

/// NF4 quantize / dequantize throughput (single thread: these loops are plain Swift; 2^24 N(0,1)
/// values, blocksize 64) and QLoRALinear vs LoRALinear forward+backward time (512 rows,
/// 1024 × 1024, r = 16), all as medians.
func quantizationBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    var results = [BenchmarkResult]()
    var g = SeededGenerator(seed: 1)
    let n = 1 << 24
    let values = (0..<n).map { _ in Float(g.nextNormal()) }
    var packed = [UInt8](repeating: 0, count: n / 2)
    var absmax = [Float](repeating: 0, count: n / 64)
    let quantizeTime = medianSeconds(warmup: 1, repetitions: repetitions) {
        values.withUnsafeBufferPointer { v in
            packed.withUnsafeMutableBufferPointer { p in
                absmax.withUnsafeMutableBufferPointer { a in
                    Blockwise4Bit.quantize(v, blocksize: 64, codebook: .nf4, packed: p, absmax: a)
                }
            }
        }
    }
    results.append(BenchmarkResult(
        name: "NF4 quantize, 2^24 values, blocksize 64, 1 thread", value: Double(n) / quantizeTime / 1e6,
        unit: "M values/s", target: (.atLeast, 300)))
    var out = [Float](repeating: 0, count: n)
    let dequantizeTime = medianSeconds(warmup: 1, repetitions: repetitions) {
        packed.withUnsafeBufferPointer { p in
            absmax.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { o in
                    Blockwise4Bit.dequantize(
                        packed: p.baseAddress!, absmax: a.baseAddress!, blocksize: 64, codebook: .nf4,
                        elements: 0..<n, into: o.baseAddress!)
                }
            }
        }
    }
    results.append(BenchmarkResult(
        name: "NF4 dequantize to Float, 2^24 values, 1 thread", value: Double(n) / dequantizeTime / 1e9,
        unit: "G values/s", target: (.atLeast, 1)))

    // Layer: x (512, 1024), W (1024, 1024), r = 16.
    let base = Linear<Float>(inFeatures: 1024, outFeatures: 1024, using: &g)
    let hp = LoRAHyperparameters(rank: 16, alpha: 16)
    var g1 = g, g2 = g
    let lora = try! LoRALinear(base: base, hyperparameters: hp, using: &g1)
    let qlora = try! QLoRALinear(base: base, hyperparameters: hp, blocksize: 64, doubleQuantization: true, using: &g2)
    let x = Matrix<Float>.normal(512, 1024, using: &g)
    let dy = Matrix<Float>.normal(512, 1024, using: &g)
    var rng = SeededGenerator(seed: 3)
    var sink: Float = 0
    let (qloraTime, loraTime) = interleavedMedians(repetitions: repetitions, {
        let (y, cache) = qlora.forward(x, training: &rng)
        sink += y.storage[0] + qlora.backward(dy, cache: cache).input.storage[0]
    }, {
        let (y, cache) = lora.forward(x, training: &rng)
        sink += y.storage[0] + lora.backward(dy, cache: cache).input.storage[0]
    })
    blackHole(sink)
    results.append(BenchmarkResult(
        name: "QLoRALinear fwd+bwd time / LoRALinear's (NF4+DQ base, 512×1024→1024, r=16)",
        value: qloraTime / loraTime, unit: "ratio",
        numerator: ("QLoRALinear", qloraTime), denominator: ("LoRALinear", loraTime),
        target: (.atMost, 2)))
    return results
}
