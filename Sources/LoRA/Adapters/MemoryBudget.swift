import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many bytes a reader may allocate for one file's values: the smaller of the machine's
/// physical memory and this process's address-space and data-segment limits (`RLIMIT_AS`,
/// `RLIMIT_DATA`, when set).
///
/// ```
/// budget = min(physical memory, RLIMIT_AS, RLIMIT_DATA)
/// a file whose decoded values need more than the budget is refused before anything is allocated
/// ```
/// A header can declare a tensor of any size and a sparse file backs it with no disk space, so
/// a reader that trusts the declared size asks for (say) 64 GiB and the process aborts. Refusing
/// what could never fit turns that crash into an error naming the tensor and its size.
enum MemoryBudget {
    /// The budget in bytes, and what set it ("physical memory", "RLIMIT_AS", "RLIMIT_DATA").
    static var current: (bytes: Int, source: String) {
        var best = (bytes: Int(clamping: ProcessInfo.processInfo.physicalMemory), source: "the machine's physical memory")
        for (resource, name) in limits {
            var limit = rlimit()
            guard getrlimit(resource, &limit) == 0, limit.rlim_cur != unlimited else { continue }
            let bytes = Int(clamping: limit.rlim_cur)
            if bytes < best.bytes { best = (bytes, "this process's \(name) limit") }
        }
        return best
    }

    /// `RLIM_INFINITY` (a macro Swift does not import on Linux).
    #if os(Linux)
    static let unlimited = rlim_t.max
    #else
    static let unlimited = RLIM_INFINITY
    #endif

    #if os(Linux)
    private static let limits: [(__rlimit_resource_t, String)] = [
        (__rlimit_resource_t(RLIMIT_AS.rawValue), "RLIMIT_AS"), (__rlimit_resource_t(RLIMIT_DATA.rawValue), "RLIMIT_DATA"),
    ]
    #else
    private static let limits: [(Int32, String)] = [(RLIMIT_AS, "RLIMIT_AS"), (RLIMIT_DATA, "RLIMIT_DATA")]
    #endif

    /// `bytes` as "64.0 GiB (68719476736 bytes)".
    static func describe(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        let rounded = gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
        return "\(rounded) (\(bytes) bytes)"
    }
}
