/// Crossing between a model's `Scalar` and Float, for the `.qlora` and `.quantized` slots (``QLoRALinear`` and ``QuantizedLinear`` are Float only).
///
/// A `.qlora` or `.quantized` slot can only be created through ``TransformerModel/injectQLoRA(targets:exclude:hyperparameters:blocksize:doubleQuantization:seed:)``,
/// which exists only when `Scalar == Float`; these conversions are therefore identities, checked
/// by a precondition.
extension AdaptableLinear {
    @inline(__always)
    static func checkFloat() {
        precondition(Scalar.self == Float.self, "AdaptableLinear: a .qlora or .quantized layer computes in Float, but this model's Scalar is \(Scalar.self)")
    }

    @inline(__always)
    static func float(_ m: Matrix<Scalar>) -> Matrix<Float> {
        checkFloat()
        return unsafeBitCast(m, to: Matrix<Float>.self)
    }

    @inline(__always)
    static func scalar(_ m: Matrix<Float>) -> Matrix<Scalar> {
        checkFloat()
        return unsafeBitCast(m, to: Matrix<Scalar>.self)
    }

    @inline(__always)
    static func float(_ c: LoRACache<Scalar>) -> LoRACache<Float> {
        checkFloat()
        return unsafeBitCast(c, to: LoRACache<Float>.self)
    }

    @inline(__always)
    static func scalar(_ c: LoRACache<Float>) -> LoRACache<Scalar> {
        checkFloat()
        return unsafeBitCast(c, to: LoRACache<Scalar>.self)
    }

    /// An empty layer, held by a slot for the instant its real layer is being mutated.
    static var placeholder: Linear<Scalar> { Linear(weight: Matrix(rows: 0, columns: 0, storage: []), isTrainable: false) }
    /// An empty Float matrix (stands in for A or B while the optimizer holds them).
    static var placeholderFloat: Matrix<Float> { Matrix(rows: 0, columns: 0, storage: []) }
}
