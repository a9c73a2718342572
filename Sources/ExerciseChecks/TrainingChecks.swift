import LoRA

// Checks for exercises 13–14 (chapter 10). Oracles: hand-computed schedule values, the
// library's LearningRateSchedule and GradientClipping (the code chapter 10 trains with).

func checkLearningRateSchedule(_ impl: Implementations) -> CheckResult {
    // Tolerance: |got − expected| ≤ 1e-12 · peak. Rounding differences between equivalent
    // formulas (e.g. cos²(π·p/2) for ½·(1 + cos(π·p))) are ~1e-16 · peak; any real mistake is
    // at least a whole warm-up step, ≥ peak / W.
    func close(_ got: Double, _ expected: Double, peak: Double) -> Bool { abs(got - expected) <= 1e-12 * peak }

    // Hand values: peak 1, W = 4, S = 12, floor 0, so the numbers are easy to verify on paper.
    let hand: [(step: Int, rate: Double, why: String)] = [
        (0, 0.25, "warm-up: η(0) = η_peak · (0 + 1)/W = 1/4; the first update must not be wasted at rate 0"),
        (1, 0.5, "warm-up: η(1) = η_peak · 2/4"),
        (3, 1, "the last warm-up step, s = W − 1, reaches the peak: (3 + 1)/4"),
        (4, 1, "the cosine starts at the peak: progress (s − W)/(S − W) = 0 at s = W"),
        (8, 0.5, "half-way through the decay: progress 4/8, ½·(1 + cos(π/2)) = ½"),
        (12, 0, "at s = S the progress is 1 and the rate is the floor, here 0"),
        (15, 0, "past S the progress stays at 1 (min(1, …)): the rate stays at the floor instead of rising again"),
    ]
    for h in hand {
        let got = impl.learningRate(h.step, 1, 4, 12, 0)
        if !close(got, h.rate, peak: 1) {
            return .failed(CheckFailure(checking: "learningRate(step: \(h.step), peak: 1, warmupSteps: 4, totalSteps: 12, minimumFactor: 0) (tolerance 1e-12 · peak)",
                                        expected: show(h.rate), got: show(got), why: h.why))
        }
    }

    // Every step of realistic schedules against the library's LearningRateSchedule.
    let configs: [(peak: Double, warmup: Int, total: Int, minimumFactor: Double)] = [
        (3e-4, 30, 300, 0),     // chapter 10: 300 steps, 10 % warm-up
        (1e-3, 5, 40, 0.1),     // a floor at 10 % of the peak
        (2e-4, 0, 20, 0),       // no warm-up: step 0 is already at the peak
        (5e-4, 8, 8, 0.05),     // warm-up only: S − W = 0 must not divide by zero
        (1e-2, 1, 7, 0),        // W = 1: the warm-up is the single step at the peak
    ]
    for c in configs {
        let oracle = LearningRateSchedule(peak: c.peak, warmupSteps: c.warmup, totalSteps: c.total,
                                          decay: .cosine(minimumFactor: c.minimumFactor))
        for step in 0...(c.total + 3) {
            let expected = oracle.rate(at: step)
            let got = impl.learningRate(step, c.peak, c.warmup, c.total, c.minimumFactor)
            guard !close(got, expected, peak: c.peak) else { continue }
            let why: String
            if step < c.warmup {
                why = "warm-up: η(s) = η_peak · (s + 1)/W, rising to the peak at s = W − 1 = \(c.warmup - 1)"
            } else if step >= c.total {
                why = "at and past S the rate is the floor η_min = minimumFactor · η_peak = \(show(c.minimumFactor * c.peak))"
            } else {
                why = "cosine: η_min + (η_peak − η_min) · ½ · (1 + cos(π · (s − W)/max(1, S − W))) with η_min = minimumFactor · η_peak"
            }
            return .failed(CheckFailure(
                checking: "learningRate(step: \(step), peak: \(show(c.peak)), warmupSteps: \(c.warmup), totalSteps: \(c.total), minimumFactor: \(show(c.minimumFactor))) (tolerance 1e-12 · peak)",
                expected: show(expected), got: show(got), why: why))
        }
    }
    return .passed
}

func checkGradientClipping(_ impl: Implementations) -> CheckResult {
    var generator = SeededGenerator(seed: 1401)
    let big = [Matrix<Double>.normal(4, 6, std: 1, using: &generator),
               Matrix<Double>.normal(1, 6, std: 1, using: &generator),
               Matrix<Double>.normal(6, 3, std: 1, using: &generator)]
    // Four tensors of norm 0.8 each: no single tensor exceeds c = 1, but together their norm is
    // 1.6. Clipping tensor by tensor would leave them alone; the global norm clips them.
    let parts = (0..<4).map { _ in
        let m = Matrix<Double>.normal(3, 5, std: 1, using: &generator)
        return (0.8 / m.frobeniusNorm) * m
    }
    let small = big.map { (0.5 / 9.0) * $0 }  // global norm well below 1 (big's is about 6–7)
    let cases: [(name: String, gradients: [Matrix<Double>], maxNorm: Double, why: String)] = [
        ("three tensors (4, 6), (1, 6), (6, 3) with global norm > 1", big, 1,
         "every tensor is scaled by the same factor c / (n + 1e-6), with n the norm of all gradients together (PyTorch's clip_grad_norm_)"),
        ("the same tensors, maxNorm 2.5", big, 2.5, "the factor is c / (n + 1e-6) for the given c"),
        ("four tensors of norm 0.8 each", parts, 1,
         "the norm is global: √(4 · 0.8²) = 1.6 > 1, so all four shrink even though none exceeds 1 on its own"),
        ("tensors with global norm < 1", small, 1, "below maxNorm clipping changes nothing; the norm is still reported"),
    ]
    for c in cases {
        var oracle = ParameterGradients<Double>(c.gradients.enumerated().map { NamedTensor("t\($0.offset)", $0.element) })
        let expectedNorm = GradientClipping.clip(&oracle, maxNorm: c.maxNorm)
        let got = impl.clipGradients(c.gradients, c.maxNorm)
        let call = "clipGradients(\(c.name), maxNorm: \(show(c.maxNorm)))"
        // Tolerance: relative 1e-12 on the norm (a sum of squares in Double); 1e-12 + 1e-9·|x| on
        // each element, far below the 1e-6 that separates c / (n + 1e-6) from c / n.
        if !(abs(got.norm - expectedNorm) <= 1e-12 * expectedNorm) {
            return .failed(CheckFailure(checking: call + ".norm (tolerance 1e-12 · |expected|)", expected: show(expectedNorm), got: show(got.norm),
                                        why: "the norm BEFORE clipping: √(Σ over all tensors of Σ g²)"))
        }
        if got.gradients.count != c.gradients.count {
            return .failed(CheckFailure(checking: call + ".gradients.count", expected: "\(c.gradients.count)", got: "\(got.gradients.count)",
                                        why: "one clipped gradient per input tensor, in the same order"))
        }
        for i in c.gradients.indices {
            if let failure = expectClose(got.gradients[i], oracle["t\(i)"]!, call + ".gradients[\(i)]", atol: 1e-12, rtol: 1e-9, why: c.why) {
                return .failed(failure)
            }
        }
    }
    let empty = impl.clipGradients([], 1)
    if !empty.gradients.isEmpty || !(empty.norm == 0) {
        return .failed(CheckFailure(checking: "clipGradients([], maxNorm: 1)", expected: "([], 0)", got: "(\(empty.gradients.count) tensors, \(show(empty.norm)))",
                                    why: "no gradients: the norm is 0 and there is nothing to scale"))
    }
    return .passed
}
