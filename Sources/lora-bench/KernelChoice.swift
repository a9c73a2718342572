import LoRA
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which OpenBLAS kernel lora-bench runs on, named by the CPU feature it needs.
///
/// ```
/// kernel        needs     (OpenBLAS's names)
/// SkylakeX      avx512f   also Cooperlake, SapphireRapids
/// Haswell       avx2      also Zen, SkylakeX's AVX2 cousins
/// Sandybridge   avx
/// ```
/// Debian's OpenBLAS 0.3.21 falls back to the slow 'Prescott' kernel on some recent CPUs. When it
/// does and `OPENBLAS_CORETYPE` is not set, lora-bench starts itself again with the fastest kernel
/// this CPU supports and says so. A kernel set by hand that needs a feature the CPU lacks would
/// stop every product with an illegal instruction; lora-bench refuses it with a message instead.
enum KernelChoice {
    /// The environment variable that marks a re-started lora-bench (so it restarts at most once).
    static let pickedVariable = "LORA_BENCH_PICKED_KERNEL"

    /// The CPU feature (as /proc/cpuinfo spells it) a kernel needs, or nil when it needs none
    /// of the checked ones or is unknown.
    static func requiredFeature(of kernel: String) -> String? {
        switch kernel.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": "avx512f"
        case "haswell", "zen", "excavator", "steamroller", "piledriver": "avx2"
        case "sandybridge", "bulldozer": "avx"
        default: nil
        }
    }

    /// Readable names of the features.
    static func featureName(_ feature: String) -> String {
        switch feature {
        case "avx512f": "AVX-512"
        case "avx2": "AVX2"
        case "avx": "AVX"
        default: feature
        }
    }

    /// What to do about the kernel before any product runs.
    enum Decision: Equatable {
        /// Run as is.
        case keep
        /// Start again with `OPENBLAS_CORETYPE` set to this kernel.
        case restart(with: String)
        /// Stop with this message (exit 2).
        case refuse(String)
    }

    /// The decision for a requested kernel (`OPENBLAS_CORETYPE`, if set) on a CPU with `features`,
    /// given what OpenBLAS would pick and whether this run is already a restart.
    static func decide(requested: String?, info: BLASInfo, alreadyRestarted: Bool) -> Decision {
        if let requested, !requested.isEmpty {
            if let needed = requiredFeature(of: requested), !info.cpuFeatures.contains(needed) {
                let has = info.cpuFeatures.isEmpty ? "none of AVX-512, AVX2, AVX" : info.cpuFeatures.map(featureName).joined(separator: ", ")
                let instead = info.suitableKernel.map { "use \($0), or " } ?? ""
                return .refuse("OPENBLAS_CORETYPE=\(requested) needs \(featureName(needed)), which this CPU lacks (it has \(has)); "
                    + "it would stop with an illegal instruction. \(instead.capitalizedFirst)unset OPENBLAS_CORETYPE and lora-bench picks the fastest supported kernel")
            }
            return .keep
        }
        guard !alreadyRestarted, info.library == "OpenBLAS", info.hint != nil, let better = info.suitableKernel else { return .keep }
        return .restart(with: better)
    }

    /// Replaces this process with lora-bench again, `OPENBLAS_CORETYPE=kernel` set; returns only on failure.
    static func restart(with kernel: String) {
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        setenv(pickedVariable, "1", 1)
        #if os(Linux)
        let path = "/proc/self/exe"
        #else
        let path = CommandLine.arguments[0]
        #endif
        let argv = CommandLine.arguments.map { strdup($0) } + [nil]
        execv(path, argv)
        for p in argv { free(p) }
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(pickedVariable)
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
