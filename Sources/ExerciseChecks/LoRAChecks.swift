import LoRA

// Checks for exercises 01–06 (chapters 01–05). Oracles: naive loops in Double, the library's
// LoRALinear, and central differences (GradientCheck).

/// Naive triple loop in Double: the oracle for every product here.
func naiveProduct<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<Double> {
    Matrix<Double>(rows: a.rows, columns: b.columns) { i, j in
        (0..<a.columns).reduce(0.0) { $0 + a[i, $1].doubleValue * b[$1, j].doubleValue }
    }
}

/// A frozen layer plus LoRA factors with B ≠ 0 (so the update is visible), drawn from `seed`.
struct LoRACase {
    var x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>
    var scale: Float

    init(n: Int, inFeatures k: Int, outFeatures d: Int, rank r: Int, alpha: Double, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        x = .normal(n, k, using: &g)
        w0 = .normal(d, k, std: 0.5, using: &g)
        a = .normal(r, k, std: 0.5, using: &g)
        b = .normal(d, r, std: 0.5, using: &g)
        scale = Float(alpha / Double(r))
    }

    /// The library's LoRA layer on these factors: the oracle for forward and merge.
    var layer: LoRALinear<Linear<Float>> {
        let r = a.rows
        // Factors and hyper-parameters are consistent by construction, so this cannot throw.
        return try! LoRALinear(
            base: Linear(weight: w0), a: a, b: b,
            hyperparameters: LoRAHyperparameters(rank: r, alpha: Double(scale) * Double(r)))
    }

    var label: String { "x \(x.shapeDescription), W0 \(w0.shapeDescription), A \(a.shapeDescription), B \(b.shapeDescription), s = \(show(scale))" }
}

func checkLowRankUpdate(_ impl: Implementations) -> CheckResult {
    let c = LoRACase(n: 1, inFeatures: 7, outFeatures: 5, rank: 3, alpha: 3, seed: 101)
    return firstFailure([
        { expectClose(impl.lowRankUpdate(c.a, c.b), naiveProduct(c.b, c.a), "lowRankUpdate(A (3, 7), B (5, 3))", atol: 1e-5, rtol: 1e-5,
                      why: "ΔW = B·A: B (out, r) times A (r, in) gives (out, in), the weight's shape") },
        {
            for (r, d, k, want) in [(3, 5, 7, 3), (8, 4096, 4096, 8), (16, 8, 1024, 8), (64, 4096, 11008, 64)] {
                let got = impl.updateRankBound(r, d, k)
                if got != want {
                    return CheckFailure(checking: "updateRankBound(rank: \(r), out: \(d), in: \(k))", expected: "\(want)", got: "\(got)",
                                        why: "rank(B·A) ≤ min(rank B, rank A) ≤ min(r, out, in)")
                }
            }
            return nil
        },
    ])
}

func checkLoRAScale(_ impl: Implementations) -> CheckResult {
    let cases: [(Double, Int, Bool, Double)] = [
        (16, 8, false, 2), (32, 16, false, 2), (8, 8, false, 1), (1, 4, false, 0.25),
        (16, 16, true, 4), (32, 64, true, 4), (8, 4, true, 4), (16, 8, true, 16 / Double(8).squareRoot()),
    ]
    for (alpha, r, rs, want) in cases {
        let got = impl.loraScale(alpha, r, rs)
        if !(abs(got - want) <= 1e-12 * want) {
            return .failed(CheckFailure(
                checking: "loraScale(alpha: \(show(alpha)), rank: \(r), rankStabilized: \(rs))",
                expected: show(want), got: show(got),
                why: rs ? "rsLoRA uses s = α/√r" : "LoRA uses s = α/r"))
        }
    }
    return .passed
}

func checkLoRAForward(_ impl: Implementations) -> CheckResult {
    let cases = [
        LoRACase(n: 4, inFeatures: 6, outFeatures: 5, rank: 2, alpha: 4, seed: 301),
        LoRACase(n: 3, inFeatures: 16, outFeatures: 9, rank: 4, alpha: 2, seed: 302),
    ]
    return firstFailure(cases.map { c in
        { expectClose(impl.loraForward(c.x, c.w0, c.a, c.b, c.scale), c.layer.forward(c.x),
                      "loraForward(\(c.label))", atol: 1e-4, rtol: 1e-4,
                      why: "y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ, as LoRALinear.forward computes it") }
    })
}

func checkLoRAGradients(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 401)
    let (n, k, d, r) = (3, 6, 4, 2)
    let x = Matrix<Double>.normal(n, k, using: &g), w0 = Matrix<Double>.normal(d, k, using: &g)
    let a = Matrix<Double>.normal(r, k, using: &g), b = Matrix<Double>.normal(d, r, using: &g)
    let dy = Matrix<Double>.normal(n, d, using: &g)
    let s = 1.5
    // L = Σ dy ⊙ y, so ∂L/∂y = dy; y computed with naive loops, independent of the learner.
    let loss: ([Matrix<Double>]) -> Double = { p in
        let y = naiveProduct(x, w0.transposed) + s * naiveProduct(naiveProduct(x, p[0].transposed), p[1].transposed)
        return (y .* dy).sum
    }
    var cases: [() -> CheckFailure?] = []
    for (label, bb) in [("B ≠ 0", b), ("B = 0 (step 0)", Matrix<Double>.zeros(d, r))] {
        cases.append {
            let got = impl.loraGradients(x, a, bb, s, dy)
            if let e = expectShape(got.a, r, k, "∂L/∂A") ?? expectShape(got.b, d, r, "∂L/∂B") { return e }
            let numeric = GradientCheck.numericalGradients(of: loss, at: [a, bb])
            for (which, analytic, reference) in [("∂L/∂A", got.a, numeric[0]), ("∂L/∂B", got.b, numeric[1])] {
                let error = GradientCheck.relativeError(analytic, reference)
                if !(error <= GradientCheck.defaultTolerance) {
                    return CheckFailure(
                        checking: "\(which) with \(label), x (3, 6), A (2, 6), B (4, 2), s = 1.5: relative error against central differences",
                        expected: "≤ 1e-6 (finite differences give \(show(reference.storage, limit: 4) { show($0) }))",
                        got: "\(show(error)) (your \(which) is \(show(analytic.storage, limit: 4) { show($0) }))",
                        why: "∂L/∂B = s·dyᵀ·(x·Aᵀ) and ∂L/∂A = s·(dy·B)ᵀ·x")
                }
            }
            return nil
        }
    }
    return firstFailure(cases)
}

