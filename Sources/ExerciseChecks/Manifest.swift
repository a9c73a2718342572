/// One exercise: where its stub lives, which chapter it belongs to, what to do, a hint, and
/// the check that decides whether it is solved.
public struct Exercise: Sendable {
    /// 1, 2, 3, … in the order a learner should solve them.
    public let number: Int
    /// The file name without number and extension, e.g. `low-rank-update`.
    public let name: String
    /// The chapter (01–11) the exercise practises.
    public let chapter: Int
    /// What to do, in one line.
    public let goal: String
    /// A nudge for when the learner is stuck (`swift run exercises N --hint`).
    public let hint: String
    /// Checks an implementation; never traps on a wrong answer.
    public let check: @Sendable (Implementations) -> CheckResult

    /// `NN-name.swift`, the stub's file name inside `Exercises/` (and the solution's inside
    /// `Exercises/Solutions/`).
    public var fileName: String { twoDigits(number) + "-" + name + ".swift" }
    /// The stub's path relative to the package root.
    public var path: String { "Exercises/" + fileName }
    /// The reference solution's path relative to the package root.
    public var solutionPath: String { "Exercises/Solutions/" + fileName }
}

/// `7` → `"07"`.
public func twoDigits(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : "\(n)" }

/// The ordered list of exercises: the single source of truth for the checker, the tests and
/// the generated `docs/exercises.md`.
public enum Manifest {
    /// The chapters' executable names (DESIGN.md's chapter map), by chapter number.
    public static let chapters: [Int: String] = [
        1: "ch01-low-rank-update", 2: "ch02-forward-and-scaling", 3: "ch03-initialisation",
        4: "ch04-parameter-counts", 5: "ch05-nf4", 6: "ch06-double-quantization", 7: "ch07-qlora",
        8: "ch08-merging", 9: "ch09-training", 10: "ch10-rank-targets-limits", 11: "ch11-best-practice",
    ]

