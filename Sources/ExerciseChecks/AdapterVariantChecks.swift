import LoRA

// Checks for exercises 26–29 (chapters 14 and 15). Oracles: DoRA's and PEFT's combination
// formulas written out in Double, the library's AdamW, LoRABranch.deltaWeight and LoRALinear.

// MARK: - 26 DoRA

/// DoRA's forward in Double: W' = m ⊙ V / ‖V‖ row-wise with V = W0 + s·B·A; y = x·W'ᵀ.
func doraOracle(x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float, magnitude: [Float]) -> Matrix<Double> {
    let v = w0.converted(to: Double.self) + b.converted(to: Double.self).matmul(a.converted(to: Double.self), alpha: Double(scale))
    let norms = (0..<v.rows).map { i in v.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot() }
    let directed = Matrix<Double>(rows: v.rows, columns: v.columns) { i, j in Double(magnitude[i]) * v[i, j] / norms[i] }
    return x.converted(to: Double.self).matmul(directed, transposeB: true)
}

func checkDoRA(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 2601)
    let (n, k, d, r) = (4, 9, 6, 2)
    let x = Matrix<Float>.normal(n, k, using: &g), w0 = Matrix<Float>.normal(d, k, std: 0.5, using: &g)
    let a = Matrix<Float>.normal(r, k, std: 0.5, using: &g), b = Matrix<Float>.normal(d, r, std: 0.5, using: &g)
    let s: Float = 1.5
    let rowNorms = (0..<d).map { i in Float(w0.row(i).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()) }
    let trained = (0..<d).map { _ in Float(g.nextUniform(0.5, 2)) }
    return firstFailure([
        {
            let got = impl.doraInitialMagnitude(w0)
            guard got.count == d else {
                return CheckFailure(checking: "doraInitialMagnitude(W0 (6, 9)).count", expected: "6 (one per output row)", got: "\(got.count)",
                                    why: "DoRA's magnitude has one entry per output feature: the norm of each row of the (out, in) weight")
            }
            for i in 0..<d where !(abs(Double(got[i]) - Double(rowNorms[i])) <= 1e-5 * Double(rowNorms[i])) {
                return CheckFailure(checking: "doraInitialMagnitude(W0 (6, 9))[\(i)] (tolerance 1e-5 relative)", expected: show(rowNorms[i]), got: show(got[i]),
                                    why: "m starts at ‖W0[i, :]‖₂, the L2 norm of output row i")
            }
            return nil
        },
        {
            let got = impl.doraForward(x, w0, a, .zeros(d, r), s, rowNorms)
            return expectClose(got, x.matmul(w0, transposeB: true), "doraForward(x (4, 9), W0 (6, 9), A, B = 0, s = 1.5, m = row norms of W0)",
                               atol: 1e-5, rtol: 1e-5, why: "at B = 0 the direction is W0's own and m is its length, so W' = W0: DoRA starts as the base layer")
        },
        {
            let got = impl.doraForward(x, w0, a, b, s, rowNorms)
            return expectClose(got, doraOracle(x: x, w0: w0, a: a, b: b, scale: s, magnitude: rowNorms),
                               "doraForward(x, W0, A, B ≠ 0, s = 1.5, m = row norms of W0)", atol: 1e-4, rtol: 1e-4,
                               why: "W' = m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖ row by row: the update changes the direction, and each row is rescaled to length mᵢ")
        },
        {
            let got = impl.doraForward(x, w0, a, b, s, trained)
            return expectClose(got, doraOracle(x: x, w0: w0, a: a, b: b, scale: s, magnitude: trained),
                               "doraForward(x, W0, A, B ≠ 0, s = 1.5, m trained to values in [0.5, 2])", atol: 1e-4, rtol: 1e-4,
                               why: "row i of W' has length exactly mᵢ: y = x·W'ᵀ with W'ᵢ = mᵢ · Vᵢ / ‖Vᵢ‖")
        },
    ])
}

// MARK: - 27 LoRA+

