// Solution 24 · chapter 13 (ch13-quantization-meets-lora): one LoftQ alternation
import LoRA

/// One LoftQ step from factors A (r, in), B (out, r) on W (out, in): (Q, A', B').
public func loftqStep(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) throws -> (quantized: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>) {
    let rank = a.rows
    // What the adapter does not hold yet: W − s·B·A (all of W at QLoRA's start, B = 0).
    var remainder = weight
    Matrix.gemm(b, a, alpha: -scale, beta: 1, into: &remainder)
    // Its 4-bit version, exactly as a QLoRA base stores it, read back as floats.
    let quantized = try QuantizedLinear(quantizing: Linear(weight: remainder)).denseWeight
    // What the 4-bit base gets wrong about W. The adapter takes its best rank-r part: if the
    // error has a few strong directions (outliers, structure), r of them go a long way.
    let svd = try (weight - quantized).svd()
    let roots = svd.singularValues.prefix(rank).map { ($0 / scale).squareRoot() }
    let newA = Matrix<Float>(rows: rank, columns: weight.columns) { i, j in roots[i] * svd.vt[i, j] }
    let newB = Matrix<Float>(rows: weight.rows, columns: rank) { i, j in svd.u[i, j] * roots[j] }
    // Q + s·B'·A' is now the best "4-bit plus rank r" fit we know how to reach in one step;
    // the next step re-quantizes W − s·B'·A', which has moved.
    return (quantized: quantized, a: newA, b: newB)
}
