#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which arithmetic computes the package's matrix products.
///
/// ```
/// .deterministic   c_ij = α·s_ij + β·c_ij,   s_ij = ((0 + a_i0·b_0j) + a_i1·b_1j) + … + a_i,k−1·b_k−1,j
///                  (every product and every sum rounded, in this order)     same bits on every machine
/// .blas            the system BLAS (OpenBLAS, Accelerate)                     faster on large products;
///                  its summation order depends on the CPU kernel and the thread count
/// ```
/// The default is ``deterministic``, so that a chapter prints the page's numbers on any CPU, BLAS
/// kernel, thread count or operating system. Set `LORA_BLAS=1` in the environment to make BLAS the
/// default, or switch for a scope:
/// ```
/// ProductEngine.$current.withValue(.blas) { … }
/// ```
/// Every product goes through the choice: ``Matrix/gemm(_:transposeA:_:transposeB:alpha:beta:into:)``,
/// ``Matrix/matmul(_:transposeSelf:transposeB:alpha:)`` and the pointer-level ``BLASScalar/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
public enum ProductEngine: String, Sendable, CaseIterable {
    /// The package's kernel (`Kernels/C/GEMMKernels.c`): a fixed summation order, no fused multiply-add.
    case deterministic
    /// The system BLAS: OpenBLAS on Linux, Accelerate on Apple platforms.
    case blas

    /// The engine products use now: ``environmentDefault`` unless a scope chose another.
    @TaskLocal public static var current: ProductEngine = environmentDefault

    /// `.blas` when the environment sets `LORA_BLAS=1`, else `.deterministic` (read once).
    public static let environmentDefault: ProductEngine = {
        guard let value = getenv("LORA_BLAS") else { return .deterministic }
        return String(cString: value) == "1" ? .blas : .deterministic
    }()

    /// The instruction set the deterministic kernel uses on this CPU ("AVX-512", "AVX2", "SSE2",
    /// "NEON").
    /// Each computes the same bits; only the speed differs.
    public static var deterministicInstructionSet: String { DeterministicGEMM.instructionSet }
}
