/// Benchmarks contributed by other areas (quantization, training) are listed here.
func extraBenchmarks(repetitions: Int) -> [BenchmarkResult] {
    productEngineBenchmarks(repetitions: repetitions) + quantizationBenchmarks(repetitions: repetitions)
        + trainingBenchmarks(repetitions: repetitions)
}
