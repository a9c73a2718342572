import LoRA

// Checks for exercises 20, 21, 24 and 25 (chapters 06 and 13). Oracles: the library's
// NF4Construction, LloydMax, QuantizedLinear (NF4, blocksize 64, double quantization) and SVD,
// and the NormalFloat formula written out in Double.

// MARK: - 20 NormalFloat levels from normal quantiles

/// The NormalFloat formula in Double, written out here (independently of the learner and of
/// NF4Construction's own helper): quantiles at evenly spaced probabilities, normalised.
func normalFloatOracle(positive: Int, negative: Int, offset: Double) -> [Double] {
    func spaced(_ n: Int) -> [Double] { (0..<n).map { i in offset + (0.5 - offset) * Double(i) / Double(n - 1) } }
    let upper = spaced(positive + 1).dropLast().map { NF4Construction.inverseNormalCDF($0) }
    let lower = spaced(negative + 1).dropLast().map { -NF4Construction.inverseNormalCDF($0) }
    let levels = (upper + [0] + lower).sorted()
    return levels.map { $0 / levels.last! }
}

func checkNF4Levels(_ impl: Implementations) -> CheckResult {
    func compare(_ got: [Double], _ want: [Double], _ call: String, tolerance: Double, why: String) -> CheckFailure? {
        guard got.count == want.count else {
            return CheckFailure(checking: "\(call).count", expected: "\(want.count)", got: "\(got.count)",
                                why: "P positive levels, N negative levels and one exact 0")
        }
        for i in want.indices where !(abs(got[i] - want[i]) <= tolerance) {
            return CheckFailure(checking: "\(call)[\(i)] (tolerance \(show(tolerance)))", expected: show(want[i]), got: show(got[i]), why: why)
        }
        return nil
    }
    let nf4 = impl.normalFloatLevels(8, 7, NF4Construction.offset)
    return firstFailure([
        { compare(nf4, NF4Construction.derivedLevels(), "normalFloatLevels(positive: 8, negative: 7, offset: 0.9677083)", tolerance: 1e-12,
                  why: "sort(Φ⁻¹(linspace(δ, ½, 9) without ½) ∪ {0} ∪ −Φ⁻¹(linspace(δ, ½, 8) without ½)) / max, as NF4Construction.derivedLevels() computes") },
        { compare(nf4, NF4.levels.map(Double.init), "normalFloatLevels(positive: 8, negative: 7, offset: 0.9677083) against bitsandbytes' float32 table",
                  tolerance: 2e-7, why: "bitsandbytes' table is the same construction computed in float32 by torch: within about 1.2e-7 of the Double values") },
        { compare(impl.normalFloatLevels(4, 3, 0.95), normalFloatOracle(positive: 4, negative: 3, offset: 0.95),
                  "normalFloatLevels(positive: 4, negative: 3, offset: 0.95)", tolerance: 1e-12,
                  why: "the same construction for a 3-bit NormalFloat: 4 positive levels from linspace(δ, ½, 5), 3 negative from linspace(δ, ½, 4), 0, divided by the largest") },
    ])
}

// MARK: - 21 one Lloyd–Max step

func checkLloydMaxStep(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 2101)
    let gaussian = QuantizationAnalysis.normalized((0..<4096).map { _ in Float(g.nextNormal()) }, blocksize: 64)
    let nf4 = NF4.levels.map(Double.init)
    let cases: [(label: String, values: [Float], levels: [Double], why: String)] = [
        ("values [−1, −0.5, 0, 0.2, 0.9, 1], levels [−1, 0, 1]", [-1, -0.5, 0, 0.2, 0.9, 1], [-1, 0, 1],
         "cells split at the midpoints −0.5 and 0.5; −0.5 lies exactly on one and goes to the LOWER level: means −0.75, 0.1, 0.95"),
        ("values [−1, −0.9, 0.9, 1], levels [−1, 0, 0.1, 1]", [-1, -0.9, 0.9, 1], [-1, 0, 0.1, 1],
         "the cells of 0 and 0.1 are empty: those levels stay where they are"),
        ("4096 blockwise-normalised N(0, 1) values, NF4's 16 levels", gaussian, nf4,
         "each level moves to the mean of the values nearest to it (LloydMax.fit with one round)"),
    ]
    return firstFailure(cases.map { k in
        {
            let want = LloydMax.fit(k.values, initial: k.levels, maxIterations: 1).levels
            let got = impl.lloydMaxStep(k.values, k.levels)
            let call = "lloydMaxStep(\(k.label))"
            guard got.count == want.count else {
                return CheckFailure(checking: "\(call).count", expected: "\(want.count)", got: "\(got.count)", why: "one new position per level")
            }
            for i in want.indices where !(abs(got[i] - want[i]) <= 1e-9) {
                return CheckFailure(checking: "\(call)[\(i)] (tolerance 1e-9)", expected: show(want[i]), got: show(got[i]), why: k.why)
            }
            let before = LloydMax.meanSquaredError(k.values, levels: k.levels), after = LloydMax.meanSquaredError(k.values, levels: got)
            return after <= before * (1 + 1e-12) ? nil : CheckFailure(
                checking: "mean squared error after \(call)", expected: "≤ \(show(before)) (the error before the step)", got: show(after),
                why: "moving a level to its cell's mean can only lower that cell's squared error")
        }
    })
}

