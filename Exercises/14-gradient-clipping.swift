// Exercise 14 · chapter 10 (ch10-training): global-norm gradient clipping
//
// Chapter 10 clips gradients at norm 1 before every AdamW step, as PyTorch's
// `clip_grad_norm_` does. The norm is GLOBAL: one number for all trainable tensors together,
// not one per tensor, so clipping shrinks every gradient by the same factor and keeps the
// direction of the whole update:
//
//   n = √(Σ over all tensors of Σ g²)
//   if n > c:  every g ← g · c / (n + 1e-6)        (1e-6 guards a zero norm; else unchanged)
//
// What to do: return the clipped gradients (same shapes, same order) and the norm BEFORE
// clipping (the training loop logs it).
// Check: swift run exercises 14         Stuck? swift run exercises 14 --hint
import LoRA

/// Clips `gradients` to global norm `maxNorm`; returns them and their global norm before clipping.
public func clipGradients(_ gradients: [Matrix<Double>], maxNorm: Double) -> (gradients: [Matrix<Double>], norm: Double) {
    // TODO: the global norm over every element of every tensor, then scale all of them if it exceeds maxNorm.
    return (gradients, 0)
}
