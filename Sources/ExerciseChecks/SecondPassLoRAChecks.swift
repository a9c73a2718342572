import Foundation
import LoRA

// Checks for exercises 17–19, 22 and 23 (chapters 01, 04, 05, 09, 11): the second pass over the
// LoRA chapters. Oracles: the library's SVD, LoRALinear (training forward and backward, PiSSA
// initialisation, safe merge, merging and unloading), SGDOptimizer and AdamW.

// MARK: - 17 Eckart–Young (predict, then run)

/// Chapter 01's ΔW* (32, 48) with singular values 4, 3, 2, 1: the singular vectors of a
/// Gaussian matrix, recombined with the chosen spectrum.
func eckartYoungTarget() throws -> Matrix<Double> {
    var g = SeededGenerator(seed: 1701)
    let basis = try Matrix<Double>.normal(32, 48, using: &g).svd()
    let sigma: [Double] = [4, 3, 2, 1]
    let left = Matrix<Double>(rows: 32, columns: 4) { i, j in basis.u[i, j] * sigma[j] }
    let right = Matrix<Double>(rows: 4, columns: 48) { i, j in basis.vt[i, j] }
    return left.matmul(right)
}

/// What the library measures for exercise 17: ‖ΔW* − M_r‖_F for r = 1…4, M_r the truncated SVD.
func eckartYoungMeasurements() throws -> (sigma: [Double], residuals: [Double]) {
    let target = try eckartYoungTarget()
    var residuals: [Double] = []
    var sigma: [Double] = []
    for r in 1...4 {
        let (m, s) = try truncatedSVD(target, rank: r)
        residuals.append((target - m).frobeniusNorm)
        sigma = s
    }
    return (sigma, residuals)
}

func checkEckartYoung(_ impl: Implementations) -> CheckResult {
    firstFailure([
        {
            let p = impl.predictedRank2Residual
            guard !p.isNaN else {
                return CheckFailure(
                    checking: "predictedRank2Residual",
                    expected: "your prediction, a number written in the file before running the check",
                    got: "nan (no prediction yet)",
                    why: "predict first: ΔW* (32, 48) has singular values 4, 3, 2, 1; how far from it is the best matrix of rank 2? The check then measures it with the library")
            }
            let measured: Double
            do { measured = try eckartYoungMeasurements().residuals[1] } catch { return oracleFailed("the SVD of ΔW*", error) }
            return abs(p - measured) <= 0.01 * measured ? nil : CheckFailure(
                checking: "predictedRank2Residual (tolerance 1 % of the measured value)",
                expected: "\(fixed(measured, 6)), measured: the library's SVD of ΔW*, its rank-2 truncation M₂, then ‖ΔW* − M₂‖_F",
                got: show(p),
                why: "Eckart–Young: the best rank-2 matrix keeps σ₁ and σ₂ and the error is what it drops, √(σ₃² + σ₄²) = √(2² + 1²) = √5; neither the matrix's size nor its singular vectors enter")
        },
        {
            let cases: [([Double], Int, Double)] = [
                ([4, 3, 2, 1], 2, 5.0.squareRoot()), ([4, 3, 2, 1], 4, 0), ([4, 3, 2, 1], 0, 30.0.squareRoot()),
                ([3, 1, 1, 1], 1, 3.0.squareRoot()), ([2.5], 1, 0), ([10, 0.5, 0.25], 1, (0.25 + 0.0625).squareRoot()),
            ]
            for (sigma, r, want) in cases {
                let got = impl.eckartYoungResidual(sigma, r)
                if !(abs(got - want) <= 1e-12 * max(1, want)) {
                    return CheckFailure(checking: "eckartYoungResidual(singularValues: \(sigma.map(show)), rank: \(r)) (tolerance 1e-12)",
                                        expected: show(want), got: show(got), why: "√(Σ_{i>r} σᵢ²): the singular values after the first r, squared, summed, square-rooted")
                }
            }
            return nil
        },
        {
            let target: Matrix<Double>
            do { target = try eckartYoungTarget() } catch { return oracleFailed("the SVD building ΔW*", error) }
            var g = SeededGenerator(seed: 1702)
            let gaussian = Matrix<Double>.normal(20, 12, using: &g)
            for (label, m, r) in [("ΔW* (32, 48)", target, 1), ("ΔW* (32, 48)", target, 2), ("ΔW* (32, 48)", target, 3),
                                  ("ΔW* (32, 48)", target, 4), ("a Gaussian (20, 12)", gaussian, 3)] {
                let call = "bestRankApproximation(\(label), rank: \(r))"
                let got: Matrix<Double>
                do { got = try impl.bestRankApproximation(m, r) } catch { return threw(call, error) }
                let want: Matrix<Double>
                do { want = try truncatedSVD(m, rank: r).approximation } catch { return oracleFailed("the truncated SVD", error) }
                if let failure = expectClose(got, want, call, atol: 1e-9, rtol: 1e-9,
                                             why: "the truncated SVD U_r·diag(σ₁…σ_r)·V_rᵀ, the best rank-r approximation in the Frobenius norm") {
                    return failure
                }
            }
            return nil
        },
    ])
}

