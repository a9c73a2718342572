@testable import exercise_runner
@testable import exercises
import ExerciseChecks
import ExerciseSolutions
import Foundation
import LoRA
import Testing

// Both directions, as rustlings' CI does (src/dev/check.rs): every check passes on the
// reference solutions and fails on the pristine stubs, so no check is vacuous.
//
// The "stubs fail" direction checks the stubs as committed; a stub the learner has edited
// (solved) is left out of it, see `stubIsPristine`.

@Suite("Exercise checks")
struct ExerciseCheckTests {
    @Test("every check passes against the reference solutions", arguments: Manifest.exercises.map(\.number))
    func solutionsPassEveryCheck(number: Int) throws {
        let exercise = try #require(Manifest.exercise(number))
        let result = exercise.check(solutionImplementations())
        #expect(result == .passed, "exercise \(number) (\(exercise.name)) fails on its solution:\n\(result.failure?.description ?? "")")
    }

    @Test("every check fails against the pristine stubs", arguments: Manifest.exercises.map(\.number))
    func stubsFailEveryCheck(number: Int) throws {
        let exercise = try #require(Manifest.exercise(number))
        guard stubIsPristine(exercise.path) else { return }  // the learner's own work, not the shipped stub
        let result = exercise.check(stubImplementations())
        let failure = try #require(result.failure, "exercise \(number) (\(exercise.name)) passes on its pristine stub: its check is vacuous")
        #expect(!failure.expected.isEmpty && !failure.got.isEmpty && failure.expected != failure.got)
    }

    @Test("the checker reports every solution solved and exits 0")
    func checkerOnSolutions() {
        let output = Checker(implementations: solutionImplementations()).progress()
        #expect(output.exitCode == 0)
        let statusLines = output.text.split(separator: "\n").filter { $0.hasPrefix("✓") || $0.hasPrefix("✗") }
        #expect(statusLines.count == Manifest.exercises.count)
        #expect(statusLines.allSatisfy { $0.hasPrefix("✓") })
        #expect(output.text.contains("All \(Manifest.exercises.count) exercises pass."))
        for e in Manifest.exercises where e.predictThenRun {
            #expect(output.text.contains("`swift run exercises \(e.number)` shows what the library measured"))
        }
    }

    @Test("a solved predict-then-run exercise explains what the library measured")
    func predictThenRunExplains() throws {
        let checker = Checker(implementations: solutionImplementations())
        let eckartYoung = checker.single(17)
        #expect(eckartYoung.exitCode == 0)
        #expect(eckartYoung.text.contains("What the library measured"))
        #expect(eckartYoung.text.contains("r = 2: ‖ΔW* − M_r‖_F = 2.236068"))
        let exponent = checker.single(19)
        #expect(exponent.text.contains("fitted p in ‖ΔW‖ ∝ sᵖ: SGD 2.000, Adam 1.000"))
        #expect(exponent.text.contains("holds for Adam but not for SGD, where doubling s multiplies ‖ΔW‖ by 4.00"))
        #expect(eckartYoung.text.contains("it is 0 from r = 4 on, the true rank."))
        // An unsolved one shows the failure instead, and a pristine prediction does not give the answer away.
        var unpredicted = solutionImplementations()
        unpredicted.predictedRank2Residual = .nan
        let failure = try #require(Manifest.exercise(17)!.check(unpredicted).failure)
        #expect(failure.got.hasPrefix("nan") && !failure.expected.contains("2.23") && !(failure.why ?? "").contains("2.23"))
        #expect(!Checker(implementations: unpredicted).single(17).text.contains("What the library measured"))
    }

    @Test("the checker stops at the first unsolved exercise and names what was expected")
    func checkerStopsAtFirstUnsolved() {
        // Solutions everywhere except exercise 07: 01–06 pass, 07 fails, 08 onwards are not run.
        var mixed = solutionImplementations()
        mixed.nf4Code = stubImplementations().nf4Code
        let output = Checker(implementations: mixed).progress()
        #expect(output.exitCode == 1)
        let statusLines = output.text.split(separator: "\n").filter { $0.hasPrefix("✓") || $0.hasPrefix("✗") }
        #expect(statusLines.count == 7)
        #expect(statusLines.prefix(6).allSatisfy { $0.hasPrefix("✓") })
        #expect(statusLines.last == "✗ 07 nf4-code (chapter 06)")
        #expect(output.text.contains("expected: ") && output.text.contains("got: "))
        #expect(output.text.contains("Progress: 6 of \(Manifest.exercises.count) exercises done."))
    }

