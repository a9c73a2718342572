// Exercise 13 · chapter 10 (ch10-training): warm-up, then cosine decay
//
// Chapter 10 trains with a learning rate that changes every step: a linear warm-up over the
// first W steps (fresh AdamW moments are noisy, so big steps right away can wreck the start),
// then a cosine decay from the peak down to a floor η_min = minimumFactor · η_peak at step S.
// This package's schedule gives, for step s = 0, 1, … (the rate of the update that follows
// step s's gradient):
//
//   s < W:   η(s) = η_peak · (s + 1) / W          step 0 trains at η_peak / W, step W − 1 at η_peak
//   s ≥ W:   progress = min(1, (s − W) / max(1, S − W))
//            η(s) = η_min + (η_peak − η_min) · ½ · (1 + cos(π · progress))
//
// Steps past S stay at η_min (that is what the min(1, …) is for), and W = S must not divide
// by zero (the max(1, …)).
//
// What to do: return η(s). Use `cos` and `Double.pi` (Foundation is imported for `cos`).
// Check: swift run exercises 13         Stuck? swift run exercises 13 --hint
import Foundation

/// The learning rate at 0-based `step`: linear warm-up over `warmupSteps`, then cosine decay
/// to `minimumFactor · peak` at `totalSteps`.
public func learningRate(step: Int, peak: Double, warmupSteps: Int, totalSteps: Int, minimumFactor: Double) -> Double {
    // TODO: the warm-up branch for step < warmupSteps, then the cosine branch.
    return peak
}