@Sendable func explainEckartYoung() -> [String] {
    guard let (sigma, residuals) = try? eckartYoungMeasurements() else { return ["(the library's SVD failed)"] }
    var lines = ["ΔW* (32, 48): singular values from the library's SVD " + sigma.prefix(5).map { fixed($0, 6) }.joined(separator: ", ") + ", …"]
    for (i, residual) in residuals.enumerated() {
        let r = i + 1
        let tail = sigma.dropFirst(r).prefix(4 - r).reduce(0) { $0 + $1 * $1 }.squareRoot()
        lines.append("r = \(r): ‖ΔW* − M_r‖_F = \(fixed(residual, 6))   √(Σ_{i>r} σᵢ²) = \(fixed(tail, 6))")
    }
    let trueRank = sigma.filter { $0 > 1e-9 * sigma[0] }.count
    let exact = residuals.firstIndex { $0 <= 1e-9 * residuals[0] }.map { $0 + 1 }
    // The verdict comes from the measured numbers: where the floor reaches zero, and whether that
    // is the true rank.
    lines.append("Every residual equals the formula: no matrix of rank ≤ r is closer (Eckart–Young, 1936). LoRA of")
    lines.append("rank r trained on ΔW* (chapter 01) stops at this floor; "
        + (exact.map { "it is 0 from r = \($0) on, \($0 == trueRank ? "the true rank" : "not the true rank \(trueRank)")." }
           ?? "it stays above 0 up to r = 4."))
    return lines
}

// MARK: - 19 how ‖ΔW‖ grows with s under SGD and Adam (predict, then run)

/// The layer and batch of exercise 19: W0 (10, 12), A from PEFT's default init, B = 0, a batch
/// x (16, 12) and an output gradient dy (16, 10).
struct ScaleExponentCase {
    let x: Matrix<Double>, w0: Matrix<Double>, a: Matrix<Double>, dy: Matrix<Double>
    let rank = 3
    let learningRate = 1e-2
    static let scales: [Double] = [0.25, 0.5, 1, 2, 4]

    init() {
        var g = SeededGenerator(seed: 1801)
        x = .normal(16, 12, using: &g)
        w0 = .normal(10, 12, std: 0.5, using: &g)
        let bound = 1 / Double(12).squareRoot()
        a = .uniform(rank, 12, low: -bound, high: bound, using: &g)
        dy = (1.0 / 16) * Matrix<Double>.normal(16, 10, using: &g)
    }

    enum Kind { case sgd, adam }

