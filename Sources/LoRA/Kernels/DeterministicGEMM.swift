import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The deterministic product `C ← α·op(A)·op(B) + β·C` (see ``ProductEngine/deterministic``).
///
/// The C kernels compute tiles of 6 (AVX-512: 12) rows × 16 (Float) or 8 (Double) columns; this driver
/// prepares op(B), handles the degenerate cases as BLAS does, and splits large products into
/// row ranges that run on several threads. A row range changes which thread computes an element,
/// never the order of its sum, so the result does not depend on the number of threads.
enum DeterministicGEMM {
    /// Products with at least this many multiply-adds (m·n·k, about 0.4 ms on one core) run on
    /// several threads. Smaller ones (every product of the chapters' tiny transformer, the
    /// largest being its MLP weight gradient, 256 × 64 × 544) stay on the calling thread: handing
    /// them to others costs more than it saves, and more so on a busy machine.
    static let parallelThreshold = 1 << 25

    /// Rows per tile of the C kernel (6 with AVX2, 12 with AVX-512); row ranges given to threads
    /// are multiples of 12.
    static let tileRows = 12

    /// Processors the system reports (at least 1).
    static let processorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    static var instructionSet: String { String(cString: ckernels_instruction_set()) }

    /// Runs `body` with the kernels limited to the baseline (0), AVX2 (1) or AVX-512 (2), to show
    /// that every path computes the same bits. Process-wide while it runs.
    static func withInstructionSetLimited<R>(to limit: Int, _ body: () throws -> R) rethrows -> R {
        let before = ckernels_limit_instruction_set(Int32(limit))
        defer { _ = ckernels_limit_instruction_set(before) }
        return try body()
    }

    /// Buffers up to this many elements are taken from the stack.
    private static let stackElements = 4096

    @inline(__always)
    static func run<T>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int,
        packedCount: (Bool, Int32, Int32, Int) -> Int,
        pack: (Bool, Int32, Int32, UnsafePointer<T>, Int, UnsafeMutablePointer<T>) -> Void,
        rows: @Sendable (Bool, Bool, Int32, Int32, Int32, Int32, T, UnsafePointer<T>, Int, UnsafePointer<T>, Int,
                         UnsafePointer<T>, T, UnsafeMutablePointer<T>, Int) -> Void
    ) where T: BinaryFloatingPoint & Sendable {
        guard m > 0, n > 0 else { return }
        if k == 0 || alpha == 0 {
            // As BLAS: C ← β·C without reading A or B (β = 0 writes zeros, even over NaN).
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            }
            return
        }
        let count = max(1, packedCount(transposeB, Int32(k), Int32(n), ldb))
        func compute(_ packed: UnsafeMutablePointer<T>) {
            pack(transposeB, Int32(k), Int32(n), b, ldb, packed)
            let threads = m * n * k >= parallelThreshold ? min(processorCount, (m + tileRows - 1) / tileRows) : 1
            if threads <= 1 {
                rows(transposeA, transposeB, 0, Int32(m), Int32(n), Int32(k), alpha, a, lda, b, ldb, packed, beta, c, ldc)
                return
            }
            // Whole tiles per range, ranges as even as tiles allow.
            let tiles = (m + tileRows - 1) / tileRows
            let chunks = min(tiles, 4 * threads)
            let (aAddress, bAddress, cAddress, pAddress) = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c), UInt(bitPattern: packed))
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let first = chunk * tiles / chunks * tileRows
                let last = min(m, (chunk + 1) * tiles / chunks * tileRows)
                guard first < last else { return }
                rows(transposeA, transposeB, Int32(first), Int32(last), Int32(n), Int32(k), alpha,
                     UnsafePointer(bitPattern: aAddress)!, lda, UnsafePointer(bitPattern: bAddress)!, ldb,
                     UnsafePointer(bitPattern: pAddress)!, beta, UnsafeMutablePointer(bitPattern: cAddress)!, ldc)
            }
        }
        if count <= stackElements {
            withUnsafeTemporaryAllocation(of: T.self, capacity: count) { compute($0.baseAddress!) }
        } else {
            let packed = UnsafeMutablePointer<T>.allocate(capacity: count)
            defer { packed.deallocate() }
            compute(packed)
        }
    }

    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
            packedCount: { ckernels_packed_count_f32($0, $1, $2, $3) },
            pack: { ckernels_pack_b_f32($0, $1, $2, $3, $4, $5) },
            rows: { ckernels_gemm_rows_f32($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) })
    }

    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        run(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
            packedCount: { ckernels_packed_count_f64($0, $1, $2, $3) },
            pack: { ckernels_pack_b_f64($0, $1, $2, $3, $4, $5) },
            rows: { ckernels_gemm_rows_f64($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) })
    }
}
