#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linear warm-up to a peak, then cosine decay or a constant rate: the shape of Hugging Face's
/// `get_cosine_schedule_with_warmup` / `get_constant_schedule_with_warmup`, shifted by one step
/// during warm-up.
///
/// Hugging Face's warm-up rate is η_peak · s / W, so its first update (s = 0) has rate 0 and
/// changes nothing. Ours is η_peak · (s + 1) / W: the first update already trains at η_peak / W
/// and step W − 1 reaches the peak, so no step of a short run is spent at rate 0. After the
/// warm-up both are the same cosine.
///
/// For step s = 0, 1, … (the rate used by the update after step s's gradient):
/// ```
/// s < W:   η(s) = η_peak · (s + 1) / W
/// cosine:  η(s) = η_min + (η_peak − η_min) · ½ · (1 + cos(π · (s − W) / max(1, S − W)))
/// constant: η(s) = η_peak
/// ```
/// (W warm-up steps, S total steps, η_min = `minimumFactor` · η_peak.)
public struct LearningRateSchedule: Sendable, Equatable {
    /// What follows the warm-up.
    public enum Decay: Sendable, Equatable {
        /// Cosine from the peak down to `minimumFactor` · peak at the last step.
        case cosine(minimumFactor: Double)
        /// Stay at the peak.
        case constant
    }

    /// η_peak.
    public var peak: Double
    /// W.
    public var warmupSteps: Int
    /// S.
    public var totalSteps: Int
    /// The decay after warm-up.
    public var decay: Decay

    /// A schedule; `decay` defaults to cosine down to 0.
    public init(peak: Double, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine(minimumFactor: 0)) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = totalSteps
        self.decay = decay
    }

    /// A constant rate with no warm-up.
    public static func constant(_ rate: Double, totalSteps: Int) -> LearningRateSchedule {
        LearningRateSchedule(peak: rate, warmupSteps: 0, totalSteps: totalSteps, decay: .constant)
    }

    /// The rate at step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        switch decay {
        case .constant: return peak
        case .cosine(let minimumFactor):
            let progress = min(1, Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps)))
            let low = minimumFactor * peak
            return low + (peak - low) * 0.5 * (1 + Double.cos(Double.pi * progress))
        }
    }
}