    /// ΔW after one step of `kind` from B = 0 at scale s, with the library's layer and optimizers.
    func deltaWeight(scale s: Double, _ kind: Kind) throws -> Matrix<Double> {
        var layer = try LoRALinear(base: Linear(weight: w0), a: a, b: .zeros(10, rank),
                                   hyperparameters: LoRAHyperparameters(rank: rank, alpha: s * Double(rank)))
        var g = SeededGenerator(seed: 1802)  // dropout is 0: the generator is not used
        let (_, cache) = layer.forward(x, training: &g)
        let gradients = layer.backward(dy, cache: cache)
        switch kind {
        case .sgd:
            var sgd = SGDOptimizer<Double>()
            sgd.update(&layer.a, name: "A", gradient: gradients.a, learningRate: learningRate)
            sgd.update(&layer.b, name: "B", gradient: gradients.b, learningRate: learningRate)
        case .adam:
            var adam = AdamW<Double>(configuration: AdamWConfiguration(learningRate: learningRate, weightDecay: 0))
            adam.update(&layer.a, name: "A", gradient: gradients.a, learningRate: learningRate)
            adam.update(&layer.b, name: "B", gradient: gradients.b, learningRate: learningRate)
        }
        return layer.deltaWeight
    }

    /// ‖ΔW‖_F after one step for each scale, and the least-squares slope of log ‖ΔW‖ on log s.
    func exponent(_ kind: Kind) throws -> (norms: [Double], slope: Double) {
        let norms = try Self.scales.map { try deltaWeight(scale: $0, kind).frobeniusNorm }
        let lx = Self.scales.map { log($0) }, ly = norms.map { log($0) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        let sxy = zip(lx, ly).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        return (norms, sxy / sxx)
    }
}

func checkScaleExponent(_ impl: Implementations) -> CheckResult {
    let c = ScaleExponentCase()
    func prediction(_ name: String, _ p: Double, _ kind: ScaleExponentCase.Kind, why: String) -> CheckFailure? {
        guard !p.isNaN else {
            return CheckFailure(
                checking: name, expected: "your prediction, a number written in the file before running the check",
                got: "nan (no prediction yet)",
                why: "predict first: one step from B = 0 with scale s; if s doubles, ‖ΔW‖ grows by 2ᵖ. What is p? The check then measures it with the library")
        }
        let measured: Double
        do { measured = try c.exponent(kind).slope } catch { return oracleFailed("one training step of LoRALinear", error) }
        return abs(p - measured) <= 0.05 ? nil : CheckFailure(
            checking: "\(name) (tolerance ±0.05)",
            expected: "\(fixed(measured, 3)), measured: one step of the library's LoRALinear for s = 0.25 … 4, slope of log ‖ΔW‖ against log s",
            got: show(p), why: why)
    }
    return firstFailure([
        { prediction("predictedSGDExponent", impl.predictedSGDExponent, .sgd,
                     why: "the gradient of B carries one s, and the model sees s·B·A, a second s: ΔW = −η·s²·dyᵀ·x·Aᵀ·A") },
        { prediction("predictedAdamExponent", impl.predictedAdamExponent, .adam,
                     why: "Adam divides each gradient by its own running magnitude, so B's first step is about η·sign(g) whatever s is; the model sees s times it") },
        {
            for s in [0.5, 2.0] {
                let want: Matrix<Double>
                do { want = try c.deltaWeight(scale: s, .sgd) } catch { return oracleFailed("one SGD step of LoRALinear", error) }
                let got = impl.sgdFirstStepDeltaWeight(c.x, c.a, c.dy, s, c.learningRate)
                if let failure = expectClose(got, want, "sgdFirstStepDeltaWeight(x (16, 12), A (3, 12), dy (16, 10), scale: \(show(s)), learningRate: 0.01)",
                                             atol: 1e-12, rtol: 1e-9,
                                             why: "at B = 0 only B moves: B₁ = −η·s·dyᵀ·(x·Aᵀ), and ΔW₁ = s·B₁·A = −η·s²·dyᵀ·x·Aᵀ·A (the library's backward and SGD step give this)") {
                    return failure
                }
            }
            return nil
        },
    ])
}

@Sendable func explainScaleExponent() -> [String] {
    let c = ScaleExponentCase()
    guard let sgd = try? c.exponent(.sgd), let adam = try? c.exponent(.adam) else { return ["(the library's training step failed)"] }
    var lines = ["one step from B = 0 (W0 (10, 12), r = 3, η = 0.01), ‖ΔW‖_F after the step:", "   s      SGD          Adam"]
    for (i, s) in ScaleExponentCase.scales.enumerated() {
        lines.append("  \(fixed(s, 2))   \(String(format: "%.4e", sgd.norms[i]))   \(String(format: "%.4e", adam.norms[i]))")
    }
    lines.append("fitted p in ‖ΔW‖ ∝ sᵖ: SGD \(fixed(sgd.slope, 3)), Adam \(fixed(adam.slope, 3))")
    // The verdict on the seed's "effective learning rate ∝ α/r" (p = 1) is decided by the fit.
    let holds = { (p: Double) in abs(p - 1) <= 0.05 }
    let verdict: String
    switch (holds(sgd.slope), holds(adam.slope)) {
    case (false, true): verdict = "So \"α/r multiplies the learning rate\" holds for Adam but not for SGD, where doubling s multiplies ‖ΔW‖ by \(fixed(pow(2, sgd.slope), 2))"
    case (true, true): verdict = "So \"α/r multiplies the learning rate\" holds for both optimizers here"
    case (true, false): verdict = "So \"α/r multiplies the learning rate\" holds for SGD but not for Adam here"
    case (false, false): verdict = "So \"α/r multiplies the learning rate\" holds for neither optimizer here"
    }
    lines.append(verdict + " (chapter 05; erratum 3).")
    return lines
}

// MARK: - 18 PiSSA

func checkPiSSA(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 1901)
    let w = Matrix<Float>.normal(24, 32, std: 0.5, using: &g)
    let (r, alpha) = (4, 8.0)
    let s = Float(alpha / Double(r))
    let oracle: LoRALinear<Linear<Float>>
    do {
        oracle = try LoRALinear(base: Linear(weight: w), hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha, initialization: .pissa), using: &g)
    } catch {
        return .failed(oracleFailed("LoRALinear with PiSSA initialisation", error))
    }
    let got: (a: Matrix<Float>, b: Matrix<Float>, residual: Matrix<Float>)
    do { got = try impl.pissaInitialization(w, r, s) } catch { return .failed(threw("pissaInitialization(W0 (24, 32), rank: 4, scale: 2)", error)) }
    let call = "pissaInitialization(W0 (24, 32), rank: 4, scale: 2)"
    return firstFailure([
        { expectShape(got.a, r, 32, "A") ?? expectShape(got.b, 24, r, "B") ?? expectShape(got.residual, 24, 32, "the residual weight") },
        { expectClose(got.b.matmul(got.a, alpha: s), oracle.deltaWeight, "s·B·A from \(call)", atol: 1e-4, rtol: 1e-4,
                      why: "s·B·A must be W0's top-4 SVD part U₄·Σ₄·V₄ᵀ (LoRALinear's .pissa initialisation)") },
        { expectClose(got.residual, oracle.base.weight, "the residual weight from \(call)", atol: 1e-4, rtol: 1e-4,
                      why: "the frozen weight keeps W0 − s·B·A, the singular directions after the 4th, so the layer's output is unchanged") },
        { expectClose(got.a.matmul(got.a, transposeB: true), oracle.a.matmul(oracle.a, transposeB: true), "A·Aᵀ", atol: 1e-3, rtol: 1e-4,
                      why: "the split is even: A = √(Σ₄/s)·V₄ᵀ, so A·Aᵀ = diag(σᵢ/s) (independent of the singular vectors' signs)") },
        { expectClose(got.b.matmul(got.b, transposeSelf: true), oracle.b.matmul(oracle.b, transposeSelf: true), "Bᵀ·B", atol: 1e-3, rtol: 1e-4,
                      why: "the split is even: B = U₄·√(Σ₄/s), so Bᵀ·B = diag(σᵢ/s) too") },
    ])
}

