import LoRA
import Notebook
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// lora-bench: the package's speed targets, measured in one run and reported as medians.
//
//   swift run -c release lora-bench [--json] [--repetitions N] [--blas]
//
// The OpenBLAS kernel is chosen by CPU feature (see KernelChoice.swift): when OpenBLAS picked a
// slow one, lora-bench restarts itself with the fastest kernel this CPU supports and prints it;
// an OPENBLAS_CORETYPE the CPU cannot run is refused. Tests never set OPENBLAS_CORETYPE.

/// The most repetitions accepted: 1000 medians of the slowest figure already take minutes.
let maximumRepetitions = 1000

/// The groups of figures, in the order they run.
let benchmarkGroups = ["core", "products", "quantization", "training", "variants", "llama"]

let usage = """
    usage: lora-bench [--json] [--repetitions N] [--only GROUP] [--blas]

    Measures the package's performance targets as ratios timed in one run (medians after a warm-up).
      --json            print one JSON object per figure instead of a table
      --repetitions N   timed repetitions per measurement (default 15, from 3 to \(maximumRepetitions))
      --only GROUP      measure one group of figures: \(benchmarkGroups.joined(separator: ", "))
      --blas            print the BLAS library and kernel in use, and exit
      --help            show this message
    Build with -c release.

    OpenBLAS kernel: when OpenBLAS picks a slow one, lora-bench restarts itself with the fastest
    kernel this CPU supports and prints which. To choose one yourself, set OPENBLAS_CORETYPE to a
    kernel your CPU has the instructions for: SkylakeX needs AVX-512 (avx512f), Haswell needs AVX2,
    Sandybridge needs AVX (`grep -o 'avx[^ ]*' /proc/cpuinfo | sort -u` lists yours). A kernel the
    CPU cannot run stops programs with an illegal instruction; lora-bench refuses it.
    """

var only: String? = nil
var json = false
var blasOnly = false
var repetitions = 15
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--json": json = true
    case "--blas": blasOnly = true
    case "--help", "-h": print(usage); exit(0)
    case "--only":
        guard let group = arguments.popFirst(), benchmarkGroups.contains(group) else {
            printError("lora-bench: --only needs one of \(benchmarkGroups.joined(separator: ", "))\n\n" + usage)
            exit(2)
        }
        only = group
    case "--repetitions":
        guard let text = arguments.popFirst() else {
            printError("lora-bench: --repetitions needs a value, an integer from 3 to \(maximumRepetitions)\n\n" + usage)
            exit(2)
        }
        guard let n = Int(text), (3...maximumRepetitions).contains(n) else {
            printError("lora-bench: --repetitions must be an integer from 3 to \(maximumRepetitions) (the cap keeps a run to minutes), got '\(text)'\n\n" + usage)
            exit(2)
        }
        repetitions = n
    default:
        printError("lora-bench: unknown argument '\(argument)'\n\n" + usage)
        exit(2)
    }
}

let restarted = getenv(KernelChoice.pickedVariable).map { String(cString: $0) } == "1"
switch KernelChoice.decide(requested: getenv("OPENBLAS_CORETYPE").map { String(cString: $0) },
                           info: BLASInfo.current, alreadyRestarted: restarted) {
case .keep: break
case .restart(let kernel): KernelChoice.restart(with: kernel)  // returns only if exec failed
case .refuse(let message):
    printError("lora-bench: \(message)")
    exit(2)
}

let blas = BLASInfo.current
let picked = restarted ? "kernel \(blas.kernel) picked by lora-bench: the fastest this CPU supports (\(blas.cpuFeatures.first.map(KernelChoice.featureName) ?? "SIMD"))" : nil
if blasOnly {
    print("BLAS: \(blas)")
    if let picked { print(picked) }
    exit(0)
}
var results = [BenchmarkResult]()
for group in benchmarkGroups where only == nil || only == group {
    switch group {
    case "core": results += [matrixProductVersusRawGEMM(repetitions: repetitions), loraOverhead(repetitions: repetitions)]
    case "products": results += productEngineBenchmarks(repetitions: repetitions)
    case "quantization": results += quantizationBenchmarks(repetitions: repetitions)
    case "training": results += trainingBenchmarks(repetitions: repetitions)
    case "variants": results += variantBenchmarks(repetitions: repetitions)
    default: results += llamaBenchmarks(repetitions: repetitions)
    }
}

if json {
    print("{\"blas\": \(jsonString(blas.description)), \"kernel\": \(jsonString(blas.kernel)), \"kernel_picked_by_lora_bench\": \(restarted), \"repetitions\": \(repetitions), \"results\": [")
    print(results.map { "  " + $0.json }.joined(separator: ",\n"))
    print("]}")
} else {
    print("BLAS: \(blas)")
    if let picked { print(picked) }
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
