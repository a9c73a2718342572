// Exercise 03 · chapter 03 (ch03-forward-pass): the LoRA forward pass as B(Ax)
//
// For a batch x (n, in), a LoRA layer computes
//
//   y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ        x·Aᵀ: (n, r)   then ·Bᵀ: (n, out)
//
// Computing x·Aᵀ first costs about 2·n·r·(in + out) FLOPs (a multiply-add counts as 2);
// forming B·A first would cost 2·out·r·in FLOPs more, every call. So the branch is two thin
// products, never B·A.
//
// What to do: the base output is computed for you; add the LoRA branch.
// Check: swift run exercises 3          Stuck? swift run exercises 3 --hint
import LoRA

/// y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ for x (n, in), W0 (out, in), A (r, in), B (out, r).
public func loraForward(x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) -> Matrix<Float> {
    let base = x.matmul(w0, transposeB: true)  // (n, in)·(in, out) → (n, out)
    // TODO: add s·(x·Aᵀ)·Bᵀ to `base`, as two thin products.
    return base
}
