/// Matrix products through GEMM, computed by the engine ``ProductEngine/current`` names.
///
/// Transposes are flags passed to GEMM, never copies: `x.matmul(w, transposeB: true)` computes
/// x·Wᵀ reading W in place. By default the package's deterministic kernel computes every element
/// as one sum in a fixed order, so products give the same bits on every machine:
/// ```
/// c_ij = α·(((0 + a_i0·b_0j) + a_i1·b_1j) + … + a_i,k−1·b_k−1,j) + β·c_ij
/// ```
/// `LORA_BLAS=1`, or `ProductEngine.$current.withValue(.blas) { … }`, hands them to BLAS instead.
extension Matrix {
    /// `c ← alpha · op(a) · op(b) + beta · c`, in place, through GEMM (β = 0 never reads `c`).
    ///
    /// - Parameters:
    ///   - a: left factor; `op(a)` is `a` or `aᵀ` by `transposeA`.
    ///   - transposeA: whether `op(a)` is `aᵀ`.
    ///   - b: right factor; `op(b)` is `b` or `bᵀ` by `transposeB`.
    ///   - transposeB: whether `op(b)` is `bᵀ`.
    ///   - c: the accumulator, shape (rows of op(a), columns of op(b)).
    ///   - alpha: the factor α of the product.
    ///   - beta: the factor β of the old `c` (0 overwrites it).
    /// - Precondition: inner dimensions agree and `c` has the result's shape; the message names all shapes.
    /// - Complexity: 2·m·n·k floating-point operations, in the deterministic kernel or BLAS.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Scalar = 1, beta: Scalar = 0, into c: inout Matrix
    ) {
        let (m, ka) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        precondition(
            ka == kb,
            "Matrix product: \(a.shapeDescription)\(transposeA ? "ᵀ" : "") · \(b.shapeDescription)\(transposeB ? "ᵀ" : "") has inner dimensions \(ka) ≠ \(kb)")
        precondition(
            c.rows == m && c.columns == n,
            "Matrix product: result of \(a.shapeDescription)\(transposeA ? "ᵀ" : "") · \(b.shapeDescription)\(transposeB ? "ᵀ" : "") is (\(m), \(n)) but the output is \(c.shapeDescription)")
        if m == 0 || n == 0 { return }
        if ka == 0 {
            c.storage.withUnsafeMutableBufferPointer { cp in for i in cp.indices { cp[i] *= beta } }
            return
        }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    Scalar.gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                        alpha: alpha, a: ap.baseAddress!, lda: max(1, a.columns),
                        b: bp.baseAddress!, ldb: max(1, b.columns),
                        beta: beta, c: cp.baseAddress!, ldc: max(1, n))
                }
            }
        }
    }

    /// `alpha · op(self) · op(other)` as a new matrix.
    ///
    /// ```
    /// x.matmul(w, transposeB: true)   // (n, in) · (out, in)ᵀ → (n, out)
    /// ```
    public func matmul(
        _ other: Matrix, transposeSelf: Bool = false, transposeB: Bool = false, alpha: Scalar = 1
    ) -> Matrix {
        let m = transposeSelf ? columns : rows
        let n = transposeB ? other.rows : other.columns
        // GEMM with β = 0 overwrites every element, so the result need not be zero-filled first.
        var c = Matrix(rows: m, columns: n, storage: [Scalar](unsafeUninitializedCapacity: m * n) { buffer, count in
            if (transposeSelf ? rows : columns) == 0 { buffer.initialize(repeating: 0) }
            count = m * n
        })
        Matrix.gemm(self, transposeA: transposeSelf, other, transposeB: transposeB, alpha: alpha, into: &c)
        return c
    }
}
