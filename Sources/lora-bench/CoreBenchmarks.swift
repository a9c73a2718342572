import LoRA
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// `Matrix.matmul` against a raw `cblas_sgemm` on the same 1024×1024 inputs (throughput fraction):
/// what the `Matrix` wrapper costs over BLAS, so `Matrix.matmul` runs with the BLAS engine here
/// (the deterministic engine's cost is measured in `ProductEngineBenchmarks.swift`).
func matrixProductVersusRawGEMM(repetitions: Int) -> BenchmarkResult {
    let n = 1024
    var g = SeededGenerator(seed: 1)
    let a = Matrix<Float>.normal(n, n, using: &g)
    let b = Matrix<Float>.normal(n, n, using: &g)
    var raw = [Float](repeating: 0, count: n * n)
    var sink: Float = 0
    let (tMatrix, tRaw) = interleavedMedians(repetitions: repetitions, {
        let c = ProductEngine.$current.withValue(.blas) { a.matmul(b) }
        sink += c.storage[0]
    }, {
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                raw.withUnsafeMutableBufferPointer { cp in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                                1, ap.baseAddress, Int32(n), bp.baseAddress, Int32(n), 0, cp.baseAddress, Int32(n))
                }
            }
        }
        sink += raw[0]
    })
    blackHole(sink)
    return BenchmarkResult(
        name: "Matrix product throughput / raw cblas_sgemm (1024×1024×1024, Float)",
        value: tRaw / tMatrix, unit: "ratio",
        numerator: ("raw cblas_sgemm", tRaw), denominator: ("Matrix.matmul", tMatrix),
        target: (.atLeast, 0.95))
}

/// LoRALinear forward + backward against the frozen base's forward + input gradient alone.
func loraOverhead(repetitions: Int) -> BenchmarkResult {
    let (n, d, r) = (512, 1024, 16)
    var g = SeededGenerator(seed: 2)
    var base = Linear<Float>(inFeatures: d, outFeatures: d, using: &g)
    base.isTrainable = false
    var lora = try! LoRALinear(base: base, hyperparameters: .init(rank: r, alpha: 32), using: &g)
    lora.b = .normal(d, r, std: 0.01, using: &g)
    let x = Matrix<Float>.normal(n, d, using: &g)
    let dy = Matrix<Float>.normal(n, d, using: &g)
    var rng = SeededGenerator(seed: 3)
    var sink: Float = 0
    let (tLoRA, tBase) = interleavedMedians(repetitions: repetitions, {
        let (y, cache) = lora.forward(x, training: &rng)
        let grads = lora.backward(dy, cache: cache)
        sink += y.storage[0] + grads.input.storage[0] + grads.parameters[0].value.storage[0] + grads.parameters[1].value.storage[0]
    }, {
        let (y, cache) = base.forward(x, training: &rng)
        let grads = base.backward(dy, cache: cache)
        sink += y.storage[0] + grads.input.storage[0]
    })
    blackHole(sink)
    return BenchmarkResult(
        name: "LoRALinear fwd+bwd time / frozen base fwd+input-grad (512×1024→1024, r=16, Float)",
        value: tLoRA / tBase, unit: "ratio",
        numerator: ("LoRALinear forward+backward", tLoRA), denominator: ("base forward+dx", tBase),
        target: (.atMost, 1.25))
}
