#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The scalar type of the library's matrices: `Float` or `Double`.
///
/// Every matrix product in the package goes through ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// (row-major, transposes expressed as flags, never as copies), computed by the engine
/// ``ProductEngine/current`` names: the package's deterministic kernel by default, or BLAS.
/// The elementary functions come from ``ElementaryFunctions`` (`Scalar.exp(x)`, `Scalar.log(x)`,
/// `Scalar.tanh(x)`), implemented by the package so that they give the same bits everywhere.
public protocol BLASScalar: BinaryFloatingPoint, ElementaryFunctions, Sendable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// Row-major `C ← α·op(A)·op(B) + β·C` with `op(A)` (m, k) and `op(B)` (k, n), by the engine
    /// ``ProductEngine/current`` (β = 0 never reads C).
    /// ```
    /// c_ij ← α·Σ_p a_ip·b_pj + β·c_ij      (deterministic engine: p = 0, 1, …, k−1 in order)
    /// ```
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// LAPACK `?gesdd` on a column-major (m, n) matrix; returns LAPACK's `info`. (The library's
    /// ``Matrix/svd()`` uses its own deterministic Jacobi SVD; this stays for comparison.)
    static func gesdd(
        jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
        s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>, ldu: Int,
        vt: UnsafeMutablePointer<Self>, ldvt: Int,
        work: UnsafeMutablePointer<Self>, lwork: Int, iwork: UnsafeMutablePointer<Int32>) -> Int

    /// Converts from `Double` (the precision used by checks and constructors).
    init(_ value: Double)
    /// The value as a `Double`.
    var doubleValue: Double { get }
}

@inline(__always)
private func flag(_ transpose: Bool) -> CBLAS_TRANSPOSE {
    transpose ? CblasTrans : CblasNoTrans
}

#if canImport(Accelerate)
typealias LapackInt = __LAPACK_int
#else
typealias LapackInt = Int32
#endif

extension Float: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard ProductEngine.current == .blas else {
            DeterministicGEMM.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_sgemm(
            CblasRowMajor, flag(transposeA), flag(transposeB),
            .init(m), .init(n), .init(k), alpha, a, .init(lda), b, .init(ldb), beta, c, .init(ldc))
    }

    public static func gesdd(
        jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
        s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, ldu: Int,
        vt: UnsafeMutablePointer<Float>, ldvt: Int,
        work: UnsafeMutablePointer<Float>, lwork: Int, iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        var job = CChar(bitPattern: jobz)
        var (mm, nn, la, lu, lvt, lw) = (
            LapackInt(m), LapackInt(n), LapackInt(lda), LapackInt(ldu), LapackInt(ldvt), LapackInt(lwork))
        var info: LapackInt = 0
        iwork.withMemoryRebound(to: LapackInt.self, capacity: 8 * min(m, n)) { iw in
            sgesdd_(&job, &mm, &nn, a, &la, s, u, &lu, vt, &lvt, work, &lw, iw, &info)
        }
        return Int(info)
    }

    public var doubleValue: Double { Double(self) }
}

extension Double: BLASScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard ProductEngine.current == .blas else {
            DeterministicGEMM.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        cblas_dgemm(
            CblasRowMajor, flag(transposeA), flag(transposeB),
            .init(m), .init(n), .init(k), alpha, a, .init(lda), b, .init(ldb), beta, c, .init(ldc))
    }

    public static func gesdd(
        jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
        s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int,
        vt: UnsafeMutablePointer<Double>, ldvt: Int,
        work: UnsafeMutablePointer<Double>, lwork: Int, iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        var job = CChar(bitPattern: jobz)
        var (mm, nn, la, lu, lvt, lw) = (
            LapackInt(m), LapackInt(n), LapackInt(lda), LapackInt(ldu), LapackInt(ldvt), LapackInt(lwork))
        var info: LapackInt = 0
        iwork.withMemoryRebound(to: LapackInt.self, capacity: 8 * min(m, n)) { iw in
            dgesdd_(&job, &mm, &nn, a, &la, s, u, &lu, vt, &lvt, work, &lw, iw, &info)
        }
        return Int(info)
    }

    public var doubleValue: Double { self }
}
