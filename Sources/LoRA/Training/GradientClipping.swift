/// Global-norm gradient clipping (PyTorch's `clip_grad_norm_`).
///
/// ```
/// n = √(Σ over all tensors of Σ g²)
/// if n > c:  g ← g · c / (n + 1e-6)
/// ```
public enum GradientClipping {
    /// Clips `gradients` in place to global norm `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip<Scalar: BLASScalar>(_ gradients: inout ParameterGradients<Scalar>, maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "GradientClipping: maxNorm must be positive, got \(maxNorm)")
        let norm = gradients.globalNorm
        if norm > maxNorm { gradients.scale(by: Scalar(maxNorm / (norm + 1e-6))) }
        return norm
    }
}
