import LoRA
import Testing

@Suite struct MatrixTests {
    @Test func productMatchesHandComputation() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        #expect(a.matmul(b) == Matrix([[58, 64], [139, 154]]))
    }

    func checkTransposeFlags<S: BLASScalar>(_: S.Type, tolerance: Double) {
        var g = SeededGenerator(seed: 7)
        let a = Matrix<S>.normal(5, 3, using: &g)
        let b = Matrix<S>.normal(4, 3, using: &g)
        let c = Matrix<S>.normal(5, 4, using: &g)
        // a·bᵀ through the flag equals the naive product with an explicit transpose.
        #expect(a.matmul(b, transposeB: true).converted(to: Double.self).maxAbsDifference(naiveProduct(a, b.transposed)) < tolerance)
        // aᵀ·c: (3, 5)·(5, 4)
        #expect(a.matmul(c, transposeSelf: true).converted(to: Double.self).maxAbsDifference(naiveProduct(a.transposed, c)) < tolerance)
        // aᵀ·(bᵀ)ᵀ... both flags: (3,5)ᵀ? use cᵀ·a: (4,5)·(5,3)
        #expect(c.matmul(a, transposeSelf: true).converted(to: Double.self).maxAbsDifference(naiveProduct(c.transposed, a)) < tolerance)
        let d = Matrix<S>.normal(4, 5, using: &g)
        var acc = Matrix<S>.normal(3, 4, using: &g)
        let before = acc.converted(to: Double.self)
        // aᵀ·dᵀ: (3, 5)·(5, 4), accumulated with beta = 1
        Matrix.gemm(a, transposeA: true, d, transposeB: true, alpha: 2, beta: 1, into: &acc)
        let expected = before + 2 * naiveProduct(a.transposed, d.transposed)
        #expect(acc.converted(to: Double.self).maxAbsDifference(expected) < tolerance)
    }

    @Test func transposeFlagsAgreeWithNaiveProducts() {
        checkTransposeFlags(Float.self, tolerance: 1e-5)
        checkTransposeFlags(Double.self, tolerance: 1e-12)
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let a = Matrix<Float>.zeros(3, 0), b = Matrix<Float>.zeros(0, 2)
        #expect(a.matmul(b) == .zeros(3, 2))
    }

    @Test func mismatchedProductStopsNamingBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Matrix<Float>.zeros(2, 3), b = Matrix<Float>.zeros(4, 5)
            _ = a.matmul(b)
        }.map { result in
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(text.contains("(2, 3)") && text.contains("(4, 5)"))
        }
    }

    @Test func elementwiseAndReductions() {
        let a = Matrix<Double>([[1, -2], [3, 4]])
        let b = Matrix<Double>([[0.5, 0.5], [2, -1]])
        #expect(a + b == Matrix([[1.5, -1.5], [5, 3]]))
        #expect(a - b == Matrix([[0.5, -2.5], [1, 5]]))
        #expect(a .* b == Matrix([[0.5, -1], [6, -4]]))
        #expect(2 * a == Matrix([[2, -4], [6, 8]]))
        #expect(a.sum == 6)
        #expect(a.maxAbs == 4)
        #expect(abs(a.frobeniusNorm - 30.0.squareRoot()) < 1e-15)
        #expect(a.columnSums == Matrix([[4, 2]]))
        #expect(Matrix<Double>.identity(3).sum == 3)
        #expect(a.transposed == Matrix([[1, 3], [-2, 4]]))
        var c = a
        c.add(b, scaledBy: 2)
        #expect(c == Matrix([[2, -1], [7, 2]]))
    }

    @Test func svdReconstructsAndOrdersSingularValues() throws {
        var g = SeededGenerator(seed: 3)
        for (m, n) in [(6, 4), (4, 6), (5, 5)] {
            let a = Matrix<Double>.normal(m, n, using: &g)
            let svd = try a.svd()
            let p = min(m, n)
            #expect(svd.u.shape == (m, p) && svd.vt.shape == (p, n))
            #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
            let us = Matrix<Double>(rows: m, columns: p) { i, j in svd.u[i, j] * svd.singularValues[j] }
            #expect(us.matmul(svd.vt).maxAbsDifference(a) < 1e-12)
            // Orthonormal columns of U.
            #expect(svd.u.matmul(svd.u, transposeSelf: true).maxAbsDifference(.identity(p)) < 1e-12)
        }
    }

    @Test func numericalRankOfLowRankProduct() throws {
        var g = SeededGenerator(seed: 11)
        for r in [1, 3, 5] {
            let b = Matrix<Double>.normal(20, r, using: &g)
            let a = Matrix<Double>.normal(r, 16, using: &g)
            #expect(try b.matmul(a).numericalRank() == r)
            #expect(try b.matmul(a).converted(to: Float.self).numericalRank() == r)
        }
        #expect(try Matrix<Double>.zeros(4, 4).numericalRank() == 0)
    }

    @Test func svdRejectsNonFiniteInput() {
        var a = Matrix<Double>.identity(3)
        a[1, 1] = .nan
        #expect(throws: LinearAlgebraError.self) { try a.svd() }
    }
}