    /// Typical wrong answers: each must be caught by its check (a stub that returns zeros is
    /// not the only way to be wrong).
    @Test("checks catch plausible mistakes, not just empty stubs")
    func checksCatchPlausibleMistakes() throws {
        let good = solutionImplementations()
        func fails(_ number: Int, _ mutate: (inout Implementations) -> Void) -> Bool {
            var impl = good
            mutate(&impl)
            return !(Manifest.exercise(number)!.check(impl).isPassed)
        }
        // 01: a rank bound that forgets that r can exceed the layer's size.
        #expect(fails(1) { $0.updateRankBound = { r, _, _ in r } })
        // 06: rsLoRA forgotten.
        #expect(fails(6) { $0.loraScale = { alpha, r, _ in alpha / Double(r) } })
        // 03: scale forgotten.
        #expect(fails(3) { $0.loraForward = { x, w0, a, b, _ in x.matmul(w0, transposeB: true) + x.matmul(a, transposeB: true).matmul(b, transposeB: true) } })
        // 04: ∂L/∂B without the scale.
        #expect(fails(4) { impl in
            let right = good.loraGradients
            impl.loraGradients = { x, a, b, s, dy in let g = right(x, a, b, s, dy); return (g.a, (1 / s) * g.b) }
        })
        // 05: Gaussian A with std 1 instead of Kaiming-uniform.
        #expect(fails(5) { $0.defaultInitialization = { r, k, d, g in (.normal(r, k, using: &g), .zeros(d, r)) } })
        // 05: the seed's swapped init (A = 0, B random) — the output is unchanged but nothing is like PEFT.
        #expect(fails(5) { $0.defaultInitialization = { r, k, d, g in (.zeros(r, k), .normal(d, r, using: &g)) } })
        // 02: integer division in the ratio.
        #expect(fails(2) { $0.compressionRatio = { r, d, k in Double(r * (d + k) / (d * k)) } })
        // 07: ties to the upper code (`<=` instead of `<`).
        #expect(fails(7) { impl in
            let levels = ExerciseSolutions.nf4Levels
            impl.nf4Code = { x in UInt8((0..<15).filter { (levels[$0] + levels[$0 + 1]) / 2 <= x }.count) }
        })
        // 07: Float midpoints (c_k + c_k+1)/2 instead of bitsandbytes' literals (issue 11, item 3).
        let levels = ExerciseSolutions.nf4Levels
        let midpoints = (0..<15).map { (levels[$0] + levels[$0 + 1]) / 2 }
        let midpointCode: @Sendable (Float) -> UInt8 = { x in UInt8(midpoints.filter { $0 < x }.count) }
        #expect(fails(7) { impl in
            impl.nf4Thresholds = { midpoints }
            impl.nf4Code = midpointCode
        })
        // 07: the right thresholds, but nf4Code still compares with Float midpoints: caught by
        // inputs exactly on bitsandbytes' thresholds at k = 0, 8, 12, 14.
        #expect(fails(7) { $0.nf4Code = midpointCode })
        // 07: the thresholds as Float(Double mean), which rounds the tie to even like the Float mean.
        #expect(fails(7) { $0.nf4Thresholds = { (0..<15).map { Float((Double(levels[$0]) + Double(levels[$0 + 1])) / 2) } } })
        // 09: blockwise quantization whose codes come from Float midpoints.
        #expect(fails(9) { $0.quantizeBlockwise = { values, blocksize in
            var codes: [UInt8] = [], absmax: [Float] = []
            for start in stride(from: 0, to: values.count, by: blocksize) {
                let block = values[start..<min(start + blocksize, values.count)]
                let m = block.reduce(Float(0)) { max($0, abs($1)) }
                absmax.append(m)
                codes += block.map { midpointCode($0 * (1 / m)) }
            }
            return (codes, absmax)
        } })
        // 08: first code in the LOW nibble.
        #expect(fails(8) { $0.packNibbles = { c in stride(from: 0, to: c.count, by: 2).map { k in (k + 1 < c.count ? c[k + 1] << 4 : 0x70) | c[k] } } })
        // 08: odd tail padded with 0 instead of 0x7.
        #expect(fails(8) { impl in
            let right = good.packNibbles
            impl.packNibbles = { c in c.count % 2 == 1 ? right(c + [0]) : right(c) }
        })
        // 09: a global absmax instead of one per block.
        #expect(fails(9) { impl in
            let right = good.quantizeBlockwise
            impl.quantizeBlockwise = { v, _ in right(v, max(v.count, 1)) }
        })
        // 10: DQ without the second-level float32 constants.
        #expect(fails(10) { impl in
            let right = good.bitsPerParameter
            impl.bitsPerParameter = { b, dq in dq ? 4 + 8 / Double(b) : right(b, dq) }
        })
        // 11: a float32 master copy counted too (16 bytes per parameter).
        #expect(fails(11) { $0.fullFineTuningBytes = { 16 * Double($0) } })
        // 12: merge without the scale.
        #expect(fails(12) { $0.merge = { w, a, b, _ in w + b.matmul(a) } })
        // 13: Hugging Face's s/W warm-up (off by one here: the first update would use rate 0).
        #expect(fails(13) { impl in
            let right = good.learningRate
            impl.learningRate = { s, peak, w, total, m in s < w ? peak * Double(s) / Double(w) : right(s, peak, w, total, m) }
        })
        // 13: progress not clamped at 1, so the rate climbs again after the last step.
        #expect(fails(13) { $0.learningRate = { s, peak, w, total, m in
            if s < w { return peak * Double(s + 1) / Double(w) }
            let p = Double(s - w) / Double(max(1, total - w))
            return m * peak + (peak - m * peak) * 0.5 * (1 + cos(Double.pi * p))
        } })
        // 13: the floor ignored (decay to 0 whatever minimumFactor says).
        #expect(fails(13) { impl in
            let right = good.learningRate
            impl.learningRate = { s, peak, w, total, _ in right(s, peak, w, total, 0) }
        })
        // 14: each tensor clipped to maxNorm on its own instead of one global norm.
        #expect(fails(14) { impl in
            let right = good.clipGradients
            impl.clipGradients = { g, c in
                let norm = right(g, c).norm
                return (g.map { m in right([m], c).gradients[0] }, norm)
            }
        })
        // 14: the norm reported after clipping instead of before.
        #expect(fails(14) { impl in
            let right = good.clipGradients
            impl.clipGradients = { g, c in
                let clipped = right(g, c).gradients
                return (clipped, right(clipped, .greatestFiniteMagnitude).norm)
            }
        })
        // 14: always rescaling to maxNorm (stretching small gradients up too).
        #expect(fails(14) { impl in
            let right = good.clipGradients
            impl.clipGradients = { g, c in
                let n = right(g, c).norm
                return (n > 0 ? g.map { (c / (n + 1e-6)) * $0 } : g, n)
            }
        })
        // 15: substring matching ("proj" would match "q_proj").
        #expect(fails(15) { $0.matchesTargetList = { name, targets in targets.contains { name.hasSuffix($0) } } })
        // 15: regex search instead of a full match.
        #expect(fails(15) { $0.matchesTargetPattern = { name, p in (try? Regex(p)).map { name.firstMatch(of: $0) != nil } ?? false } })
        // 17: a prediction that adds the dropped singular values instead of their squares.
        #expect(fails(17) { $0.predictedRank2Residual = 3 })
        // 17: the residual counting σ_r too (off by one).
        #expect(fails(17) { $0.eckartYoungResidual = { sigma, r in sigma.dropFirst(max(0, r - 1)).reduce(0) { $0 + $1 * $1 }.squareRoot() } })
        // 17: keeping the r SMALLEST triplets.
        #expect(fails(17) { $0.bestRankApproximation = { m, r in
            let svd = try m.svd(), p = svd.singularValues.count
            let left = Matrix<Double>(rows: m.rows, columns: r) { i, j in svd.u[i, p - r + j] * svd.singularValues[p - r + j] }
            return left.matmul(Matrix<Double>(rows: r, columns: m.columns) { i, j in svd.vt[p - r + i, j] })
        } })
        // 19: the seed's claim taken for SGD (p = 1), or Adam thought to follow the gradient (p = 2).
        #expect(fails(19) { $0.predictedSGDExponent = 1 })
        #expect(fails(19) { $0.predictedAdamExponent = 2 })
        // 19: one factor of s forgotten in the SGD step.
        #expect(fails(19) { impl in
            let right = good.sgdFirstStepDeltaWeight
            impl.sgdFirstStepDeltaWeight = { x, a, dy, s, lr in (1 / s) * right(x, a, dy, s, lr) }
        })
        // 18: roots √σ without dividing by s, so s·B·A = s·U·Σ·Vᵀ.
        #expect(fails(18) { impl in
            let right = good.pissaInitialization
            impl.pissaInitialization = { w, r, s in try right(w, r, 1) }
        })
        // 18: the residual left as W0 (the output is then no longer the base's).
        #expect(fails(18) { impl in
            let right = good.pissaInitialization
            impl.pissaInitialization = { w, r, s in let p = try right(w, r, s); return (p.a, p.b, w) }
        })
        // 18: an uneven split (A = Σ·Vᵀ/s, B = U): the same s·B·A, but not PiSSA's factors.
        #expect(fails(18) { $0.pissaInitialization = { w, r, s in
            let svd = try w.svd()
            let a = Matrix<Float>(rows: r, columns: w.columns) { i, j in svd.singularValues[i] / s * svd.vt[i, j] }
            let b = Matrix<Float>(rows: w.rows, columns: r) { i, j in svd.u[i, j] }
            var residual = w
            Matrix.gemm(b, a, alpha: -s, beta: 1, into: &residual)
            return (a, b, residual)
        } })
        // 20: levels not divided by the largest.
        #expect(fails(20) { impl in
            let right = good.normalFloatLevels
            impl.normalFloatLevels = { p, n, d in right(p, n, d).map { $0 * 1.8 } }
        })
        // 20: one probability point too few on each side.
        #expect(fails(20) { impl in
            let right = good.normalFloatLevels
            impl.normalFloatLevels = { p, n, d in right(p - 1, n - 1, d) }
        })
        // 21: a value on a midpoint sent to the upper level.
        #expect(fails(21) { $0.lloydMaxStep = { values, levels in
            let mids = zip(levels, levels.dropFirst()).map { ($0 + $1) / 2 }
            var sums = [Double](repeating: 0, count: levels.count), counts = [Int](repeating: 0, count: levels.count)
            for v in values { let k = mids.filter { $0 <= Double(v) }.count; sums[k] += Double(v); counts[k] += 1 }
            return levels.indices.map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : levels[$0] }
        } })
        // 21: an empty cell's level moved to 0.
        #expect(fails(21) { impl in
            let right = good.lloydMaxStep
            impl.lloydMaxStep = { values, levels in
                let moved = right(values, levels)
                return levels.indices.map { k in values.contains { abs(Double($0) - levels[k]) < 0.3 } ? moved[k] : 0 }
            }
        })
        // 22: checking only that A and B are finite (the product can still overflow).
        #expect(fails(22) { $0.safeMerge = { w, a, b, s in
            guard a.isFinite, b.isFinite else { return false }
            Matrix.gemm(b, a, alpha: s, beta: 1, into: &w)
            return true
        } })
        // 22: merging in place first and checking afterwards (W is left poisoned).
        #expect(fails(22) { $0.safeMerge = { w, a, b, s in
            Matrix.gemm(b, a, alpha: s, beta: 1, into: &w)
            return w.isFinite
        } })
        // 23: the other adapter forgotten in the merge.
        #expect(fails(23) { $0.mergeBoth = { w, first, _ in w + first.deltaWeight } })
        // 23: the absolute change instead of the change relative to the own adapter's effect.
        #expect(fails(23) { $0.interference = { w, own, other, x in x.matmul(other.deltaWeight, transposeB: true).frobeniusNorm } })
        // 24: quantizing W instead of W − s·B·A (right at A = B = 0 only).
        #expect(fails(24) { impl in
            let right = good.loftqStep
            impl.loftqStep = { w, a, b, s in try right(w, .zeros(a.rows, a.columns), .zeros(b.rows, b.columns), s) }
        })
        // 24: the SVD of W instead of W − Q (that is PiSSA, not LoftQ).
        #expect(fails(24) { impl in
            let right = good.loftqStep
            let pissa = good.pissaInitialization
            impl.loftqStep = { w, a, b, s in
                let q = try right(w, a, b, s).quantized
                let p = try pissa(w, a.rows, s)
                return (q, p.a, p.b)
            }
        })
        // 25: QLoRA's own start (B = 0) returned as is.
        #expect(fails(25) { $0.loftqInitialization = { w, r, alpha, _ in
            try LoRALinear(base: QuantizedLinear(quantizing: Linear(weight: w)), a: .zeros(r, w.columns), b: .zeros(w.rows, r),
                           hyperparameters: LoRAHyperparameters(rank: r, alpha: alpha))
        } })
        // 25: LoftQ's factors, but a base quantized from W itself instead of the last remainder.
        #expect(fails(25) { impl in
            let right = good.loftqInitialization
            impl.loftqInitialization = { w, r, alpha, t in
                let layer = try right(w, r, alpha, t)
                return try LoRALinear(base: QuantizedLinear(quantizing: Linear(weight: w)), a: layer.a, b: layer.b, hyperparameters: layer.hyperparameters)
            }
        })
        // 25: one alternation whatever `iterations` says.
        #expect(fails(25) { impl in
            let right = good.loftqInitialization
            impl.loftqInitialization = { w, r, alpha, _ in try right(w, r, alpha, 1) }
        })
        // 26: norms over columns (per input feature) instead of rows.
        #expect(fails(26) { impl in
            let right = good.doraInitialMagnitude
            impl.doraInitialMagnitude = { w in right(w.transposed) }
        })
        // 26: normalising by W0's row norms instead of (W0 + s·B·A)'s.
        #expect(fails(26) { $0.doraForward = { x, w0, a, b, s, m in
            var v = w0
            Matrix.gemm(b, a, alpha: s, beta: 1, into: &v)
            let n = good.doraInitialMagnitude(w0)
            return x.matmul(Matrix(rows: v.rows, columns: v.columns) { i, j in m[i] / n[i] * v[i, j] }, transposeB: true)
        } })
        // 27: λ applied to A instead of B.
        #expect(fails(27) { $0.loraPlusStep = { a, b, ga, gb, opt, lr, ratio in
            opt.update(&a, name: "A", gradient: ga, learningRate: ratio * lr)
            opt.update(&b, name: "B", gradient: gb, learningRate: lr)
        } })
        // 27: λ applied to both (that is just a larger learning rate).
        #expect(fails(27) { $0.loraPlusStep = { a, b, ga, gb, opt, lr, ratio in
            opt.update(&a, name: "A", gradient: ga, learningRate: ratio * lr)
            opt.update(&b, name: "B", gradient: gb, learningRate: ratio * lr)
        } })
        // 28: cat without the adapters' scales sᵢ.
        #expect(fails(28) { impl in
            let right = good.combineCat
            impl.combineCat = { adapters, weights in right(adapters, zip(adapters, weights).map { $1 / $0.hyperparameters.scale }) }
        })
        // 28: linear with the sign on B instead of A.
        #expect(fails(28) { impl in
            let right = good.combineLinear
            impl.combineLinear = { adapters, weights in
                guard let r = right(adapters, weights.map(abs)) else { return nil }
                var b = Matrix<Float>.zeros(r.b.rows, r.b.columns)
                for (adapter, w) in zip(adapters, weights) {
                    let c = w * adapter.hyperparameters.scale
                    b.add(adapter.b, scaledBy: Float(c < 0 ? -abs(c).squareRoot() : abs(c).squareRoot()))
                }
                var a = Matrix<Float>.zeros(r.a.rows, r.a.columns)
                for (adapter, w) in zip(adapters, weights) { a.add(adapter.a, scaledBy: Float(abs(w * adapter.hyperparameters.scale).squareRoot())) }
                return (a, b)
            }
        })
        // 29: every adapter row given adapter 0's branch.
        #expect(fails(29) { impl in
            let right = good.mixedBatchForward
            impl.mixedBatchForward = { x, base, adapters, rows in right(x, base, adapters, rows.map { $0.map { _ in 0 } }) }
        })
        // 29: rows without an adapter given adapter 0 anyway.
        #expect(fails(29) { impl in
            let right = good.mixedBatchForward
            impl.mixedBatchForward = { x, base, adapters, rows in right(x, base, adapters, rows.map { $0 ?? 0 }) }
        })
        // 30: nats per byte, or multiplied by ln 2 instead of divided.
        #expect(fails(30) { $0.bitsPerByte = { loss, tokens, bytes in loss * Double(tokens) / Double(bytes) } })
        #expect(fails(30) { $0.bitsPerByte = { loss, tokens, bytes in loss * Double(tokens) / Double(bytes) * Foundation.log(2.0) } })
        // 30: the per-token loss converted to bits, ignoring tokens and bytes.
        #expect(fails(30) { $0.bitsPerByte = { loss, _, _ in loss / Foundation.log(2.0) } })
        // 30: end-of-text counted as a byte.
        #expect(fails(30) { $0.bitsPerByte = { loss, tokens, bytes in loss * Double(tokens) / Double(bytes + 1) / Foundation.log(2.0) } })
        // 31: a top-p written with one mistake at a time.
        func topP(_ logits: [Double], _ t: Double, _ topP: Double, strict: Bool = false, largerIdFirst: Bool = false,
                  temperatureAfter: Bool = false, cutAtOne: Bool = false, renormalise: Bool = true) -> [Double] {
            func softmax(_ z: [Double]) -> [Double] {
                let m = z.max()!, e = z.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
                return e.map { $0 / total }
            }
            var p = softmax(temperatureAfter ? logits : logits.map { $0 / t })
            if topP < 1 || cutAtOne {
                let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : (largerIdFirst ? $0 > $1 : $0 < $1) }
                var kept: [Int] = [], sum = 0.0
                for i in order {
                    if !kept.isEmpty && (strict ? sum > topP : sum >= topP) { break }
                    kept.append(i)
                    sum += p[i]
                }
                p = p.indices.map { kept.contains($0) ? p[$0] / (renormalise ? sum : 1) : 0 }
            }
            if temperatureAfter {
                // Temperature applied to the kept tokens' logits after the cut.
                let kept = p.indices.filter { p[$0] > 0 }
                let q = softmax(kept.map { logits[$0] / t })
                p = Array(repeating: 0, count: logits.count)
                for (k, i) in kept.enumerated() { p[i] = q[k] }
            }
            return p
        }
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2) } } == false, "the test's own top-p must pass")
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2, strict: true) } })
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2, largerIdFirst: true) } })
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2, temperatureAfter: true) } })
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2, cutAtOne: true) } })
        #expect(fails(31) { $0.samplingProbabilities = { topP($0, $1, $2, renormalise: false) } })
        // 32: 1.96 instead of the t quantile; the population standard deviation (n, not n − 1).
        #expect(fails(32) { impl in
            let right = good.pairedRatio
            impl.pairedRatio = { a, b, _ in right(a, b, 1.96) }
        })
        #expect(fails(32) { impl in
            let right = good.pairedRatio
            impl.pairedRatio = { a, b, t in right(a, b, t * (Double(a.count - 1) / Double(a.count)).squareRoot()) }
        })
        // 32: the ratio of the means instead of the geometric mean of the ratios.
        #expect(fails(32) { impl in
            let right = good.pairedRatio
            impl.pairedRatio = { a, b, t in let r = right(a, b, t); return (a.reduce(0, +) / b.reduce(0, +), r.low, r.high) }
        })
        // 32: the interval on the ratio scale: mean of aᵢ/bᵢ ± t·s/√n.
        #expect(fails(32) { $0.pairedRatio = { a, b, t in
            let r = zip(a, b).map { $0 / $1 }, n = Double(r.count), m = r.reduce(0, +) / n
            let h = t * (r.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) / n).squareRoot()
            return (m, m - h, m + h)
        } })
        // 33: RoPE written with one mistake at a time: neighbouring pairs (the paper's layout),
        // rotate_half's sign flipped (turning backwards), ωᵢ = θ^(−i/d) instead of θ^(−2i/d).
        func rope(_ x: [Double], _ p: Int, _ theta: Double, interleaved: Bool = false, backwards: Bool = false, halfExponent: Bool = false) -> [Double] {
            let d = x.count
            var out = x
            for i in 0..<(d / 2) {
                let omega = Foundation.pow(theta, -Double(halfExponent ? i : 2 * i) / Double(d))
                let angle = Double(p) * omega * (backwards ? -1 : 1)
                let (a, b) = interleaved ? (2 * i, 2 * i + 1) : (i, i + d / 2)
                out[a] = x[a] * Foundation.cos(angle) - x[b] * Foundation.sin(angle)
                out[b] = x[b] * Foundation.cos(angle) + x[a] * Foundation.sin(angle)
            }
            return out
        }
        #expect(fails(33) { $0.rotaryEmbedding = { rope($0, $1, $2) } } == false, "the test's own RoPE (Foundation's pow, cos, sin) must pass")
        #expect(fails(33) { $0.rotaryEmbedding = { rope($0, $1, $2, interleaved: true) } })
        #expect(fails(33) { $0.rotaryEmbedding = { rope($0, $1, $2, backwards: true) } })
        #expect(fails(33) { $0.rotaryEmbedding = { rope($0, $1, $2, halfExponent: true) } })
        // 34: ties broken towards the larger pair; overlapping pairs counted once; word counts ignored.
        #expect(fails(34) { impl in
            impl.bpeMergeStep = { words, counts, new in
                var tally: [[Int]: Int] = [:]
                for (w, n) in zip(words, counts) where w.count > 1 { for i in 0..<(w.count - 1) { tally[[w[i], w[i + 1]], default: 0] += n } }
                guard let best = tally.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.lexicographicallyPrecedes($1.key) }) else { return nil }
                return good.bpeMergeStep(words.map { w in w.map { $0 } }, counts, new).map { r in (best.key[0], best.key[1], r.count, r.words) }
            }
        })
        #expect(fails(34) { impl in
            let right = good.bpeMergeStep
            impl.bpeMergeStep = { words, _, new in right(words, words.map { _ in 1 }, new) }
        })
        #expect(fails(34) { impl in
            let right = good.bpeMergeStep
            // Counting each word's pairs as a set: (a, a) in [a, a, a] once.
            impl.bpeMergeStep = { words, counts, new in
                guard let r = right(words, counts, new) else { return nil }
                var once = 0
                for (w, n) in zip(words, counts) where w.count > 1 && (0..<(w.count - 1)).contains(where: { w[$0] == r.left && w[$0 + 1] == r.right }) { once += n }
                return (r.left, r.right, once, r.words)
            }
        })
        // 35: attending over the old rows only; h % KV instead of h / (H/KV); no 1/√d_h; no max shift.
        func attend(_ keys: inout [[Double]], _ values: inout [[Double]], _ key: [Double], _ value: [Double], _ query: [Double], _ heads: Int, _ kv: Int,
                    selfExcluded: Bool = false, modulo: Bool = false, unscaled: Bool = false, unshifted: Bool = false) -> [Double] {
            let old = keys.count
            keys.append(key)
            values.append(value)
            let dh = query.count / heads, group = heads / kv
            var out: [Double] = []
            for h in 0..<heads {
                let j = modulo ? h % kv : h / group
                let rows = selfExcluded && old > 0 ? old : keys.count
                let s = (0..<rows).map { t in (0..<dh).reduce(0.0) { $0 + query[h * dh + $1] * keys[t][j * dh + $1] } / (unscaled ? 1 : Double(dh).squareRoot()) }
                let m = unshifted ? 0 : s.max()!
                let e = s.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
                out += (0..<dh).map { c in (0..<rows).reduce(0.0) { $0 + e[$1] / total * values[$1][j * dh + c] } }
            }
            return out
        }
        #expect(fails(35) { $0.decodingStep = { attend(&$0, &$1, $2, $3, $4, $5, $6) } } == false, "the test's own decoding step must pass")
        #expect(fails(35) { $0.decodingStep = { attend(&$0, &$1, $2, $3, $4, $5, $6, selfExcluded: true) } })
        #expect(fails(35) { $0.decodingStep = { attend(&$0, &$1, $2, $3, $4, $5, $6, modulo: true) } })
        #expect(fails(35) { $0.decodingStep = { attend(&$0, &$1, $2, $3, $4, $5, $6, unscaled: true) } })
        #expect(fails(35) { $0.decodingStep = { attend(&$0, &$1, $2, $3, $4, $5, $6, unshifted: true) } })
        // 16: big-endian length.
        #expect(fails(16) { impl in
            let right = good.safetensorsLengthPrefix
            impl.safetensorsLengthPrefix = { Array(right($0).reversed()) }
        })
    }
}
