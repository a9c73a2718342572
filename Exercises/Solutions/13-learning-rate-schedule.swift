// Solution 13 · chapter 10 (ch10-training): warm-up, then cosine decay
import Foundation

/// The learning rate at 0-based `step`: linear warm-up over `warmupSteps`, then cosine decay
/// to `minimumFactor · peak` at `totalSteps`.
public func learningRate(step: Int, peak: Double, warmupSteps: Int, totalSteps: Int, minimumFactor: Double) -> Double {
    // Warm-up. `step + 1`, not `step`: the rate belongs to the update made after step s's
    // gradient, and with `step` the very first update would use rate 0 and change nothing.
    // (Hugging Face's LambdaLR formula is s / W; this package's schedule is that shifted by one
    // step, so its warm-up ends exactly at the peak on step W − 1.) `step < warmupSteps` is
    // never true when W = 0, so there is no division by zero here.
    if step < warmupSteps {
        return peak * Double(step + 1) / Double(warmupSteps)
    }
    // Cosine. progress runs from 0 at s = W to 1 at s = S; clamping it at 1 keeps the rate at the
    // floor after S (cos would climb back up past π), and max(1, S − W) guards W = S.
    let progress = min(1, Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps)))
    // ½·(1 + cos(π·p)) falls smoothly from 1 to 0; stretch it between the floor and the peak.
    let floor = minimumFactor * peak
    return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
}