// MARK: - 24 and 25 LoftQ

/// A weight with a strong rank-4 part plus noise, (48, 64): what LoftQ's low-rank factors can help with.
func loftqWeight() -> Matrix<Float> {
    var g = SeededGenerator(seed: 2401)
    let low = Matrix<Float>.normal(48, 4, using: &g).matmul(.normal(4, 64, std: 0.5, using: &g))
    return low + Matrix<Float>.normal(48, 64, std: 0.1, using: &g)
}

/// dequant(NF4(m)) with the library (QLoRA's storage: blocksize 64, double quantization).
func nf4RoundTrip(_ m: Matrix<Float>) throws -> Matrix<Float> {
    try QuantizedLinear(quantizing: Linear(weight: m)).denseWeight
}

/// The factors A = √(Σ_r/s)·V_rᵀ and B = U_r·√(Σ_r/s) of m's rank-r SVD, in Float.
func evenSplit(_ m: Matrix<Float>, rank r: Int, scale s: Float) throws -> (a: Matrix<Float>, b: Matrix<Float>) {
    let svd = try m.converted(to: Double.self).svd()
    let roots = svd.singularValues.prefix(r).map { ($0 / Double(s)).squareRoot() }
    return (Matrix(rows: r, columns: m.columns) { i, j in Float(roots[i] * svd.vt[i, j]) },
            Matrix(rows: m.rows, columns: r) { i, j in Float(svd.u[i, j] * roots[j]) })
}

/// W − s·B·A.
func subtractingUpdate(_ w: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale s: Float) -> Matrix<Float> {
    var out = w
    Matrix.gemm(b, a, alpha: -s, beta: 1, into: &out)
    return out
}

/// ‖W − Q − s·B·A‖_F in Double.
func loftqError(_ w: Matrix<Float>, _ q: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale s: Float) -> Double {
    let update = b.converted(to: Double.self).matmul(a.converted(to: Double.self), alpha: Double(s))
    return (w.converted(to: Double.self) - q.converted(to: Double.self) - update).frobeniusNorm
}

/// Entries where `got` and `want` differ by more than rounding (a code that flipped, or a wrong value).
func mismatches(_ got: Matrix<Float>, _ want: Matrix<Float>) -> Int {
    zip(got.storage, want.storage).filter { !(abs($0 - $1) <= 1e-5 * (1 + abs($1))) }.count
}

func checkLoftQStep(_ impl: Implementations) -> CheckResult {
    let w = loftqWeight()
    let (r, s): (Int, Float) = (4, 2)
    // Two starting points: QLoRA's (A = B = 0) and a non-zero adapter (the first step's, nudged).
    let zeroStart = (a: Matrix<Float>.zeros(r, 64), b: Matrix<Float>.zeros(48, r))
    let later: (a: Matrix<Float>, b: Matrix<Float>)
    do {
        let first = try evenSplit(w - nf4RoundTrip(w), rank: r, scale: s)
        var g = SeededGenerator(seed: 2402)
        later = (first.a + Matrix<Float>.normal(r, 64, std: 0.05, using: &g), first.b)
    } catch {
        return .failed(oracleFailed("the library's NF4 round trip and SVD", error))
    }
    let starts = [("A = 0, B = 0 (QLoRA's start)", zeroStart), ("a non-zero A and B", later)]
    return firstFailure(starts.map { label, start in
        {
            let call = "loftqStep(W (48, 64), A, B, scale: 2) from \(label)"
            let got: (quantized: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>)
            do { got = try impl.loftqStep(w, start.a, start.b, s) } catch { return threw(call, error) }
            if let shape = expectShape(got.quantized, 48, 64, "Q") ?? expectShape(got.a, r, 64, "A'") ?? expectShape(got.b, 48, r, "B'") { return shape }
            for (name, m) in [("Q", got.quantized), ("A'", got.a), ("B'", got.b)] where !m.isFinite {
                return CheckFailure(checking: "\(call): \(name)", expected: "finite values", got: "NaN or infinity",
                                    why: "W is finite, so its quantization and the SVD of W − Q are too")
            }
            let target = subtractingUpdate(w, a: start.a, b: start.b, scale: s)
            let wantQ: Matrix<Float>
            do { wantQ = try nf4RoundTrip(target) } catch { return oracleFailed("QuantizedLinear(quantizing:)", error) }
            let wrong = mismatches(got.quantized, wantQ)
            if wrong > w.count / 200 {
                return CheckFailure(checking: "\(call): Q (at most 0.5 % of entries may differ by a flipped code)",
                                    expected: "dequant(NF4(W − s·B·A)) from QuantizedLinear(quantizing:)", got: "\(wrong) of \(w.count) entries differ",
                                    why: "quantize what the adapter does not hold, W − s·B·A, with the library's NF4 (blocksize 64, double quantization)")
            }
            let truncated: (approximation: Matrix<Double>, singularValues: [Double])
            do { truncated = try truncatedSVD(w - got.quantized, rank: r) } catch { return oracleFailed("the SVD of W − Q", error) }
            let update = got.b.matmul(got.a, alpha: s)
            let off = relativeDifference(update, truncated.approximation)
            if !(off <= 1e-4) {
                return CheckFailure(checking: "\(call): s·B'·A' against the rank-4 truncated SVD of W − Q (relative Frobenius tolerance 1e-4)",
                                    expected: "≤ 1e-4", got: show(off),
                                    why: "the adapter takes the best rank-r part of what quantization lost: s·B'·A' = U₄·Σ₄·V₄ᵀ of W − Q")
            }
            let wantGram = Matrix<Double>(rows: r, columns: r) { i, j in i == j ? truncated.singularValues[i] / Double(s) : 0 }
            if let failure = expectClose(got.a.matmul(got.a, transposeB: true), wantGram, "\(call): A'·A'ᵀ", atol: 1e-3, rtol: 1e-4,
                                         why: "split evenly as in exercise 18: A' = √(Σ₄/s)·V₄ᵀ, so A'·A'ᵀ = diag(σᵢ/s)") {
                return failure
            }
            let after = loftqError(w, got.quantized, a: got.a, b: got.b, scale: s)
            let before = loftqError(w, got.quantized, a: start.a, b: start.b, scale: s)
            return after <= before * (1 + 1e-6) ? nil : CheckFailure(
                checking: "\(call): ‖W − Q − s·B'·A'‖_F", expected: "≤ \(fixed(before, 6)), the error with the old A, B and the new Q",
                got: fixed(after, 6), why: "for a fixed Q the truncated SVD is the best rank-r correction (Eckart–Young), so the error cannot grow")
        }
    })
}