func checkLoRAPlus(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 2701)
    let a0 = Matrix<Float>.normal(3, 8, std: 0.3, using: &g), b0 = Matrix<Float>.normal(5, 3, std: 0.3, using: &g)
    let gradients = (0..<4).map { _ in (Matrix<Float>.normal(3, 8, std: 0.1, using: &g), Matrix<Float>.normal(5, 3, std: 0.1, using: &g)) }
    let lr = 1e-3
    return firstFailure([16.0, 1.0].map { ratio in
        {
            // Oracle: one AdamW per factor, B's at λ·η (PyTorch param groups with their own lr).
            var optA = AdamW<Float>(), optB = AdamW<Float>()
            var (wantA, wantB) = (a0, b0)
            var optimizer = AdamW<Float>()
            var (gotA, gotB) = (a0, b0)
            for (step, (gA, gB)) in gradients.enumerated() {
                optA.update(&wantA, name: "A", gradient: gA, learningRate: lr)
                optB.update(&wantB, name: "B", gradient: gB, learningRate: ratio * lr)
                impl.loraPlusStep(&gotA, &gotB, gA, gB, &optimizer, lr, ratio)
                let call = "loraPlusStep step \(step + 1) of 4 (AdamW, η = 0.001, λ = \(show(ratio)), weight decay 0.01)"
                let why = ratio == 1
                    ? "with λ = 1 LoRA+ is plain AdamW on both factors"
                    : "LoRA+: A is updated with η, B with λ·η; each keeps its own Adam moments"
                if let failure = expectClose(gotA, wantA, call + ": A", atol: 1e-7, rtol: 1e-6, why: why)
                    ?? expectClose(gotB, wantB, call + ": B", atol: 1e-7, rtol: 1e-6, why: why) {
                    return failure
                }
            }
            return nil
        }
    })
}

// MARK: - 28 combining adapters

/// Three adapters on an (8, 10) layer: ranks 2, 3 and 2, scales 2, 1 and 0.5.
func combinationAdapters() throws -> [LoRABranch<Float>] {
    var g = SeededGenerator(seed: 2801)
    return try [(2, 4.0), (3, 3.0), (2, 1.0)].map { r, alpha in
        try LoRABranch(a: .normal(r, 10, std: 0.5, using: &g), b: .normal(8, r, std: 0.5, using: &g),
                       hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha), inFeatures: 10, outFeatures: 8)
    }
}

func checkCombineAdapters(_ impl: Implementations) -> CheckResult {
    let adapters: [LoRABranch<Float>]
    do { adapters = try combinationAdapters() } catch { return .failed(oracleFailed("building the adapters", error)) }
    var cases: [() -> CheckFailure?] = []
    for weights in [[0.7, 0.3], [1.0, -0.5]] {
        let pair = [adapters[0], adapters[1]]
        let call = "combineCat([adapter r = 2 s = 2, adapter r = 3 s = 1], weights: \(weights.map(show)))"
        cases.append {
            let got = impl.combineCat(pair, weights)
            if let shape = expectShape(got.a, 5, 10, "\(call).a") ?? expectShape(got.b, 8, 5, "\(call).b") { return shape }
            let want = zip(pair, weights).map { Double($1) * $0.deltaWeight.converted(to: Double.self) }.reduce(Matrix<Double>.zeros(8, 10), +)
            if let failure = expectClose(got.b.matmul(got.a), want, "B·A of \(call)", atol: 1e-5, rtol: 1e-5,
                                         why: "cat keeps every adapter's rank, so B·A = Σ wᵢ·sᵢ·Bᵢ·Aᵢ exactly (the new scale is 1)") {
                return failure
            }
            // PEFT's layout: A stacks the weighted, scaled A's by rows; B puts the B's side by side.
            var offset = 0
            for (adapter, w) in zip(pair, weights) {
                let r = adapter.rank
                let aBlock = Matrix<Float>(rows: r, columns: 10) { i, j in got.a[offset + i, j] }
                let bBlock = Matrix<Float>(rows: 8, columns: r) { i, j in got.b[i, offset + j] }
                let wantA = adapter.a.converted(to: Double.self).map { $0 * w * adapter.hyperparameters.scale }
                if let failure = expectClose(aBlock, wantA, "\(call).a rows \(offset)..<\(offset + r)", atol: 1e-6, rtol: 1e-6,
                                             why: "PEFT's layout: A = [w₁·s₁·A₁; w₂·s₂·A₂] (rows, in adapter order)")
                    ?? expectClose(bBlock, adapter.b, "\(call).b columns \(offset)..<\(offset + r)", atol: 0, rtol: 0,
                                   why: "PEFT's layout: B = [B₁ B₂] (columns, in adapter order), unscaled") {
                    return failure
                }
                offset += r
            }
            return nil
        }
    }
    cases.append {
        let got = impl.combineLinear([adapters[0], adapters[1]], [0.5, 0.5])
        return got == nil ? nil : CheckFailure(checking: "combineLinear([adapter r = 2, adapter r = 3], weights: [0.5, 0.5])", expected: "nil",
                                               got: "factors \(got!.a.shapeDescription), \(got!.b.shapeDescription)",
                                               why: "linear adds the factors themselves, which needs equal ranks (PEFT refuses otherwise; use cat)")
    }
    for weights in [[0.7, 0.3], [1.0, -0.5]] {
        let pair = [adapters[0], adapters[2]]
        let call = "combineLinear([adapter r = 2 s = 2, adapter r = 2 s = 0.5], weights: \(weights.map(show)))"
        cases.append {
            guard let got = impl.combineLinear(pair, weights) else {
                return CheckFailure(checking: call, expected: "factors (2, 10) and (8, 2)", got: "nil", why: "both adapters have rank 2")
            }
            var wantA = Matrix<Double>.zeros(2, 10), wantB = Matrix<Double>.zeros(8, 2)
            for (adapter, w) in zip(pair, weights) {
                let c = w * adapter.hyperparameters.scale
                let root = abs(c).squareRoot()
                wantA += (c < 0 ? -root : root) * adapter.a.converted(to: Double.self)
                wantB += root * adapter.b.converted(to: Double.self)
            }
            return expectClose(got.a, wantA, "\(call).a", atol: 1e-6, rtol: 1e-6,
                               why: "cᵢ = wᵢ·sᵢ; A = Σ sign(cᵢ)·√|cᵢ|·Aᵢ (the sign goes on A)")
                ?? expectClose(got.b, wantB, "\(call).b", atol: 1e-6, rtol: 1e-6, why: "B = Σ √|cᵢ|·Bᵢ")
        }
    }
    return firstFailure(cases)
}