    /// Every exercise, in order.
    public static let exercises: [Exercise] = [
        Exercise(number: 1, name: "low-rank-update", chapter: 1,
                 goal: "Form the update ΔW = B·A from A (r, in) and B (out, r), and state the largest rank it can have.",
                 hint: "B is (out, r) and A is (r, in), so `b.matmul(a)` is (out, in). A product can have no larger rank than either factor: min(r, out, in).",
                 check: checkLowRankUpdate),
        Exercise(number: 2, name: "scaling", chapter: 2,
                 goal: "Compute the LoRA scaling s = α/r, or α/√r with rsLoRA.",
                 hint: "Convert the rank to Double first: `alpha / Double(rank)`; rsLoRA divides by `Double(rank).squareRoot()`.",
                 check: checkLoRAScale),
        Exercise(number: 3, name: "lora-forward", chapter: 2,
                 goal: "Add the LoRA branch s·(x·Aᵀ)·Bᵀ to the base output, computed as B(Ax) without forming B·A.",
                 hint: "`let down = x.matmul(a, transposeB: true)` is (n, r); then `down.matmul(b, transposeB: true, alpha: scale)` is (n, out). Add it to the base output with `+`.",
                 check: checkLoRAForward),
        Exercise(number: 4, name: "lora-gradients", chapter: 3,
                 goal: "Derive ∂L/∂A and ∂L/∂B by hand from ∂L/∂y; they are checked against central differences.",
                 hint: "With u = x·Aᵀ (n, r) and y = … + s·u·Bᵀ: ∂L/∂B = s·dyᵀ·u (out, r), ∂L/∂u = s·dy·B (n, r), ∂L/∂A = (∂L/∂u)ᵀ·x (r, in). Use `transposeSelf:` instead of copying.",
                 check: checkLoRAGradients),
        Exercise(number: 5, name: "default-init", chapter: 3,
                 goal: "Initialise A and B as PEFT does by default, so the layer's output is unchanged at step 0.",
                 hint: "A = Matrix.uniform(rank, inFeatures, low: −1/√in, high: 1/√in, using: &generator) (Kaiming-uniform with a = √5); B = Matrix.zeros(outFeatures, rank).",
                 check: checkDefaultInitialization),
        Exercise(number: 6, name: "parameter-count", chapter: 4,
                 goal: "Count a rank-r adapter's parameters r·(d + k) and its compression ratio against the d·k weight.",
                 hint: "A has r·k entries and B has d·r. The ratio divides that by d·k; compute it in Double to avoid integer division.",
                 check: checkParameterCount),
        Exercise(number: 7, name: "nf4-code", chapter: 5,
                 goal: "Map a normalised value to its 4-bit NF4 code with bitsandbytes' midpoints and tie rule.",
                 hint: "The code is the number of midpoints strictly below x, where midpoint i = (level[i] + level[i+1]) / 2 in Float. `<` is false for NaN, so NaN gets 0 for free.",
                 check: checkNF4Code),
        Exercise(number: 8, name: "nibble-packing", chapter: 5,
                 goal: "Pack two 4-bit codes per byte (first in the high nibble, odd length padded with 0x7) and unpack them.",
                 hint: "byte k = (q[2k] << 4) | q[2k+1]; when q[2k+1] does not exist use 7. Unpacking: code 2k is `byte >> 4`, code 2k+1 is `byte & 0x0F`; stop after `count` codes.",
                 check: checkNibblePacking),
        Exercise(number: 9, name: "blockwise-absmax", chapter: 6,
                 goal: "Quantize values to NF4 in blocks, each with its own absmax, and dequantize them back.",
                 hint: "For each block of `blocksize` values (the last may be shorter): absmax = max |x|, multiply each x by `1 / absmax` and call your nf4Code. Dequantize: nf4Levels[code] · absmax[i / blocksize]. An all-zero block gives 0 · ∞ = NaN, which nf4Code maps to 0.",
                 check: checkBlockwiseQuantization),
        Exercise(number: 10, name: "double-quantization-bits", chapter: 6,
                 goal: "Count storage bits per parameter with and without double quantization, and the bytes DQ saves.",
                 hint: "Without DQ: 4 + 32/blocksize. With DQ each block's constant is 8 bits, plus one float32 per 256 blocks: 4 + 8/blocksize + 32/(blocksize·256). Bytes = bits · parameters / 8.",
                 check: checkDoubleQuantizationBits),
        Exercise(number: 11, name: "qlora-memory", chapter: 7,
                 goal: "Estimate training memory: 16-bit full fine-tuning vs QLoRA (NF4 + DQ base, 16-bit adapter, float32 AdamW states).",
                 hint: "Full: 2 (weights) + 2 (gradients) + 8 (two float32 AdamW moments) = 12 bytes per parameter. QLoRA: base · 4.126953125 / 8 + 12 bytes per LoRA parameter.",
                 check: checkQLoRAMemory),
        Exercise(number: 12, name: "merge", chapter: 8,
                 goal: "Merge an adapter into the base weight (W0 + s·B·A) and unmerge it again.",
                 hint: "`var w = weight; Matrix.gemm(b, a, alpha: scale, beta: 1, into: &w)` adds s·B·A in place; unmerge uses alpha: −scale.",
                 check: checkMerge),
        Exercise(number: 13, name: "learning-rate-schedule", chapter: 9,
                 goal: "Compute the learning rate at a step: linear warm-up to the peak over W steps, then cosine decay to minimumFactor · peak at step S.",
                 hint: "If step < W: peak · Double(step + 1) / Double(W). Else p = min(1, Double(step − W) / Double(max(1, S − W))), floor = minimumFactor · peak, rate = floor + (peak − floor) · 0.5 · (1 + cos(.pi · p)).",
                 check: checkLearningRateSchedule),
        Exercise(number: 14, name: "gradient-clipping", chapter: 9,
                 goal: "Clip gradients to a maximum global norm: one norm over all tensors, every tensor scaled by the same factor.",
                 hint: "n = √(Σ over all tensors of Σ x²) over `g.storage`. If n > maxNorm, map each tensor to `(maxNorm / (n + 1e-6)) * g`; otherwise return them unchanged. Return n either way.",
                 check: checkGradientClipping),
        Exercise(number: 15, name: "target-modules", chapter: 10,
                 goal: "Decide which modules PEFT's target_modules selects: a list (exact or \".\"-suffix), a full-match regex, or \"all-linear\".",
                 hint: "List: `name == t || name.hasSuffix(\".\" + t)`. Regex: `(try? Regex(pattern)).map { name.wholeMatch(of: $0) != nil } ?? false`. all-linear: linear and not \"lm_head\".",
                 check: checkTargetModules),
        Exercise(number: 16, name: "adapter-files", chapter: 11,
                 goal: "Name an adapter's tensors as PEFT saves them and write the 8-byte length that starts a safetensors file.",
                 hint: "Keys are \"base_model.model.\" + path + \".lora_A.weight\" (and lora_B). The prefix is `(0..<8).map { UInt8(truncatingIfNeeded: UInt64(n) >> (8 * $0)) }`.",
                 check: checkAdapterFiles),
    ]

    /// The exercise numbered `number`, if any.
    public static func exercise(_ number: Int) -> Exercise? { exercises.first { $0.number == number } }
}
