import LoRA
import Notebook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// lora-bench: the package's speed targets, measured in one run and reported as medians.
//
//   swift run -c release lora-bench [--json] [--repetitions N]
//
// Benchmarks may set OPENBLAS_CORETYPE (tests never do); the kernel in use is printed.

let usage = """
    usage: lora-bench [--json] [--repetitions N]

    Measures the package's performance targets as ratios timed in one run (medians after a warm-up).
      --json            print one JSON object per figure instead of a table
      --repetitions N   timed repetitions per measurement (default 15, at least 3)
      --help            show this message
    Build with -c release. Set OPENBLAS_CORETYPE (e.g. SkylakeX) to choose OpenBLAS's kernel.
    """

var json = false
var repetitions = 15
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--json": json = true
    case "--help", "-h": print(usage); exit(0)
    case "--repetitions":
        guard let text = arguments.popFirst(), let n = Int(text), n >= 3 else {
            printError("lora-bench: --repetitions needs an integer ≥ 3\n\n" + usage)
            exit(2)
        }
        repetitions = n
    default:
        printError("lora-bench: unknown argument '\(argument)'\n\n" + usage)
        exit(2)
    }
}

let blas = BLASInfo.current
var results = [BenchmarkResult]()
results.append(matrixProductVersusRawGEMM(repetitions: repetitions))
results.append(loraOverhead(repetitions: repetitions))
results += quantizationBenchmarks(repetitions: repetitions) + trainingBenchmarks(repetitions: repetitions)
results += variantBenchmarks(repetitions: repetitions)

if json {
    print("{\"blas\": \(jsonString(blas.description)), \"kernel\": \(jsonString(blas.kernel)), \"repetitions\": \(repetitions), \"results\": [")
    print(results.map { "  " + $0.json }.joined(separator: ",\n"))
    print("]}")
} else {
    print("BLAS: \(blas)")
    if let hint = blas.hint { print("hint: \(hint)") }
    print("medians of \(repetitions) repetitions after warm-up\n")
    let nameWidth = results.map(\.name.count).max() ?? 10
    print("figure".padding(nameWidth) + "  value     target   ok   timings")
    for r in results {
        let target = r.target.map { "\($0.0.rawValue) \(fmt($0.1, 2))" } ?? ""
        let ok = r.meetsTarget.map { $0 ? "yes" : "NO" } ?? ""
        var timings = ""
        if let n = r.numerator, let d = r.denominator {
            timings = "\(n.label) \(fmt(n.seconds * 1e3, 2)) ms / \(d.label) \(fmt(d.seconds * 1e3, 2)) ms"
        }
        print(r.name.padding(nameWidth) + "  " + (fmt(r.value, 3) + " " + r.unit).padding(9) + " " + target.padding(8) + " " + ok.padding(4) + " " + timings)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

func printError(_ s: String) {
    let line = s + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
}
