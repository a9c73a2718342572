// Exercise 26 · chapter 14 (ch14-dora-and-loraplus): DoRA's forward pass
//
// DoRA (Liu et al., 2024) splits each output row of the adapted weight into a length and a
// direction, and trains them separately: the direction through LoRA, the length as a vector m
// with one entry per output feature.
//
//   V   = W0 + s·B·A                       (out, in)   LoRA's adapted weight
//   nᵢ  = ‖Vᵢ,:‖₂                          (out,)      the L2 norm of each output row
//   W'ᵢ,: = mᵢ · Vᵢ,: / nᵢ                  (out, in)   each row rescaled to length mᵢ
//   y   = x·W'ᵀ
//
// m starts at W0's row norms, so at B = 0 (PEFT's start) W' = W0 and the output equals the
// base layer's. The check compares with the formula computed in Double.
//
// What to do: return W0's row norms (DoRA's initial m), and DoRA's output.
// Check: swift run exercises 26         Stuck? swift run exercises 26 --hint
import LoRA

/// DoRA's initial magnitude: the L2 norm of each output row of W0 (out, in), shape (out,).
public func doraInitialMagnitude(_ w0: Matrix<Float>) -> [Float] {
    // TODO: one norm per row.
    return []
}

/// DoRA's output x·W'ᵀ for x (n, in), W0 (out, in), A (r, in), B (out, r), magnitude m (out,).
public func doraForward(x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float, magnitude: [Float]) -> Matrix<Float> {
    // TODO: form V = W0 + s·B·A, rescale each row to length m[i], then multiply. This is the
    // plain LoRA output, a placeholder only.
    var y = x.matmul(w0, transposeB: true)
    Matrix.gemm(x.matmul(a, transposeB: true), b, transposeB: true, alpha: scale, beta: 1, into: &y)
    return y
}