// MARK: - 29 mixed-adapter batch

func checkMixedAdapterBatch(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 2901)
    let base = Linear<Float>(inFeatures: 8, outFeatures: 6, using: &g)
    let adapters: [LoRABranch<Float>]
    do {
        adapters = try [(1, 2.0), (2, 8.0), (4, 4.0)].map { r, alpha in
            try LoRABranch(a: .normal(r, 8, std: 0.5, using: &g), b: .normal(6, r, std: 0.5, using: &g),
                           hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha), inFeatures: 8, outFeatures: 6)
        }
    } catch {
        return .failed(oracleFailed("building the adapters", error))
    }
    let x = Matrix<Float>.normal(7, 8, using: &g)
    let assignments: [(String, [Int?])] = [
        ("rows use adapters [0, nil, 2, 1, 0, nil, 2]", [0, nil, 2, 1, 0, nil, 2]),
        ("every row uses adapter 1", Array(repeating: 1, count: 7)),
        ("no row uses an adapter", Array(repeating: nil, count: 7)),
    ]
    return firstFailure(assignments.map { label, rows in
        {
            let call = "mixedBatchForward(x (7, 8), base (6, 8) with bias, adapters of rank 1, 2, 4, \(label))"
            let got = impl.mixedBatchForward(x, base, adapters, rows)
            if let shape = expectShape(got, 7, 6, call) { return shape }
            for i in 0..<7 {
                let row = Matrix<Float>(rows: 1, columns: 8) { _, j in x[i, j] }
                let want: Matrix<Float>
                if let k = rows[i] {
                    do { want = try LoRALinear(base: base, branch: adapters[k]).forward(row) } catch { return oracleFailed("LoRALinear(base, adapter \(k))", error) }
                } else {
                    want = base.forward(row)
                }
                let gotRow = Matrix<Float>(rows: 1, columns: 6) { _, j in got[i, j] }
                if let failure = expectClose(gotRow, want, "\(call), row \(i)", atol: 1e-5, rtol: 1e-5,
                                             why: rows[i].map { "row \(i) must equal adapter \($0) alone on the shared base: base(x) + s·(x·Aᵀ)·Bᵀ" }
                                                ?? "a row without an adapter gets the frozen base's output only") {
                    return failure
                }
            }
            return nil
        }
    })
}
