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
        #expect(statusLines.last == "✗ 07 nf4-code (chapter 05)")
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
        // 02: rsLoRA forgotten.
        #expect(fails(2) { $0.loraScale = { alpha, r, _ in alpha / Double(r) } })
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
        // 06: integer division in the ratio.
        #expect(fails(6) { $0.compressionRatio = { r, d, k in Double(r * (d + k) / (d * k)) } })
        // 07: ties to the upper code (`<=` instead of `<`).
        #expect(fails(7) { impl in
            let levels = ExerciseSolutions.nf4Levels
            impl.nf4Code = { x in UInt8((0..<15).filter { (levels[$0] + levels[$0 + 1]) / 2 <= x }.count) }
        })
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
        // 16: big-endian length.
        #expect(fails(16) { impl in
            let right = good.safetensorsLengthPrefix
            impl.safetensorsLengthPrefix = { Array(right($0).reversed()) }
        })
    }
}
