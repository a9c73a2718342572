import LoRA

/// The cost of determinism: the package's deterministic GEMM kernel against BLAS on the
/// chapters' shapes and on 1024³, each as deterministic time / BLAS time, timed alternately in one
/// run (medians). The chapters' shapes run on one thread in both engines (the deterministic
/// kernel keeps products below 2²⁵ multiply-adds on the calling thread; BLAS is set to one thread
/// for them, which is also faster than two at these sizes); 1024³ runs on every core in both.
///
/// The aims: no slower than BLAS on the chapters' small shapes (ratio ≤ 1) and within
/// 3× on 1024³.
func productEngineBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    let shapes: [(label: String, m: Int, n: Int, k: Int, transposeB: Bool, bound: Double)] = [
        ("attention scores Q·Kᵀ per head, 17×17×16", 17, 17, 16, true, 1),
        ("attention P·V per head, 17×16×17", 17, 16, 17, false, 1),
        ("64×64×64", 64, 64, 64, false, 1),
        ("tiny model x·Wᵀ, 544×64×64", 544, 64, 64, true, 1),
        ("tiny model MLP x·Wᵀ, 544×256×64", 544, 256, 64, true, 1),
        ("256×64×256", 256, 64, 256, false, 1),
        ("1024×1024×1024", 1024, 1024, 1024, false, 3),
    ]
    let kernel = ProductEngine.deterministicInstructionSet
    let threadsBefore = max(1, BLASInfo.current.threads)
    defer { BLASInfo.setThreadCount(threadsBefore) }
    var results: [BenchmarkResult] = []
    for shape in shapes {
        let large = shape.m * shape.n * shape.k >= 1 << 25
        BLASInfo.setThreadCount(large ? threadsBefore : 1)
        var g = SeededGenerator(seed: 5)
        let a = Matrix<Float>.normal(shape.m, shape.k, using: &g)
        let b = shape.transposeB ? Matrix<Float>.normal(shape.n, shape.k, using: &g) : Matrix<Float>.normal(shape.k, shape.n, using: &g)
        var c = Matrix<Float>.zeros(shape.m, shape.n)
        // Each timed sample repeats the product so that it lasts a millisecond or more.
        let inner = max(1, 8_000_000 / (shape.m * shape.n * shape.k))
        func products(_ engine: ProductEngine) {
            ProductEngine.$current.withValue(engine) {
                for _ in 0..<inner { Matrix.gemm(a, b, transposeB: shape.transposeB, into: &c) }
            }
        }
        let (tDeterministic, tBLAS) = interleavedMedians(repetitions: repetitions, { products(.deterministic) }, { products(.blas) })
        let threads = large ? "all threads" : "1 thread"
        results.append(BenchmarkResult(
            name: "GEMM deterministic (\(kernel)) / BLAS, \(shape.label), Float, \(threads)",
            value: tDeterministic / tBLAS, unit: "ratio",
            numerator: ("deterministic ×\(inner)", tDeterministic), denominator: ("BLAS ×\(inner)", tBLAS),
            target: (.atMost, shape.bound)))
    }
    return results
}
