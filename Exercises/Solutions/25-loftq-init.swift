// Solution 25 · chapter 13 (ch13-quantization-meets-lora): LoftQ's initialisation of a QLoRA layer
import LoRA

/// A QLoRA layer for W (out, in) initialised by T LoftQ alternations.
public func loftqInitialization(weight: Matrix<Float>, rank: Int, alpha: Double, iterations: Int) throws -> QLoRALinear {
    let hyperparameters = LoRAHyperparameters(rank: rank, alpha: alpha)
    let scale = Float(hyperparameters.scale)
    // QLoRA's start: nothing in the adapter.
    var a = Matrix<Float>.zeros(rank, weight.columns), b = Matrix<Float>.zeros(weight.rows, rank)
    var previous = (a: a, b: b)
    for _ in 0..<max(1, iterations) {
        previous = (a, b)
        (_, a, b) = try loftqStep(weight: weight, a: a, b: b, scale: scale)
    }
    // The last step quantized W − s·B_{T−1}·A_{T−1}; store that as the 4-bit base (the same
    // call quantizes the same numbers to the same codes). Its dense value Q_T plus s·B_T·A_T
    // is LoftQ's approximation of W.
    var remainder = weight
    Matrix.gemm(previous.b, previous.a, alpha: -scale, beta: 1, into: &remainder)
    let base = try QuantizedLinear(quantizing: Linear(weight: remainder))
    // A trainable adapter on a frozen 4-bit base: a QLoRA layer that starts nearer W than
    // QLoRA's own (B = 0) start. Training then proceeds exactly as for QLoRA.
    return try LoRALinear(base: base, a: a, b: b, hyperparameters: hyperparameters)
}