// MARK: - 22 safe merge

func checkSafeMerge(_ impl: Implementations) -> CheckResult {
    let c = LoRACase(n: 3, inFeatures: 10, outFeatures: 6, rank: 2, alpha: 4, seed: 2201)
    var nanB = c.b
    nanB[3, 0] = .nan
    // Finite factors whose product overflows float32 in one weight: 1e20 · 1e20 = 1e40 > 3.4e38.
    var hugeA = c.a, hugeB = c.b
    hugeA[0, 5] = 1e20
    hugeB[2, 0] = 1e20
    let cases: [(label: String, a: Matrix<Float>, b: Matrix<Float>, why: String)] = [
        ("a finite adapter", c.a, c.b, "a finite result is merged: W ← W + s·B·A"),
        ("one NaN in B (row 3)", c.a, nanB, "one NaN in B spreads along a whole row of B·A; the merge must be refused"),
        ("finite A and B whose product overflows (A[0, 5] = B[2, 0] = 1e20)", hugeA, hugeB,
         "the inputs are finite but s·B·A[2, 5] = 2·1e40 is not a float32: check the merged weight, not A and B"),
    ]
    return firstFailure(cases.map { k in
        {
            var layer: LoRALinear<Linear<Float>>
            do {
                layer = try LoRALinear(base: Linear(weight: c.w0), a: k.a, b: k.b, hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4))
            } catch {
                return oracleFailed("LoRALinear(W0, A, B)", error)
            }
            let libraryMerges = (try? layer.merge(safe: true)) != nil
            var w = c.w0
            let merged = impl.safeMerge(&w, k.a, k.b, c.scale)
            let call = "safeMerge(&W (6, 10), A, B, scale: 2) with \(k.label)"
            if merged != libraryMerges {
                return CheckFailure(checking: call, expected: libraryMerges ? "true (merged)" : "false (refused)",
                                    got: merged ? "true (merged)" : "false (refused)", why: k.why + " (LoRALinear.merge(safe: true) agrees)")
            }
            if libraryMerges {
                return expectClose(w, layer.base.weight, call + ": the merged W", atol: 1e-5, rtol: 1e-5, why: k.why)
            }
            let changed = zip(w.storage, c.w0.storage).filter { $0.bitPattern != $1.bitPattern }.count
            return changed == 0 && w.rows == c.w0.rows && w.columns == c.w0.columns ? nil : CheckFailure(
                checking: call + ": W after the refusal", expected: "W exactly as it was",
                got: "\(changed) of \(c.w0.count) weights changed",
                why: "a refused merge leaves W untouched: merge into a copy and write back only when it is finite")
        }
    })
}

