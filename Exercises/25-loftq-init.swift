// Exercise 25 · chapter 13 (ch13-quantization-meets-lora): LoftQ's initialisation of a QLoRA layer
//
// Run exercise 24's alternation T times from A = B = 0, and hand the result to QLoRA:
//
//   for t = 1…T:  Q_t = NF4(W − s·B_{t−1}·A_{t−1});  (A_t, B_t) from the rank-r SVD of W − Q_t
//   layer = LoRALinear(base: Q_T, A_T, B_T)      (a QLoRALinear, s = α/r)
//
// The base must be the 4-bit tensor itself, so build it with QuantizedLinear(quantizing:) on
// W − s·B_{T−1}·A_{T−1} (the remainder the last step quantized). The check measures
// ‖W − dequant(base) − s·B·A‖_F: it must match the library's LoftQ and be smaller than
// QLoRA's own start (the placeholder below: B = 0, error ‖W − Q‖_F).
//
// What to do: return the LoftQ-initialised QLoRA layer (T ≥ 1).
// Check: swift run exercises 25         Stuck? swift run exercises 25 --hint
import LoRA

/// A QLoRA layer for W (out, in) initialised by T LoftQ alternations.
public func loftqInitialization(weight: Matrix<Float>, rank: Int, alpha: Double, iterations: Int) throws -> QLoRALinear {
    // TODO: alternate `iterations` times (your loftqStep helps), then build the layer from the
    // last quantization and factors. This placeholder is QLoRA's start: NF4(W) and B = 0.
    return try LoRALinear(base: QuantizedLinear(quantizing: Linear(weight: weight)), a: .zeros(rank, weight.columns),
                          b: .zeros(weight.rows, rank), hyperparameters: LoRAHyperparameters(rank: rank, alpha: alpha))
}
