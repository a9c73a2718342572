// Solution 14 · chapter 10 (ch10-training): global-norm gradient clipping
import LoRA

/// Clips `gradients` to global norm `maxNorm`; returns them and their global norm before clipping.
public func clipGradients(_ gradients: [Matrix<Double>], maxNorm: Double) -> (gradients: [Matrix<Double>], norm: Double) {
    // One sum of squares over every element of every tensor: the norm of all gradients seen as
    // one long vector. Summing per-tensor norms, or clipping each tensor to maxNorm on its own,
    // would change the update's direction; the global norm only changes its length.
    var sumOfSquares = 0.0
    for g in gradients {
        for x in g.storage { sumOfSquares += x * x }
    }
    let norm = sumOfSquares.squareRoot()
    // Below the threshold nothing happens: clipping only ever shrinks.
    guard norm > maxNorm else { return (gradients, norm) }
    // PyTorch's factor c / (n + 1e-6): the clipped norm lands just under c.
    let factor = maxNorm / (norm + 1e-6)
    return (gradients.map { factor * $0 }, norm)
}
