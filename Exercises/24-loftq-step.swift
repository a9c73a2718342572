// Exercise 24 · chapter 13 (ch13-quantization-meets-lora): one LoftQ alternation
//
// QLoRA quantizes W to NF4 and starts the adapter at B = 0, so at step 0 the layer computes
// Q·x, not W·x: the adapter's first job is to undo the quantization error W − Q. LoftQ
// (Li et al., 2023) starts it closer, by alternating two steps from A = B = 0:
//
//   Q  = dequant(NF4(W − s·B·A))        quantize what the adapter does not hold
//   W − Q = U·Σ·Vᵀ                      what quantization lost
//   A' = √(Σ_r/s)·V_rᵀ,  B' = U_r·√(Σ_r/s)     its best rank-r part, split as in exercise 18
//
// Quantize with the library, as a QLoRA base is stored: QuantizedLinear(quantizing:) (NF4,
// blocksize 64, double quantization); its `denseWeight` is dequant(NF4(·)). For a fixed Q the
// truncated SVD is the best rank-r correction (Eckart–Young, exercise 17), so the error
// ‖W − Q − s·B'·A'‖_F cannot exceed ‖W − Q − s·B·A‖_F; the check tests that too.
//
// What to do: return Q, A' and B'.
// Check: swift run exercises 24         Stuck? swift run exercises 24 --hint
import LoRA

/// One LoftQ step from factors A (r, in), B (out, r) on W (out, in): (Q, A', B').
public func loftqStep(weight: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>, scale: Float) throws -> (quantized: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>) {
    // TODO: quantize W − s·B·A, then take the rank-r SVD of W − Q. These placeholders keep A and B.
    return (quantized: weight, a: a, b: b)
}