/// The Jacobi SVD: known spectra, rank-deficient and wide inputs, orthonormal factors.
@Suite struct JacobiSVDTests {
    @Test func diagonalAndPermutedSpectra() throws {
        let d = Matrix<Double>([[0, 3, 0], [2, 0, 0], [0, 0, -5], [0, 0, 0]])
        let svd = try d.svd()
        #expect(svd.singularValues == [5, 3, 2])
        let us = Matrix<Double>(rows: 4, columns: 3) { i, j in svd.u[i, j] * svd.singularValues[j] }
        #expect(us.matmul(svd.vt).maxAbsDifference(d) < 1e-15)
    }

    @Test(arguments: [(12, 5, 2), (5, 12, 2), (8, 8, 0), (9, 9, 9)])
    func rankDeficientInputsGetOrthonormalFactors(shape: (Int, Int, Int)) throws {
        let (m, n, r) = shape
        var g = SeededGenerator(seed: UInt64(m * 100 + n * 10 + r))
        let a = Matrix<Double>.normal(m, r, using: &g).matmul(Matrix<Double>.normal(r, n, using: &g))
        let svd = try a.svd()
        let p = min(m, n)
        #expect(svd.u.matmul(svd.u, transposeSelf: true).maxAbsDifference(.identity(p)) < 1e-12)
        #expect(svd.vt.matmul(svd.vt, transposeB: true).maxAbsDifference(.identity(p)) < 1e-12)
        let us = Matrix<Double>(rows: m, columns: p) { i, j in svd.u[i, j] * svd.singularValues[j] }
        #expect(us.matmul(svd.vt).maxAbsDifference(a) < 1e-12)
        #expect(svd.singularValues.dropFirst(r).allSatisfy { $0 < 1e-12 * max(1, svd.singularValues[0]) })
    }

    /// Singular values of a matrix with known spectrum, U·diag(σ)·Vᵀ built from Householder reflections.
    @Test func recoversAKnownSpectrumToRelativeAccuracy() throws {
        let sigma: [Double] = [1e3, 10, 1, 0.1, 1e-3]
        func reflection(_ v: [Double]) -> Matrix<Double> {
            let norm2 = v.reduce(0) { $0 + $1 * $1 }
            return Matrix(rows: v.count, columns: v.count) { i, j in (i == j ? 1 : 0) - 2 * v[i] * v[j] / norm2 }
        }
        let u = reflection([1, 2, -1, 0.5, 3]), v = reflection([0.3, -1, 2, 1, -0.7])
        let s = Matrix<Double>(rows: 5, columns: 5) { i, j in i == j ? sigma[i] : 0 }
        let a = u.matmul(s).matmul(v, transposeB: true)
        let computed = try a.svd().singularValues
        for (got, want) in zip(computed, sigma) { #expect(abs(got - want) / want < 1e-9, "σ \(want) computed as \(got)") }
        #expect(abs(computed[0] - 1e3) / 1e3 < 1e-14)
    }
}
