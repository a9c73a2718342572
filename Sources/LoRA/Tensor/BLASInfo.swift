#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which BLAS the package runs on, and whether it picked a kernel that suits the CPU.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some recent Xeons and falls back to the
/// 'Prescott' (SSE3) kernel, about 7× slower than 'SkylakeX' on the same machine. ``hint``
/// says so in one line and names the fix (`OPENBLAS_CORETYPE`).
public struct BLASInfo: Sendable, CustomStringConvertible {
    /// "OpenBLAS" or "Accelerate".
    public let library: String
    /// OpenBLAS's build configuration string (version and options), or "Accelerate".
    public let configuration: String
    /// The compute kernel OpenBLAS chose (e.g. "SkylakeX", "Haswell", "Prescott").
    public let kernel: String
    /// Threads BLAS may use.
    public let threads: Int
    /// SIMD features this CPU reports (from /proc/cpuinfo on Linux): "avx512f", "avx2", "avx", "sse3".
    public let cpuFeatures: [String]
    /// The `OPENBLAS_CORETYPE` override in the environment, if any.
    public let coretypeOverride: String?

    /// A description assembled by hand (for tests and for reports from another machine).
    public init(
        library: String, configuration: String, kernel: String, threads: Int,
        cpuFeatures: [String], coretypeOverride: String? = nil
    ) {
        self.library = library
        self.configuration = configuration
        self.kernel = kernel
        self.threads = threads
        self.cpuFeatures = cpuFeatures
        self.coretypeOverride = coretypeOverride
    }

    /// Reads the linked BLAS and the CPU.
    public static var current: BLASInfo {
        let features = cpuSIMDFeatures()
        let override = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        #if canImport(Accelerate)
        return BLASInfo(
            library: "Accelerate", configuration: "Accelerate", kernel: "Accelerate",
            threads: 0, cpuFeatures: features, coretypeOverride: override)
        #else
        let kernel = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        return BLASInfo(
            library: "OpenBLAS", configuration: config.trimmingSpaces, kernel: kernel,
            threads: Int(openblas_get_num_threads()), cpuFeatures: features, coretypeOverride: override)
        #endif
    }

    /// Fixes the number of threads BLAS uses from now on (OpenBLAS; Accelerate manages its own).
    ///
    /// It matters only for products on the BLAS engine (``ProductEngine/blas``): products of
    /// small matrices (the tiny transformer's are 544 × 64 × 64) run faster on one BLAS thread
    /// than on several that mostly wait for each other, and OpenBLAS splits a product differently
    /// for each thread count, so its rounding depends on it. The default, deterministic engine
    /// gives the same bits on any number of threads and keeps small products on one thread.
    public static func setThreadCount(_ threads: Int) {
        precondition(threads >= 1, "BLASInfo.setThreadCount: need at least one thread, got \(threads)")
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(threads))
        #endif
    }

    /// The best kernel family the CPU supports, as OpenBLAS names it.
    public var suitableKernel: String? {
        if cpuFeatures.contains("avx512f") { return "SkylakeX" }
        if cpuFeatures.contains("avx2") { return "Haswell" }
        if cpuFeatures.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// One line when the chosen kernel is far below what the CPU supports, else `nil`.
    public var hint: String? {
        guard library == "OpenBLAS", let better = suitableKernel else { return nil }
        let weak: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "katmai", "atom", "unknown"]
        guard weak.contains(kernel.lowercased()) else { return nil }
        return "OpenBLAS picked the '\(kernel)' kernel on a CPU with \(cpuFeatures.first ?? "SIMD"); "
            + "set OPENBLAS_CORETYPE=\(better) for much faster products (about 7× here)."
    }

    /// A one-line summary such as `OpenBLAS 0.3.21, kernel SkylakeX, 2 threads`.
    public var description: String {
        let version = configuration.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        var line = "\(library)\(version.isEmpty || library != "OpenBLAS" ? "" : " " + version), kernel \(kernel)"
        if threads > 0 { line += ", \(threads) thread\(threads == 1 ? "" : "s")" }
        if let o = coretypeOverride { line += " (OPENBLAS_CORETYPE=\(o))" }
        return line
    }

    private static func cpuSIMDFeatures() -> [String] {
        #if os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
            return ["avx512f", "avx2", "avx", "sse3"].filter { flags.contains($0 == "sse3" ? "pni" : $0) }
        }
        return []
        #else
        return []
        #endif
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
