// Solution 26 · chapter 14 (ch14-dora-and-loraplus): DoRA's forward pass
import LoRA

/// DoRA's initial magnitude: the L2 norm of each output row of W0 (out, in), shape (out,).
public func doraInitialMagnitude(_ w0: Matrix<Float>) -> [Float] {
    // Row i of an (out, in) weight is everything output feature i reads: its length is how
    // strongly that feature responds. (PEFT: torch.linalg.norm(weight, dim=1) for a Linear.)
    (0..<w0.rows).map { i in w0.row(i).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }
}

/// DoRA's output x·W'ᵀ for x (n, in), W0 (out, in), A (r, in), B (out, r), magnitude m (out,).
public func doraForward(x: Matrix<Float>, w0: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float, magnitude: [Float]) -> Matrix<Float> {
    // V = W0 + s·B·A. DoRA needs V's row norms, so unlike plain LoRA it must form B·A (PEFT
    // does too); it is O(out·r·in) per forward, the price of the decomposition.
    var adapted = w0
    Matrix.gemm(b, a, alpha: scale, beta: 1, into: &adapted)
    let norms = doraInitialMagnitude(adapted)
    // Each row keeps V's direction and takes the length m[i]: the update can now turn a row
    // without changing its length, or change its length without turning it.
    let directed = Matrix<Float>(rows: adapted.rows, columns: adapted.columns) { i, j in
        magnitude[i] / norms[i] * adapted[i, j]
    }
    // At B = 0 and m = ‖W0 rows‖ the factor is norms[i]/norms[i] = 1 exactly: W' = W0.
    return x.matmul(directed, transposeB: true)
}