/// The library's LoftQ: T alternations from zero, returning the last base and factors.
func loftqOracle(_ w: Matrix<Float>, rank r: Int, scale s: Float, iterations: Int) throws -> (q: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>) {
    var (a, b) = (Matrix<Float>.zeros(r, w.columns), Matrix<Float>.zeros(w.rows, r))
    var q = w
    for _ in 0..<iterations {
        q = try nf4RoundTrip(subtractingUpdate(w, a: a, b: b, scale: s))
        (a, b) = try evenSplit(w - q, rank: r, scale: s)
    }
    return (q, a, b)
}

func checkLoftQInitialization(_ impl: Implementations) -> CheckResult {
    let w = loftqWeight()
    let (r, alpha) = (4, 8.0)
    let s = Float(alpha / Double(r))
    let qloraError: Double
    do { qloraError = try (w.converted(to: Double.self) - nf4RoundTrip(w).converted(to: Double.self)).frobeniusNorm } catch {
        return .failed(oracleFailed("the library's NF4 round trip", error))
    }
    return firstFailure([1, 3].map { t in
        {
            let call = "loftqInitialization(W (48, 64), rank: 4, alpha: 8, iterations: \(t))"
            let layer: QLoRALinear
            do { layer = try impl.loftqInitialization(w, r, alpha, t) } catch { return threw(call, error) }
            if layer.rank != r || layer.scale != s || layer.inFeatures != 64 || layer.outFeatures != 48 {
                return CheckFailure(checking: "\(call): rank, scale and shape", expected: "r = 4, s = 2, (48, 64)",
                                    got: "r = \(layer.rank), s = \(show(layer.scale)), (\(layer.outFeatures), \(layer.inFeatures))")
            }
            if layer.weight.codebook != .nf4 || layer.weight.blocksize != 64 {
                return CheckFailure(checking: "\(call): the base's storage", expected: "NF4, blocksize 64",
                                    got: "\(layer.weight.codebook.rawValue), blocksize \(layer.weight.blocksize)")
            }
            let oracle: (q: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>)
            do { oracle = try loftqOracle(w, rank: r, scale: s, iterations: t) } catch { return oracleFailed("LoftQ with the library", error) }
            let want = loftqError(w, oracle.q, a: oracle.a, b: oracle.b, scale: s)
            let got = loftqError(w, layer.base.denseWeight, a: layer.a, b: layer.b, scale: s)
            if !(abs(got - want) <= 0.01 * want) {
                return CheckFailure(
                    checking: "\(call): ‖W − dequant(base) − s·B·A‖_F (tolerance 1 %)",
                    expected: "\(fixed(want, 6)) (QLoRA's start, B = 0, is \(fixed(qloraError, 6)))", got: fixed(got, 6),
                    why: "t = 1…\(t): Q_t = NF4(W − s·B_{t−1}·A_{t−1}), then A_t, B_t from the rank-4 SVD of W − Q_t; the base is Q_\(t)")
            }
            return got < qloraError ? nil : CheckFailure(
                checking: "\(call): ‖W − dequant(base) − s·B·A‖_F", expected: "< \(fixed(qloraError, 6)), QLoRA's start with B = 0",
                got: fixed(got, 6), why: "the adapter starts by absorbing the best rank-4 part of the quantization error")
        }
    })
}
