@testable import LoRA
import Testing

/// The deterministic product engine computes each element as the scalar loop
/// s = 0; for p in 0..<k { s = s + a_ip·b_pj }; c = α·s + β·c, bit for bit, whatever the shape,
/// transposes, strides or thread count.
@Suite struct DeterministicProductTests {
    /// The defining loop, in the scalar type itself (the oracle: no vectors, no threads, no tiles).
    static func definingLoop<S: BLASScalar>(
        _ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: S, a: [S], lda: Int, b: [S], ldb: Int, beta: S, c: [S], ldc: Int
    ) -> [S] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s: S = 0
                for p in 0..<k {
                    let x = ta ? a[p * lda + i] : a[i * lda + p]
                    let y = tb ? b[j * ldb + p] : b[p * ldb + j]
                    let product = x * y
                    s = s + product
                }
                var v = alpha == 1 ? s : alpha * s
                if beta != 0 { v = v + (beta == 1 ? c[i * ldc + j] : beta * c[i * ldc + j]) }
                out[i * ldc + j] = v
            }
        }
        return out
    }

    /// Runs the library's pointer-level GEMM under the deterministic engine.
    static func library<S: BLASScalar>(
        _ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: S, a: [S], lda: Int, b: [S], ldb: Int, beta: S, c: [S], ldc: Int
    ) -> [S] {
        var out = c
        ProductEngine.$current.withValue(.deterministic) {
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    out.withUnsafeMutableBufferPointer { cp in
                        S.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress!, lda: lda,
                               b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
        }
        return out
    }

    /// Equal bit patterns (so +0 and −0 differ), or both NaN.
    static func sameBits<S: BLASScalar>(_ x: S, _ y: S) -> Bool {
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        return x.sign == y.sign && x.exponentBitPattern == y.exponentBitPattern && x.significandBitPattern == y.significandBitPattern
    }

    static func check<S: BLASScalar>(_: S.Type, m: Int, n: Int, k: Int, seed: UInt64) -> Bool {
        var g = SeededGenerator(seed: seed)
        var allEqual = true
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for (alpha, beta) in [(S(1), S(0)), (S(-0.75), S(1)), (S(1.5), S(0.25))] {
                // Leading dimensions wider than the matrices: the kernel must read strided views.
                let (lda, ldb, ldc) = ((ta ? m : k) + 3, (tb ? k : n) + 2, n + 1)
                let a = (0..<((ta ? k : m) * lda)).map { _ in S(g.nextNormal()) }
                let b = (0..<((tb ? n : k) * ldb)).map { _ in S(g.nextNormal()) }
                var c = (0..<(m * ldc)).map { _ in S(g.nextNormal()) }
                if beta == 0 { c = c.map { _ in S.nan } }  // β = 0 must not read C
                let want = definingLoop(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                let got = library(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                let same = zip(want, got).allSatisfy { Self.sameBits($0, $1) }
                if !same { allEqual = false }
            }
        }
        return allEqual
    }

    @Test(arguments: [(1, 1, 1), (5, 7, 3), (6, 16, 17), (7, 17, 16), (17, 17, 16), (13, 33, 9), (30, 20, 64), (1, 40, 5), (40, 1, 5)])
    func bitIdenticalToTheDefiningLoop(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        #expect(Self.check(Float.self, m: m, n: n, k: k, seed: UInt64(m * 10_000 + n * 100 + k)), "Float \(shape)")
        #expect(Self.check(Double.self, m: m, n: n, k: k, seed: UInt64(m * 10_000 + n * 100 + k)), "Double \(shape)")
    }

    /// The defining loop for Float, C = A·Bᵀ (concrete, so that the oracle is fast enough for
    /// products of tens of millions of multiply-adds in a debug build).
    static func floatLoopABt(m: Int, n: Int, k: Int, a: [Float], b: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for p in 0..<k {
                            let product = a[i * k + p] * b[j * k + p]
                            s = s + product
                        }
                        out[i * n + j] = s
                    }
                }
            }
        }
        return out
    }

    /// Large enough to run on several threads (m·n·k ≥ 2²⁵) and to pack B by panels.
    @Test func largeProductsSplitAcrossThreadsKeepTheBits() {
        var g = SeededGenerator(seed: 21)
        let (m, n, k) = (250, 260, 520)
        let a = (0..<(m * k)).map { _ in Float(g.nextNormal()) }
        let b = (0..<(n * k)).map { _ in Float(g.nextNormal()) }
        let c = [Float](repeating: 0, count: m * n)
        let want = Self.floatLoopABt(m: m, n: n, k: k, a: a, b: b)
        let got = Self.library(false, true, m: m, n: n, k: k, alpha: Float(1), a: a, lda: k, b: b, ldb: k, beta: 0, c: c, ldc: n)
        #expect(want == got)
    }

    /// Rows of A exactly 4 KiB apart (lda = 1024 Floats or 512 Doubles) are copied side by side
    /// before the AVX-512 tiles read them; the copy must not change a bit.
    @Test func rowsOfAFourKibibytesApartGiveTheSameBits() {
        var g = SeededGenerator(seed: 23)
        for (m, n) in [(13, 20), (25, 33)] {
            let a = (0..<(m * 1024)).map { _ in Float(g.nextNormal()) }, b = (0..<(1024 * n)).map { _ in Float(g.nextNormal()) }
            let c = [Float](repeating: 0, count: m * n)
            #expect(Self.library(false, false, m: m, n: n, k: 1024, alpha: Float(1), a: a, lda: 1024, b: b, ldb: n, beta: 0, c: c, ldc: n)
                    == Self.definingLoop(false, false, m: m, n: n, k: 1024, alpha: Float(1), a: a, lda: 1024, b: b, ldb: n, beta: 0, c: c, ldc: n))
            let ad = (0..<(m * 512)).map { _ in g.nextNormal() }, bd = (0..<(512 * n)).map { _ in g.nextNormal() }
            let cd = [Double](repeating: 0, count: m * n)
            #expect(Self.library(false, false, m: m, n: n, k: 512, alpha: 1.0, a: ad, lda: 512, b: bd, ldb: n, beta: 0, c: cd, ldc: n)
                    == Self.definingLoop(false, false, m: m, n: n, k: 512, alpha: 1.0, a: ad, lda: 512, b: bd, ldb: n, beta: 0, c: cd, ldc: n))
        }
    }

    /// Each instruction set this CPU has (baseline SSE2, AVX2, AVX-512) gives the same bits, for
    /// products and for the tanh and exp loops.
    @Test(arguments: [0, 1, 2])
    func everyInstructionSetGivesTheSameBits(limit: Int) {
        DeterministicGEMM.withInstructionSetLimited(to: limit) {
            for (m, n, k) in [(7, 17, 16), (30, 20, 64), (13, 33, 9)] {
                #expect(Self.check(Float.self, m: m, n: n, k: k, seed: UInt64(limit * 7 + m)), "Float \((m, n, k)) at level \(limit)")
                #expect(Self.check(Double.self, m: m, n: n, k: k, seed: UInt64(limit * 7 + n)), "Double \((m, n, k)) at level \(limit)")
            }
            var g = SeededGenerator(seed: UInt64(limit))
            var x = (0..<10_000).map { _ in Float(g.nextNormal(std: 3)) } + [0, -0.0, .infinity, -.infinity, .nan, 1e-30, 9.5, 10.5]
            let scalarTanh = x.map(Float.tanh), scalarExp = x.map { Float.exp(10 * $0) }
            var y = x.map { 10 * $0 }
            x.withUnsafeMutableBufferPointer { Float.tanh(inPlace: $0) }
            y.withUnsafeMutableBufferPointer { Float.exp(inPlace: $0) }
            #expect(zip(x, scalarTanh).allSatisfy { Self.sameBits($0, $1) })
            #expect(zip(y, scalarExp).allSatisfy { Self.sameBits($0, $1) })
        }
    }

    @Test func zeroInnerDimensionOrZeroAlphaScalesC() {
        let c: [Double] = [1, 2, 3, 4]
        #expect(Self.library(false, false, m: 2, n: 2, k: 0, alpha: 1.0, a: [0], lda: 1, b: [0], ldb: 2, beta: 0.5, c: c, ldc: 2) == [0.5, 1, 1.5, 2])
        #expect(Self.library(false, false, m: 2, n: 2, k: 1, alpha: 0.0, a: [.nan, .nan], lda: 1, b: [.nan, .nan], ldb: 2, beta: 0, c: c, ldc: 2) == [0, 0, 0, 0])
    }

    /// The engine switch reaches `Matrix.matmul`: BLAS agrees to rounding, the default engine bit for bit.
    @Test func engineSwitchReachesMatmul() {
        var g = SeededGenerator(seed: 22)
        let x = Matrix<Float>.normal(40, 24, using: &g), w = Matrix<Float>.normal(32, 24, using: &g)
        let deterministic = ProductEngine.$current.withValue(.deterministic) { x.matmul(w, transposeB: true) }
        let blas = ProductEngine.$current.withValue(.blas) { x.matmul(w, transposeB: true) }
        let want = Self.definingLoop(false, true, m: 40, n: 32, k: 24, alpha: Float(1), a: x.storage, lda: 24, b: w.storage, ldb: 24,
                                     beta: 0, c: [Float](repeating: 0, count: 40 * 32), ldc: 32)
        #expect(deterministic.storage == want)
        #expect(blas.maxAbsDifference(deterministic) < 1e-4)
        #expect(ProductEngine.allCases.count == 2 && ["AVX-512", "AVX2", "SSE2", "NEON", "portable"].contains(ProductEngine.deterministicInstructionSet))
    }
}