// MARK: - 23 merged-adapter interference

/// Exercise 23's layer and adapters: adapters 1 and 2 read disjoint halves of the input, adapter
/// 3 reads all of it; task 1's inputs live in the first half, task 2's in the second.
struct InterferenceCase {
    let w0: Matrix<Float>
    let adapters: [LoRABranch<Float>]
    let inputs: [Matrix<Float>]

    init() throws {
        var g = SeededGenerator(seed: 2301)
        let (k, d, r) = (16, 12, 4)
        w0 = .normal(d, k, std: 0.5, using: &g)
        func halfA(_ firstHalf: Bool) -> Matrix<Float> {
            let dense = Matrix<Float>.normal(r, k, std: 0.5, using: &g)
            return Matrix(rows: r, columns: k) { i, j in (j < k / 2) == firstHalf ? dense[i, j] : 0 }
        }
        let a1 = halfA(true), a2 = halfA(false), a3 = Matrix<Float>.normal(r, k, std: 0.5, using: &g)
        adapters = try [(a1, 8.0), (a2, 4.0), (a3, 8.0)].map { a, alpha in
            try LoRABranch(a: a, b: .normal(d, r, std: 0.5, using: &g), hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha),
                           inFeatures: k, outFeatures: d)
        }
        let dense1 = Matrix<Float>.normal(10, k, using: &g), dense2 = Matrix<Float>.normal(10, k, using: &g)
        inputs = [Matrix(rows: 10, columns: k) { i, j in j < k / 2 ? dense1[i, j] : 0 },
                  Matrix(rows: 10, columns: k) { i, j in j >= k / 2 ? dense2[i, j] : 0 }]
    }

    /// ‖x·W_bothᵀ − x·(W0 + ΔW_own)ᵀ‖ / ‖x·ΔW_ownᵀ‖ from the library's layers, in Double.
    func interference(own: Int, other: Int, task: Int) throws -> Double {
        let base = Linear(weight: w0.converted(to: Double.self))
        let x = inputs[task].converted(to: Double.self)
        let ownLayer = try LoRALinear(base: base, branch: adapters[own].converted(to: Double.self))
        let both = try LoRALinear(base: ownLayer.mergedAndUnloaded(), branch: adapters[other].converted(to: Double.self)).mergedAndUnloaded()
        let yOwn = ownLayer.forward(x)
        return (both.forward(x) - yOwn).frobeniusNorm / (yOwn - base.forward(x)).frobeniusNorm
    }
}

