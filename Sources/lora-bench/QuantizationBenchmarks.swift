import LoRA

/// One measured figure from ``quantizationBenchmarks()``.
struct QuantizationBenchmarkResult: Sendable {
    /// What was measured, e.g. "NF4 quantize (blocksize 64)".
    let name: String
    /// The figure.
    let value: Double
    /// Its unit, e.g. "M values/s".
    let unit: String
}

/// Seconds taken by the fastest of `repeats` runs of `body` (after one warm-up run).
private func fastest(repeats: Int, _ body: () -> Void) -> Double {
    body()
    let clock = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<repeats {
        let elapsed = clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = min(best, seconds)
    }
    return best
}

/// NF4 quantize / dequantize throughput (single thread, 2^24 N(0,1) values, blocksize 64) and
/// QLoRALinear vs LoRALinear forward+backward time (512 rows, 1024 × 1024, r = 16).
///
/// Run from a release build with `OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1` and report
/// `BLASInfo.current` alongside.
func quantizationBenchmarks() -> [QuantizationBenchmarkResult] {
    var results = [QuantizationBenchmarkResult]()
    var g = SeededGenerator(seed: 1)
    let n = 1 << 24
    let values = (0..<n).map { _ in Float(g.nextNormal()) }
    var packed = [UInt8](repeating: 0, count: n / 2)
    var absmax = [Float](repeating: 0, count: n / 64)
    let quantizeTime = fastest(repeats: 5) {
        values.withUnsafeBufferPointer { v in
            packed.withUnsafeMutableBufferPointer { p in
                absmax.withUnsafeMutableBufferPointer { a in
                    Blockwise4Bit.quantize(v, blocksize: 64, codebook: .nf4, packed: p, absmax: a)
                }
            }
        }
    }
    results.append(.init(name: "NF4 quantize (blocksize 64, 1 thread)", value: Double(n) / quantizeTime / 1e6, unit: "M values/s"))
    var out = [Float](repeating: 0, count: n)
    let dequantizeTime = fastest(repeats: 5) {
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
    results.append(.init(name: "NF4 dequantize (blocksize 64, 1 thread)", value: Double(n) / dequantizeTime / 1e9, unit: "G values/s"))

    // Layer: x (512, 1024), W (1024, 1024), r = 16.
    let base = Linear<Float>(inFeatures: 1024, outFeatures: 1024, using: &g)
    let hp = LoRAHyperparameters(rank: 16, alpha: 16)
    var g1 = g, g2 = g
    let lora = try! LoRALinear(base: base, hyperparameters: hp, using: &g1)
    let qlora = try! QLoRALinear(base: base, hyperparameters: hp, blocksize: 64, doubleQuantization: true, using: &g2)
    let x = Matrix<Float>.normal(512, 1024, using: &g)
    let dy = Matrix<Float>.normal(512, 1024, using: &g)
    var rng = SeededGenerator(seed: 3)
    let loraTime = fastest(repeats: 5) {
        let (_, cache) = lora.forward(x, training: &rng)
        _ = lora.backward(dy, cache: cache)
    }
    let qloraTime = fastest(repeats: 5) {
        let (_, cache) = qlora.forward(x, training: &rng)
        _ = qlora.backward(dy, cache: cache)
    }
    results.append(.init(name: "LoRALinear forward+backward (512 × 1024 → 1024, r 16)", value: loraTime * 1e3, unit: "ms"))
    results.append(.init(name: "QLoRALinear forward+backward (NF4 + DQ, tiles of 128 rows)", value: qloraTime * 1e3, unit: "ms"))
    results.append(.init(name: "QLoRALinear / LoRALinear time", value: qloraTime / loraTime, unit: "×"))
    return results
}
