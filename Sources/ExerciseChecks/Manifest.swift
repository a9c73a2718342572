import Foundation

/// One exercise: where its stub lives, which chapter it belongs to, what to do, hints in tiers,
/// and the check that decides whether it is solved.
public struct Exercise: Sendable {
    /// 1, 2, 3, … in the order a learner should solve them.
    public let number: Int
    /// The file name without number and extension, e.g. `low-rank-update`.
    public let name: String
    /// The chapter the exercise practises (a key of ``Manifest/chapters``).
    public let chapter: Int
    /// What to do, in one line.
    public let goal: String
    /// Hints in tiers, shown one more each time the learner asks (`swift run exercises N --hint`):
    /// the idea, then the formula, then the shape of the code. No tier is the finished line.
    public let hints: [String]
    /// Whether the learner first writes down a number they predict, which the check compares
    /// with what the library measures (a "predict, then run" exercise).
    public let predictThenRun: Bool
    /// Checks an implementation; never traps on a wrong answer.
    public let check: @Sendable (Implementations) -> CheckResult
    /// For predict-then-run exercises: what the library measures, as lines for the learner once
    /// the exercise is solved. Computed with the library only (no learner code runs).
    public let explanation: (@Sendable () -> [String])?

    /// An exercise; `hints` are the tiers in order.
    public init(
        number: Int, name: String, chapter: Int, goal: String, hints: [String], predictThenRun: Bool = false,
        check: @escaping @Sendable (Implementations) -> CheckResult, explanation: (@Sendable () -> [String])? = nil
    ) {
        self.number = number
        self.name = name
        self.chapter = chapter
        self.goal = goal
        self.hints = hints
        self.predictThenRun = predictThenRun
        self.check = check
        self.explanation = explanation
    }

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
    /// The chapters' executable names by chapter number, read from the package's `Chapters/`
    /// folders (`NN-name` → `chNN-name`): the one chapter list, which Package.swift, `tour` and
    /// `lora-docs` read too. The checker and the docs run from the package's sources, so the
    /// folder is found from this file's path.
    public static let chapters: [Int: String] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Chapters")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var map: [Int: String] = [:]
        for name in names where name.count > 3 && name.dropFirst(2).first == "-" {
            guard let number = Int(name.prefix(2)),
                  FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("main.swift").path)
            else { continue }
            map[number] = "ch" + name
        }
        return map
    }()

    /// The first exercise of the second pass. Exercises 1 to 16 walk through chapters 01–12 once;
    /// from here on the ladder walks through them again, one central idea per exercise, and on
    /// into chapters 13–18. Each pass is in chapter order.
    public static let secondPassStart = 17

    /// What each hint tier gives, by tier (1-based); tiers past the last name are "more detail".
    public static let tierNames = ["the idea", "the formula", "the shape of the code"]

    /// The name of hint tier `k` (1-based).
    public static func tierName(_ k: Int) -> String { k >= 1 && k <= tierNames.count ? tierNames[k - 1] : "more detail" }

    /// Every exercise, in order.
    public static let exercises: [Exercise] = [
        Exercise(number: 1, name: "low-rank-update", chapter: 1,
                 goal: "Form the update ΔW = B·A from A (r, in) and B (out, r), and state the largest rank it can have.",
                 hints: [
                    "ΔW must have the weight's shape (out, in): which order of the two factors gives that? And a product can never have more independent directions than the narrowest dimension it passes through.",
                    "ΔW = B·A: (out, r)·(r, in) → (out, in). rank(B·A) ≤ min(rank B, rank A) ≤ min(r, out, in).",
                    "Call `matmul` on B with A as its argument, no transposes. The bound is Swift's three-argument `min` of the rank and the two feature counts.",
                 ],
                 check: checkLowRankUpdate),
        Exercise(number: 2, name: "parameter-count", chapter: 2,
                 goal: "Count a rank-r adapter's parameters r·(d + k) and its compression ratio against the d·k weight.",
                 hints: [
                    "Count the entries of A and of B and add them; the ratio compares that with the full weight's entries.",
                    "A (r, k) and B (d, r): r·k + d·r = r·(d + k). Ratio = r·(d + k) / (d·k).",
                    "Integers for the count. For the ratio convert numerator and denominator to Double before dividing: Int division of a small number by a large one is 0.",
                 ],
                 check: checkParameterCount),
        Exercise(number: 3, name: "lora-forward", chapter: 3,
                 goal: "Add the LoRA branch s·(x·Aᵀ)·Bᵀ to the base output, computed as B(Ax) without forming B·A.",
                 hints: [
                    "Go down first: x·Aᵀ has only r columns. Then go up with B and scale by s. Forming B·A (out × in) would cost far more and is never needed here.",
                    "y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ, where x·Aᵀ is (n, r) and multiplying by Bᵀ makes it (n, out).",
                    "A first `matmul` of x with A, passing `transposeB:`, gives the (n, r) down-projection; a second `matmul` with B, transposed too and with `alpha:` set to the scale, gives the branch; add it to `base` with `+` (or accumulate it with `Matrix.gemm(…, beta: 1, into:)`).",
                 ],
                 check: checkLoRAForward),
        Exercise(number: 4, name: "lora-gradients", chapter: 4,
                 goal: "Derive ∂L/∂A and ∂L/∂B by hand from ∂L/∂y; they are checked against central differences.",
                 hints: [
                    "Name the intermediate u = x·Aᵀ (n, r). y depends on B only through s·u·Bᵀ and on A only through u. Apply the chain rule twice, and check each result's shape against its parameter's.",
                    "∂L/∂B = s·dyᵀ·u (out, r); ∂L/∂u = s·dy·B (n, r); ∂L/∂A = (∂L/∂u)ᵀ·x (r, in).",
                    "Four `matmul` calls. `matmul(_:transposeSelf:transposeB:alpha:)` transposes either side without copying: dyᵀ·u is dy's `matmul` with u and `transposeSelf: true`, and `alpha:` carries s.",
                 ],
                 check: checkLoRAGradients),
        Exercise(number: 5, name: "default-init", chapter: 4,
                 goal: "Initialise A and B as PEFT does by default, so the layer's output is unchanged at step 0.",
                 hints: [
                    "PEFT makes ΔW = s·B·A zero at step 0 by zeroing one factor and drawing the other at random, the way PyTorch initialises a linear layer. Only one choice lets both factors learn later (exercise 04 shows which gradient vanishes at B = 0).",
                    "A ~ U(−1/√in, 1/√in) — that is kaiming_uniform_(a = √5) on an (r, in) matrix — and B = 0 with shape (out, r).",
                    "`Matrix<Float>.uniform(_:_:low:high:using:)` with the bound converted to Float and `&generator`; `.zeros` with B's shape. Draw nothing from any other random source.",
                 ],
                 check: checkDefaultInitialization),
        Exercise(number: 6, name: "scaling", chapter: 5,
                 goal: "Compute the LoRA scaling s = α/r, or α/√r with rsLoRA.",
                 hints: [
                    "s only rescales ΔW = B·A. LoRA divides α by the rank; rsLoRA divides it by the rank's square root.",
                    "s = α / r (LoRA); s = α / √r (rsLoRA, when `rankStabilized` is true).",
                    "Convert the rank to Double once, then choose between the two divisions with a conditional expression; Double's `squareRoot()` gives √r.",
                 ],
                 check: checkLoRAScale),
        Exercise(number: 7, name: "nf4-code", chapter: 6,
                 goal: "Reproduce bitsandbytes' 15 NF4 thresholds (its CUDA literals, not Float midpoints) and map a normalised value to its 4-bit code.",
                 hints: [
                    "bitsandbytes does not compute thresholds at run time: its CUDA kernel compares with 15 float literals. Each literal is the Double mean of two neighbouring levels printed as a decimal, which the compiler then reads as float32 — a different rounding path from averaging in Float. The code is how many thresholds lie strictly below x.",
                    "tₖ = float32(decimal text of ½·(Double(cₖ) + Double(cₖ₊₁))), k = 0…14; code(x) = #{k : tₖ < x}. At k = 0, 8, 12 and 14 this is one ulp away from Float's (cₖ + cₖ₊₁)/2, because the exact mean is a tie between two floats.",
                    "For each k: the mean in Double, turned into text with `String(describing:)` (Swift prints the shortest decimal that reads back as the same Double, as Python printed the literals), read with `Float(_:)` (it returns an optional). For the code, loop over the thresholds with `where t < x` and count; NaN fails every `<`, so it gets 0.",
                 ],
                 check: checkNF4Code),
        Exercise(number: 8, name: "nibble-packing", chapter: 6,
                 goal: "Pack two 4-bit codes per byte (first in the high nibble, odd length padded with 0x7) and unpack them.",
                 hints: [
                    "Two codes share a byte and the earlier one takes the high four bits. An odd count leaves the last low nibble empty: fill it with 0x7, NF4's code for 0. Unpacking reverses this and stops after `count` codes.",
                    "byte k = (q[2k] << 4) | q[2k+1], with q[2k+1] := 7 when it does not exist; q[2k] = byte >> 4, q[2k+1] = byte & 0x0F.",
                    "Pack with a `stride` over even indices, appending one byte per step. Unpack with a `map` over the code indices (at most two per byte, at most `count`), choosing the shift or the mask by whether the index is even.",
                 ],
                 check: checkNibblePacking),
        Exercise(number: 9, name: "blockwise-absmax", chapter: 6,
                 goal: "Quantize values to NF4 in blocks, each with its own absmax, and dequantize them back, bit for bit as bitsandbytes does.",
                 hints: [
                    "Cut the values into consecutive blocks of `blocksize` (the last may be shorter). Each block is scaled into [−1, 1] by its own largest magnitude, coded with your nf4Code, and keeps that magnitude for dequantizing.",
                    "absmax_b = max |xᵢ| over block b; codeᵢ = nf4Code(xᵢ · (1/absmax_b)) — a multiply by the reciprocal, as bitsandbytes does; x̂ᵢ = level[codeᵢ] · absmax[i / blocksize].",
                    "A `stride` over block starts; slice the block out of `values` up to the smaller of start + blocksize and the count; `reduce` with `max` and `abs` for absmax; one reciprocal per block. Dequantize with a `map` over the code indices. An all-zero block gives 1/0 = ∞ and 0·∞ = NaN, which nf4Code already sends to a code whose value times 0 is 0.",
                 ],
                 check: checkBlockwiseQuantization),
        Exercise(number: 10, name: "double-quantization-bits", chapter: 7,
                 goal: "Count storage bits per parameter with and without double quantization, and the bytes DQ saves.",
                 hints: [
                    "Each parameter costs its 4-bit code plus its share of its block's scale. Double quantization stores that scale in 8 bits and adds one float32 per 256 blocks.",
                    "Without DQ: 4 + 32/b bits. With DQ: 4 + 8/b + 32/(256·b). Bytes saved = (difference in bits) · parameters / 8.",
                    "Convert the blocksize to Double; one conditional expression covers both cases; the savings call bitsPerParameter twice.",
                 ],
                 check: checkDoubleQuantizationBits),
        Exercise(number: 11, name: "qlora-memory", chapter: 8,
                 goal: "Estimate training memory: 16-bit full fine-tuning vs QLoRA (NF4 + DQ base, float32 adapter, float32 AdamW states).",
                 hints: [
                    "Full fine-tuning keeps per parameter a 16-bit weight, a 16-bit gradient and AdamW's two float32 moments. QLoRA keeps the frozen base in NF4 + DQ only, and trains the small adapter like a full model.",
                    "Full = 12 bytes · P. QLoRA = P_base · 4.126953125 / 8 + 16 · P_lora bytes (PEFT keeps the adapter in float32).",
                    "Both in Double. The base's bits per parameter are your exercise 10's function at blocksize 64 with double quantization.",
                 ],
                 check: checkQLoRAMemory),
        Exercise(number: 12, name: "merge", chapter: 9,
                 goal: "Merge an adapter into the base weight (W0 + s·B·A) and unmerge it again.",
                 hints: [
                    "Merging folds the update into the weight once, so inference costs nothing extra; unmerging subtracts the same product, recomputed.",
                    "W_merged = W0 + s·B·A; W = W_merged − s·B·A.",
                    "Copy the weight into a `var`, then one `Matrix.gemm` of B and A with `alpha:` plus or minus the scale and `beta: 1`, accumulating into the copy.",
                 ],
                 check: checkMerge),
        Exercise(number: 13, name: "learning-rate-schedule", chapter: 10,
                 goal: "Compute the learning rate at a step: linear warm-up to the peak over W steps, then cosine decay to minimumFactor · peak at step S.",
                 hints: [
                    "Two phases: a straight ramp up to the peak over the first W steps, then half a cosine wave down to the floor at step S, and flat after S.",
                    "s < W: η_peak·(s + 1)/W. Otherwise p = min(1, (s − W)/max(1, S − W)) and η = η_min + (η_peak − η_min)·½·(1 + cos(π·p)), with η_min = minimumFactor·η_peak.",
                    "An early `return` for the warm-up; then the clamped progress in Double, the floor, and Foundation's `cos` of π times the progress.",
                 ],
                 check: checkLearningRateSchedule),
        Exercise(number: 14, name: "gradient-clipping", chapter: 10,
                 goal: "Clip gradients to a maximum global norm: one norm over all tensors, every tensor scaled by the same factor.",
                 hints: [
                    "Treat all gradients as one long vector with one norm. If it exceeds maxNorm, shrink every tensor by the same factor; otherwise leave them alone. Report the norm measured before clipping.",
                    "n = √(Σ over tensors of Σ g²); if n > c, every g becomes g · c/(n + 1e-6).",
                    "Accumulate the squares of every tensor's `storage` into one Double; a `guard` returns early when nothing needs clipping; otherwise `map` each tensor to the factor times the tensor.",
                 ],
                 check: checkGradientClipping),
        Exercise(number: 15, name: "target-modules", chapter: 11,
                 goal: "Decide which modules PEFT's target_modules selects: a list (exact or \".\"-suffix), a full-match regex, or \"all-linear\".",
                 hints: [
                    "A list entry matches whole dot-separated components at the end of the name; a single string is a regular expression that must match the whole name; \"all-linear\" means every linear layer except the output head.",
                    "List: name == t, or name ends with \".\" + t. String: Python's re.fullmatch(pattern, name). all-linear: isLinear and name ≠ \"lm_head\".",
                    "`contains(where:)` over the targets with `hasSuffix`; `try? Regex(pattern)` (an invalid pattern gives nil, which selects nothing) with `wholeMatch(of:)`; a Boolean `&&`.",
                 ],
                 check: checkTargetModules),
        Exercise(number: 16, name: "adapter-files", chapter: 12,
                 goal: "Name an adapter's tensors as PEFT saves them and write the 8-byte length that starts a safetensors file.",
                 hints: [
                    "PEFT saves each factor under the wrapped model's path plus the factor's name, without the adapter's name. A safetensors file starts with the length of its JSON header as an unsigned 64-bit little-endian integer.",
                    "\"base_model.model.\" + path + \".lora_A.weight\" (and lora_B). Byte j = (n >> 8j) & 0xFF for j = 0…7.",
                    "Build the shared prefix once and append the two suffixes. For the bytes, `map` j over 0..<8, shifting a UInt64 copy of n right by 8·j and keeping the low byte with `UInt8(truncatingIfNeeded:)`.",
                 ],
                 check: checkAdapterFiles),

        // The second pass: the chapters' central ideas, then chapters 13–18.
        Exercise(number: 17, name: "eckart-young", chapter: 1,
                 goal: "Predict, then run: the smallest Frobenius error any rank-r matrix can reach, √(Σ_{i>r} σᵢ²), and the truncated SVD that reaches it.",
                 hints: [
                    "Write your prediction before anything else. The best rank-r approximation keeps the r largest singular directions and drops the rest; what it drops is exactly the error, and only the dropped singular values matter.",
                    "M_r = U_r·diag(σ₁…σ_r)·V_rᵀ and min over rank M ≤ r of ‖M − ΔW‖_F = √(Σ_{i>r} σᵢ²). With σ = 4, 3, 2, 1 and r = 2 the dropped values are σ₃ and σ₄.",
                    "`try m.svd()` gives `u`, `singularValues` and `vt`. Build U_r·diag(σ) with `Matrix(rows:columns:) { i, j in … }` over the first r columns and V_rᵀ from the first r rows of `vt`, then `matmul`. The residual: `dropFirst` the first r values, add their squares, take `squareRoot()`.",
                 ],
                 predictThenRun: true,
                 check: checkEckartYoung, explanation: explainEckartYoung),
        Exercise(number: 18, name: "pissa-init", chapter: 4,
                 goal: "Initialise A and B as PiSSA does: s·B·A is W0's top-r SVD part, split evenly between A and B, and the frozen weight keeps the residual.",
                 hints: [
                    "PiSSA puts W0's r strongest singular directions into the adapter and leaves the rest in the frozen weight: the layer computes the same function at step 0, but A and B start non-zero. The singular values are split evenly between the two factors.",
                    "W0 = U·Σ·Vᵀ; A = √(Σ_r/s)·V_rᵀ (r, in), B = U_r·√(Σ_r/s) (out, r), so s·B·A = U_r·Σ_r·V_rᵀ; W_res = W0 − s·B·A.",
                    "`try weight.svd()`; one array of roots √(σᵢ/s) for i < r; A and B with `Matrix(rows:columns:) { i, j in … }` reading `vt[i, j]` and `u[i, j]`; the residual with a `gemm` of `alpha:` −scale and `beta: 1` into a copy of W0.",
                 ],
                 check: checkPiSSA),
        Exercise(number: 19, name: "scale-exponent", chapter: 5,
                 goal: "Predict, then run: how ‖ΔW‖ after one step grows with the scale s under SGD and under Adam (the exponent p in sᵖ), and ΔW after one SGD step from B = 0.",
                 hints: [
                    "Predict both exponents first. At B = 0 only B gets a gradient, and that gradient already carries one factor s; the model then sees s·B·A, a second factor. SGD steps by the gradient's size; Adam divides the size out.",
                    "∂L/∂B = s·dyᵀ·(x·Aᵀ). SGD: B₁ = −η·∂L/∂B, so ΔW₁ = s·B₁·A = −η·s²·dyᵀ·x·Aᵀ·A ∝ s². Adam's first step is about −η·sign(∂L/∂B) whatever s is, so ΔW₁ ∝ s.",
                    "u = x·Aᵀ with `transposeB: true` (n, r); B₁ = dyᵀ·u with `transposeSelf: true` and `alpha:` −η·s; ΔW₁ = B₁·A with `alpha:` s.",
                 ],
                 predictThenRun: true,
                 check: checkScaleExponent, explanation: explainScaleExponent),
        Exercise(number: 20, name: "nf4-levels", chapter: 6,
                 goal: "Build the NormalFloat levels from normal quantiles: 8 positive, 7 negative and an exact zero, normalised to [−1, 1].",
                 hints: [
                    "NF4's levels are quantiles of N(0, 1) at evenly spaced probabilities, more on the positive side than on the negative side, plus an exact 0, divided by the largest. The end probability is δ = 0.9677083 rather than 1, because Φ⁻¹(1) = ∞.",
                    "p⁺ = linspace(δ, ½, P + 1) without its last point, q⁺ = Φ⁻¹(p⁺); p⁻ = linspace(δ, ½, N + 1) without its last point, q⁻ = −Φ⁻¹(p⁻); levels = sort(q⁺ ∪ {0} ∪ q⁻) / max. linspace(a, b, n)ᵢ = a + (b − a)·i/(n − 1).",
                    "A small linspace helper; `dropLast()` removes ½, whose quantile is 0 (the zero is added once, by hand); `NF4Construction.inverseNormalCDF` is Φ⁻¹; `sorted()`, then divide everything by the last element.",
                 ],
                 check: checkNF4Levels),
        Exercise(number: 21, name: "lloyd-max-step", chapter: 6,
                 goal: "Take one Lloyd–Max step: give each value to its nearest level, then move each level to the mean of the values in its cell.",
                 hints: [
                    "Lloyd's algorithm has two halves: each value belongs to its nearest level (that level's cell), then each level moves to the mean of its cell. A level whose cell is empty stays where it is.",
                    "tₖ = (cₖ + cₖ₊₁)/2; cell k = {x : tₖ₋₁ < x ≤ tₖ} (a value exactly on a midpoint goes to the lower level); cₖ ← mean of cell k.",
                    "Midpoints in Double; a value's level index is the number of midpoints strictly below it; a running sum and a count per level (arrays of zeros); finally map each level to sum/count, or to itself when its count is 0.",
                 ],
                 check: checkLloydMaxStep),
        Exercise(number: 22, name: "safe-merge", chapter: 9,
                 goal: "Merge safely: compute W + s·B·A on a copy and refuse, leaving W untouched, when any merged weight is NaN or infinite.",
                 hints: [
                    "Merge into a copy, look at the result, and only then decide whether to write it back. Finite A and B can still overflow to ∞ in their product, so inspect the merged weight, not the inputs.",
                    "W' = W + s·B·A; if every entry of W' is finite then W ← W' and the answer is true; otherwise W stays as it was and the answer is false.",
                    "A `var` copy of the weight, one `Matrix.gemm` with `alpha:` the scale and `beta: 1` into the copy, a `guard` on the copy's `isFinite`, then the assignment.",
                 ],
                 check: checkSafeMerge),
        Exercise(number: 23, name: "merged-interference", chapter: 11,
                 goal: "Merge two adapters' ΔW into one base and measure how much each task's outputs change because of the other adapter.",
                 hints: [
                    "Merging both adapters adds both updates to one weight, so task 1's inputs also meet ΔW₂, which was never trained on them. Measure that extra change against what adapter 1 itself does to the same inputs.",
                    "W_both = W0 + ΔW₁ + ΔW₂; interference = ‖x·W_bothᵀ − x·(W0 + ΔW_own)ᵀ‖_F / ‖x·ΔW_ownᵀ‖_F, which equals ‖x·ΔW_otherᵀ‖_F / ‖x·ΔW_ownᵀ‖_F.",
                    "`deltaWeight` of a `LoRABranch` is s·B·A; matrices add with `+`; a layer's outputs are x's `matmul` with the weight and `transposeB: true`; `.frobeniusNorm` gives the norms.",
                 ],
                 check: checkInterference),
        Exercise(number: 24, name: "loftq-step", chapter: 13,
                 goal: "Take one LoftQ alternation: quantize W − s·B·A to NF4 with the library, then set B, A from the rank-r SVD of W − Q.",
                 hints: [
                    "QLoRA starts from B = 0, so its adapter begins by carrying the whole quantization error. LoftQ alternates: quantize what the adapter does not hold, then let the adapter hold the best rank-r part of what quantization lost.",
                    "Q = dequant(NF4(W − s·B·A)); W − Q = U·Σ·Vᵀ; A' = √(Σ_r/s)·V_rᵀ and B' = U_r·√(Σ_r/s) — exercise 18's split, applied to W − Q.",
                    "Subtract s·B·A from a copy of W with `gemm`; the library's NF4 round trip (blocksize 64, double quantization) is the `denseWeight` of a `QuantizedLinear(quantizing:)` built from a `Linear` holding that difference; then the SVD of W − Q and the same root split as in exercise 18.",
                 ],
                 check: checkLoftQStep),
        Exercise(number: 25, name: "loftq-init", chapter: 13,
                 goal: "Run T LoftQ alternations from A = B = 0 and return the QLoRA layer: an NF4 base that, with s·B·A, is closer to W than QLoRA's start.",
                 hints: [
                    "Repeat exercise 24's step T times starting from zero factors, then package the result as a QLoRA layer whose 4-bit base is the last quantization.",
                    "For t = 1…T: Q_t = NF4(W − s·B_{t−1}·A_{t−1}) and (A_t, B_t) from the rank-r SVD of W − Q_t. The layer is Q_T as the frozen base with A_T, B_T and s = α/r.",
                    "Remember the previous A and B before each call to your loftqStep; after the loop quantize W − s·B_{T−1}·A_{T−1} once more with `QuantizedLinear(quantizing:)` for the base, and build the layer with `LoRALinear(base:a:b:hyperparameters:)` and `LoRAHyperparameters(rank:alpha:)`.",
                 ],
                 check: checkLoftQInitialization),
        Exercise(number: 26, name: "dora-forward", chapter: 14,
                 goal: "Compute DoRA's forward: each output row of W0 + s·B·A rescaled to a learned magnitude m, with m starting at W0's row norms.",
                 hints: [
                    "DoRA splits each output row of the adapted weight into a length (the magnitude, trained) and a direction (W0 + s·B·A, normalised). Starting each magnitude at W0's row length makes the layer equal to the base when B = 0.",
                    "V = W0 + s·B·A (out, in); nᵢ = ‖row i of V‖₂, shape (out,); W'ᵢⱼ = mᵢ·Vᵢⱼ/nᵢ; y = x·W'ᵀ. At B = 0 with m = ‖rows of W0‖, W' = W0.",
                    "Row norms: for each row i, the sum of squares of `row(i)` and its `squareRoot()`. Forward: s·B·A into a copy of W0 with `gemm`, that copy's row norms, a new `Matrix(rows:columns:)` scaling element (i, j) by m[i]/n[i], then x's `matmul` with it, transposed.",
                 ],
                 check: checkDoRA),
        Exercise(number: 27, name: "lora-plus", chapter: 14,
                 goal: "Take one LoRA+ step: AdamW with learning rate η for A and λ·η for B; with λ = 1 it is plain AdamW.",
                 hints: [
                    "LoRA+ is AdamW with two learning rates: A keeps η, B gets λ times it. Each factor keeps its own moment estimates inside the optimizer, under its own name.",
                    "A ← AdamW step of A with ∂L/∂A at η; B ← AdamW step of B with ∂L/∂B at λ·η.",
                    "Two calls of the optimizer's `update(_:name:gradient:learningRate:)`, each with `&` on the parameter and a different name per factor.",
                 ],
                 check: checkLoRAPlus),
        Exercise(number: 28, name: "combine-adapters", chapter: 15,
                 goal: "Combine adapters as PEFT's add_weighted_adapter does: `cat` (stacked factors, exact weighted sum) and `linear` (summed factors, with cross terms).",
                 hints: [
                    "`cat` keeps every adapter's rank: stack the weighted, scaled A's and put the B's side by side, so the new product is exactly the weighted sum of the updates. `linear` adds factors of equal shape instead, which also multiplies one adapter's B with another's A.",
                    "cat: A = [w₁s₁A₁; w₂s₂A₂; …] (Σr, in), B = [B₁ B₂ …] (out, Σr), scale 1, so B·A = Σ wᵢsᵢBᵢAᵢ. linear: cᵢ = wᵢsᵢ, A = Σ sign(cᵢ)·√|cᵢ|·Aᵢ, B = Σ √|cᵢ|·Bᵢ, scale 1; only for equal ranks.",
                    "cat: A's row-major storage is the concatenation of the scaled A's storages; B is a `Matrix(rows:columns:) { i, j in … }` that finds which adapter column j belongs to. linear: a `guard` on equal ranks, zero matrices, and `add(_:scaledBy:)` for each factor.",
                 ],
                 check: checkCombineAdapters),
        Exercise(number: 29, name: "mixed-adapter-batch", chapter: 15,
                 goal: "Serve several adapters on one frozen base in one batch: each row uses its own adapter (or none), and equals running that adapter alone.",
                 hints: [
                    "One frozen base serves every row; only the small branch differs between rows. Run the base once for the whole batch, then add each adapter's branch to the rows that asked for it, and nothing to rows without an adapter.",
                    "yᵢ = base(xᵢ) + s_k·(xᵢ·A_kᵀ)·B_kᵀ for k = adapterOfRow[i]; rows with nil get base(xᵢ) only.",
                    "`base.forward(x)` once; for each adapter gather its row indices, copy those rows into a small matrix, compute the two thin products, and add the result into those rows of y with the subscript setter.",
                 ],
                 check: checkMixedAdapterBatch),
        Exercise(number: 30, name: "bits-per-byte", chapter: 16,
                 goal: "Convert a language model's mean loss (nats per token, end-of-text included) to bits per byte, the unit that compares tokenizers.",
                 hints: [
                    "A mean hides the count: undo it to get the whole text's cost. Then share that cost over the bytes of text, and change the logarithm's base from e to 2. End-of-text was scored, so it is among the tokens, but it stands for no bytes.",
                    "total nats = meanLoss · tokens; bits per byte = total nats / bytes / ln 2, since log₂ p = ln p / ln 2. A byte-level model at loss ln 2 (tokens = bytes) gives exactly 1.",
                    "Convert both counts to Double before any division (Int division would truncate); `Double.log` with argument 2 is ln 2; one multiplication and two divisions.",
                 ],
                 check: checkBitsPerByte),
        Exercise(number: 31, name: "top-p-sampling", chapter: 16,
                 goal: "Compute the distribution one sampling step draws from: logits / T, softmax, top-p (smallest prefix reaching top_p), renormalised.",
                 hints: [
                    "Three warpers in transformers' order: temperature rescales the logits, softmax turns them into probabilities, top-p keeps only the most likely tokens that together reach top_p, and the draw renormalises over what is left. top_p = 1 switches top-p off.",
                    "zᵢ = logitᵢ / T; pᵢ = exp(zᵢ − max z) / Σⱼ exp(zⱼ − max z). Sort by descending p (ties: smaller id first); walking that order, keep a token while the kept ones sum to < top_p (the first always); result pᵢ / Σ kept p for kept i, 0 otherwise.",
                    "`map` for z and for the exponentials (`Double.exp`), `max()` for the shift; an early `return` of the softmax when top_p is not below 1; `indices.sorted { … }` with a comparator that compares probabilities and falls back to the indices; a `for` loop that `break`s once the kept list is non-empty and its running sum has reached top_p; an array of zeros filled at the kept indices.",
                 ],
                 check: checkTopPSampling),
        Exercise(number: 32, name: "paired-ratio", chapter: 17,
                 goal: "Compare two methods' forgetting paired by seed: the ratio exp(mean of ln aᵢ − ln bᵢ) and its 95% interval exp(mean ± t·s/√n).",
                 hints: [
                    "Both methods ran the same seeds, so compare seed by seed: one log-ratio per seed. Average those on log scale, put a t interval around the mean, and only then go back to a ratio with exp (the interval is symmetric on log scale, not on the ratio scale).",
                    "dᵢ = ln aᵢ − ln bᵢ; d̄ = Σ dᵢ / n; s² = Σ (dᵢ − d̄)² / (n − 1); h = t975 · s / √n; ratio = exp(d̄), interval [exp(d̄ − h), exp(d̄ + h)].",
                    "`zip` the two arrays and `map` each pair to its log-ratio (`Double.log`); `reduce` for the sum and for the sum of squared deviations; convert the count to Double once; `squareRoot()`; three calls of `Double.exp` in the returned tuple.",
                 ],
                 check: checkPairedRatio),
        Exercise(number: 33, name: "rope-rotation", chapter: 18,
                 goal: "Turn one head's query to its position as transformers' rotary embedding does: ωᵢ = θ^(−2i/d), x ⊙ cos + rotate_half(x) ⊙ sin.",
                 hints: [
                    "The head is two halves; column i and column i + d/2 form a plane that turns by the angle p·ωᵢ, a faster frequency for smaller i. Position 0 turns nothing, and no position changes the vector's length.",
                    "ωᵢ = θ^(−2i/d) = exp(−(2i/d)·ln θ) for i < d/2; with c = cos(p·ωᵢ), s = sin(p·ωᵢ): out[i] = x[i]·c − x[i+d/2]·s and out[i+d/2] = x[i+d/2]·c + x[i]·s.",
                    "Start from a mutable copy of x, loop i over `0..<d/2`, compute the frequency with `Double.exp` and `Double.log` (or Foundation's `pow`), the angle as `Double(position) *` it, then assign the two entries of the plane from the old x, never from out.",
                 ],
                 check: checkRopeRotation),
        Exercise(number: 34, name: "bpe-merge-step", chapter: 18,
                 goal: "Take one BPE training step: count adjacent pairs over the words, pick the most frequent (ties: smaller ids), join it everywhere.",
                 hints: [
                    "Three parts: a tally of every adjacent pair (weighted by how often each word occurs), a choice that is deterministic even when counts tie, and a left-to-right rewrite of every word. Pairs never cross words, and no pair at all means nil.",
                    "count(a, b) = Σ over words w, positions i with w[i] = a and w[i+1] = b, of counts[w]; pick the largest count, then the smallest a, then the smallest b; in each word replace a followed by b with newToken and move on by two.",
                    "A `[[Int]: Int]` dictionary keyed by the two-element pair; a loop over its entries that keeps the best with a comparison falling back to `lexicographicallyPrecedes`; `guard let` for nil; a `while` loop with an index per word that appends either newToken (skipping two) or the token itself.",
                 ],
                 check: checkBPEMergeStep),
        Exercise(number: 35, name: "kv-cache-step", chapter: 18,
                 goal: "Decode one token with a key/value cache: append its key and value, then attend its query over every cached row (grouped-query heads).",
                 hints: [
                    "The new token attends to every earlier position and to itself, so append before attending. Each query head reads its own slice of the query and the slice of the key/value head it shares: consecutive query heads share one.",
                    "d_h = query.count / H; j = h / (H/KV); sₜ = q_h · k_{t,j} / √d_h over all rows t; pₜ = exp(sₜ − max s) / Σ exp(sᵤ − max s); o_h = Σₜ pₜ · v_{t,j}; output = o_0, …, o_{H−1} side by side.",
                    "`append` to both inout arrays first; a loop over heads; array slices `[(j * dh)..<((j + 1) * dh)]` for the key and value columns; `map` over the key rows for the scores, `max()!` for the shift, `Double.exp`; an accumulator of d_h zeros per head, appended to the output.",
                 ],
                 check: checkKVCacheStep),
    ]

    /// The exercise numbered `number`, if any.
    public static func exercise(_ number: Int) -> Exercise? { exercises.first { $0.number == number } }
}