func checkInterference(_ impl: Implementations) -> CheckResult {
    let c: InterferenceCase
    do { c = try InterferenceCase() } catch { return .failed(oracleFailed("building the adapters", error)) }
    let names = ["adapter 1 (reads inputs 0–7)", "adapter 2 (reads inputs 8–15)", "adapter 3 (reads every input)"]
    var cases: [() -> CheckFailure?] = [{
        let merged: Matrix<Float>
        do {
            merged = try LoRALinear(base: LoRALinear(base: Linear(weight: c.w0), branch: c.adapters[0]).mergedAndUnloaded(), branch: c.adapters[2])
                .mergedAndUnloaded().weight
        } catch {
            return oracleFailed("merging with LoRALinear", error)
        }
        return expectClose(impl.mergeBoth(c.w0, c.adapters[0], c.adapters[2]), merged, "mergeBoth(W0 (12, 16), adapter 1, adapter 3)",
                           atol: 1e-5, rtol: 1e-5, why: "W0 + s₁·B₁·A₁ + s₃·B₃·A₃, as merging one adapter and then the other (merge_and_unload) gives")
    }]
    // (own, other, task): disjoint inputs do not interfere; adapter 3 interferes with task 1.
    for (own, other, task) in [(0, 1, 0), (1, 0, 1), (0, 2, 0), (2, 0, 0)] {
        cases.append {
            let want: Double
            do { want = try c.interference(own: own, other: other, task: task) } catch { return oracleFailed("the library's forward passes", error) }
            let got = impl.interference(c.w0, c.adapters[own], c.adapters[other], c.inputs[task])
            let why = want < 1e-9
                ? "the other adapter's A reads only inputs task \(task + 1) never uses, so x·ΔW_otherᵀ = 0: no interference"
                : "‖x·ΔW_otherᵀ‖_F / ‖x·ΔW_ownᵀ‖_F: the other adapter's A reads inputs this task uses, so its update lands on this task's outputs"
            return abs(got - want) <= 1e-3 + 1e-3 * want ? nil : CheckFailure(
                checking: "interference(W0, own: \(names[own]), other: \(names[other]), inputs of task \(task + 1)) (tolerance 1e-3 + 1e-3·expected)",
                expected: fixed(want, 6), got: show(got), why: why)
        }
    }
    return firstFailure(cases)
}