func checkDefaultInitialization(_ impl: Implementations) -> CheckResult {
    let (r, k, d) = (8, 64, 48)
    let bound = 1 / Double(k).squareRoot()
    var g1 = SeededGenerator(seed: 501), g2 = SeededGenerator(seed: 501), g3 = SeededGenerator(seed: 502)
    let (a, b) = impl.defaultInitialization(r, k, d, &g1)
    let again = impl.defaultInitialization(r, k, d, &g2)
    let other = impl.defaultInitialization(r, k, d, &g3)
    let mean = a.count == 0 ? 0 : a.mean
    let std = a.count == 0 ? 0 : (a.storage.reduce(0.0) { $0 + ($1.doubleValue - mean) * ($1.doubleValue - mean) } / Double(a.count)).squareRoot()
    return firstFailure([
        { expectShape(a, r, k, "A") ?? expectShape(b, d, r, "B") },
        { b.maxAbs == 0 ? nil : CheckFailure(checking: "max |B|", expected: "0", got: show(b.maxAbs), why: "B = 0 makes ΔW = s·B·A = 0, so the model starts exactly where the base model is") },
        { a.maxAbs == 0 ? CheckFailure(checking: "max |A|", expected: "> 0 (random)", got: "0", why: "with A = 0 and B = 0 both gradients are zero forever") : nil },
        { Double(a.maxAbs) <= bound ? nil : CheckFailure(checking: "max |A| for in = \(k)", expected: "≤ 1/√in = \(show(bound))", got: show(a.maxAbs), why: "Kaiming-uniform with a = √5 is U(−1/√in, 1/√in)") },
        { abs(std - bound / 3.0.squareRoot()) <= 0.15 * bound / 3.0.squareRoot() ? nil
            : CheckFailure(checking: "standard deviation of A's \(r * k) entries", expected: "≈ (1/√in)/√3 = \(show(bound / 3.0.squareRoot())) (within 15%)", got: show(std), why: "U(−c, c) has standard deviation c/√3") },
        { abs(mean) <= 0.1 * bound ? nil : CheckFailure(checking: "mean of A", expected: "≈ 0 (|mean| ≤ \(show(0.1 * bound)))", got: show(mean)) },
        { again.a == a && again.b == b ? nil : CheckFailure(checking: "two calls with generators seeded alike", expected: "identical A", got: "different A", why: "draw every number from the generator you are given (SeededGenerator), never the system RNG") },
        { other.a != a ? nil : CheckFailure(checking: "calls with seeds 501 and 502", expected: "different A", got: "the same A", why: "A must come from the generator") },
        {
            var g = SeededGenerator(seed: 503)
            let x = Matrix<Float>.normal(5, k, using: &g), w0 = Matrix<Float>.normal(d, k, using: &g)
            guard let layer = try? LoRALinear(base: Linear(weight: w0), a: a, b: b, hyperparameters: LoRAHyperparameters(rank: r, alpha: 16)) else {
                return CheckFailure(checking: "LoRALinear(A, B)", expected: "accepted", got: "rejected")
            }
            let diff = layer.forward(x).maxAbsDifference(Linear(weight: w0).forward(x))
            return diff == 0 ? nil : CheckFailure(checking: "max |LoRA output − base output| at step 0", expected: "0 exactly", got: show(diff))
        },
    ])
}

func checkParameterCount(_ impl: Implementations) -> CheckResult {
    // (r, d, k): LLaMA-7B attention (4096 × 4096) and MLP (11008 × 4096) shapes, and a tiny one.
    let cases = [(8, 4096, 4096), (16, 11008, 4096), (1, 3, 5), (64, 4096, 4096)]
    for (r, d, k) in cases {
        let want = r * (d + k), got = impl.loraParameterCount(r, d, k)
        if got != want {
            return .failed(CheckFailure(checking: "loraParameterCount(rank: \(r), out: \(d), in: \(k))", expected: "\(want)", got: "\(got)",
                                        why: "A has r·in entries and B has out·r"))
        }
        let ratio = Double(want) / (Double(d) * Double(k)), gotRatio = impl.compressionRatio(r, d, k)
        if !(abs(gotRatio - ratio) <= 1e-12 * ratio) {
            return .failed(CheckFailure(checking: "compressionRatio(rank: \(r), out: \(d), in: \(k))", expected: show(ratio), got: show(gotRatio),
                                        why: "LoRA parameters over the full weight's d·k"))
        }
    }
    return .passed
}
