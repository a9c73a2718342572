// Solution 20 · chapter 06 (ch06-nf4): the NF4 levels from normal quantiles
import LoRA

/// The NormalFloat levels with `positive` levels above 0, `negative` below, end probability δ.
public func normalFloatLevels(positive: Int, negative: Int, offset: Double) -> [Double] {
    /// n probabilities from δ down to ½, evenly spaced, like torch.linspace(δ, 0.5, n).
    func probabilities(_ n: Int) -> [Double] {
        (0..<n).map { i in offset + (0.5 - offset) * Double(i) / Double(n - 1) }
    }
    // Drop the last point, ½: its quantile is 0, and 0 is added once, exactly, below. An exact
    // zero level means zero weights (padding, pruned entries) survive quantization exactly.
    let above = probabilities(positive + 1).dropLast().map(NF4Construction.inverseNormalCDF)
    let below = probabilities(negative + 1).dropLast().map { -NF4Construction.inverseNormalCDF($0) }
    // Eight above and seven below: 16 levels with an exact 0 cannot be symmetric, and NF4 gives
    // the extra level to the positive side. Dividing by the largest maps the ends to ±1, so
    // every block's absmax value is stored exactly.
    let sorted = (above + [0] + below).sorted()
    return sorted.map { $0 / sorted.last! }
}
