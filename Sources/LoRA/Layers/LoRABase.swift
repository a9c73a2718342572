/// A frozen linear layer a LoRA adapter can wrap: the dense ``Linear`` or the 4-bit
/// ``QuantizedLinear`` (PEFT's `LoraLayer.base_layer`, which is an `nn.Linear` or bitsandbytes'
/// `Linear4bit`). ``LoRALinear`` is generic over it, so the LoRA maths exists once.
public protocol LoRABase<Scalar>: LinearLayer {
    /// The same layer, frozen (no weight gradient; only ∂L/∂x flows through it).
    func frozen() -> Self
    /// W as a dense (out, in) matrix (dequant(W4) for a 4-bit layer).
    var denseWeight: Matrix<Scalar> { get }
    /// The dense layer computing the same function, in precision `Other`.
    func dense<Other: BLASScalar>(as _: Other.Type) -> Linear<Other>
    /// W ← W + s·B·A: merging (s > 0) and unmerging (s < 0). Exact up to rounding for a dense
    /// weight; a 4-bit weight is dequantized, updated and re-quantized (as bitsandbytes' merge
    /// does), which rounds the update.
    /// - Throws: ``LoRAError/nonFiniteWeight`` if a 4-bit weight would hold NaN or infinity.
    mutating func addProduct(_ b: Matrix<Scalar>, _ a: Matrix<Scalar>, scale: Scalar) throws(LoRAError)
}
