/// A linear slot of the model that can hold a plain layer or an adapted one.
///
/// ```
/// .linear(W)        y = x·Wᵀ (+ b)
/// .quantized(W4)    y = x·dequant(W4)ᵀ (+ b)                            (Float models only, frozen)
/// .lora(W0, A, B)   y = x·W0ᵀ (+ b) + s·(drop(x)·Aᵀ)·Bᵀ
/// .qlora(W4, A, B)  y = x·dequant(W4)ᵀ (+ b) + s·(drop(x)·Aᵀ)·Bᵀ      (Float models only)
/// ```
/// Injection (``TransformerModel/injectLoRA(targets:exclude:hyperparameters:seed:)``) turns
/// `.linear` slots into `.lora`; ``TransformerModel/injectQLoRA(targets:exclude:hyperparameters:blocksize:doubleQuantization:seed:)``
/// (only on `TransformerModel<Float>`) turns the targets into `.qlora` and every other linear
/// layer except the output head into `.quantized`. ``QuantizedLinear`` and ``QLoRALinear``
/// compute in Float, so a `.quantized` or `.qlora` slot inside a model whose `Scalar` is not
/// Float is a programmer error (a precondition names it); ``TransformerModel/converted(to:)``
/// turns `.qlora` into `.lora` and `.quantized` into a frozen `.linear`, both over dequant(W4),
/// which is how a QLoRA model is checked in Double.
///
/// The 4-bit weight is not a `Matrix`, so ``parameters`` does not list it: read it from
/// ``quantizedWeight`` (the memory ledger counts its packed bytes and constants).
public enum AdaptableLinear<Scalar: BLASScalar>: Sendable {
    /// A plain layer, trainable or frozen.
    case linear(Linear<Scalar>)
    /// A frozen base plus a LoRA adapter.
    case lora(LoRALinear<Scalar>)
    /// A frozen 4-bit base (dequantized tile by tile in forward and backward) plus a LoRA
    /// adapter trained in Float. Only valid when `Scalar` is Float.
    case qlora(QLoRALinear)
    /// A frozen 4-bit layer without adapter (bitsandbytes' `Linear4bit`): it passes gradients
    /// to its input and has no trainable tensor. Only valid when `Scalar` is Float.
    case quantized(QuantizedLinear)

    /// Input features.
    public var inFeatures: Int {
        switch self {
        case .linear(let l): l.inFeatures
        case .lora(let l): l.inFeatures
        case .qlora(let l): l.inFeatures
        case .quantized(let l): l.inFeatures
        }
    }

    /// Output features.
    public var outFeatures: Int {
        switch self {
        case .linear(let l): l.outFeatures
        case .lora(let l): l.outFeatures
        case .qlora(let l): l.outFeatures
        case .quantized(let l): l.outFeatures
        }
    }

    /// The layer as a plain ``Linear`` if it is one.
    public var plainLinear: Linear<Scalar>? {
        if case .linear(let l) = self { return l }
        return nil
    }

    /// The LoRA layer if this slot holds one.
    public var loraLinear: LoRALinear<Scalar>? {
        if case .lora(let l) = self { return l }
        return nil
    }

    /// The QLoRA layer if this slot holds one.
    public var qloraLinear: QLoRALinear? {
        if case .qlora(let l) = self { return l }
        return nil
    }

    /// The frozen 4-bit layer if this slot holds one without adapter.
    public var quantizedLinear: QuantizedLinear? {
        if case .quantized(let l) = self { return l }
        return nil
    }

    /// The frozen 4-bit weight of a `.qlora` or `.quantized` slot, (out, in).
    public var quantizedWeight: QuantizedTensor? {
        switch self {
        case .qlora(let l): l.weight
        case .quantized(let l): l.weight
        case .linear, .lora: nil
        }
    }

    /// Whether the slot carries an adapter (`.lora` or `.qlora`).
    public var isAdapted: Bool {
        switch self {
        case .lora, .qlora: true
        case .linear, .quantized: false
        }
    }

    /// Inference forward (no dropout).
    public func forward(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        switch self {
        case .linear(let l): l.forward(x)
        case .lora(let l): l.forward(x)
        case .qlora(let l): Self.scalar(l.forward(Self.float(x)))
        case .quantized(let l): Self.scalar(l.forward(Self.float(x)))
        }
    }

    /// Training forward: the output and what backward needs.
    public func forward(_ x: Matrix<Scalar>, training generator: inout SeededGenerator) -> (output: Matrix<Scalar>, cache: AdaptableLinearCache<Scalar>) {
        switch self {
        case .linear(let l):
            return (l.forward(x), .linear(input: x))
        case .lora(let l):
            let (y, cache) = l.forward(x, training: &generator)
            return (y, .lora(cache))
        case .qlora(let l):
            let (y, cache) = l.forward(Self.float(x), training: &generator)
            return (Self.scalar(y), .lora(Self.scalar(cache)))
        case .quantized(let l):
            // Keeps its input as a frozen `.linear` layer does, so the activation ledgers of
            // LoRA and QLoRA models count the same tensors.
            return (Self.scalar(l.forward(Self.float(x))), .linear(input: x))
        }
    }

    /// ∂L/∂x and the gradients of the trainable tensors, keyed by their local names
    /// (`weight`, `bias`, `lora_A.weight`, `lora_B.weight`).
    public func backward(_ dy: Matrix<Scalar>, cache: AdaptableLinearCache<Scalar>) -> (input: Matrix<Scalar>, parameters: [(String, Matrix<Scalar>)]) {
        switch (self, cache) {
        case (.linear(let l), .linear(let x)):
            let g = l.backward(input: x, outputGradient: dy)
            var grads: [(String, Matrix<Scalar>)] = []
            if let w = g.weight { grads.append(("weight", w)) }
            if let b = g.bias { grads.append(("bias", b)) }
            return (g.input, grads)
        case (.lora(let l), .lora(let c)):
            let g = l.backward(dy, cache: c)
            return (g.input, [("lora_A.weight", g.a), ("lora_B.weight", g.b)])
        case (.qlora(let l), .lora(let c)):
            let g = l.backward(Self.float(dy), cache: Self.float(c))
            return (Self.scalar(g.input), [("lora_A.weight", Self.scalar(g.a)), ("lora_B.weight", Self.scalar(g.b))])
        case (.quantized(let l), .linear(let x)):
            precondition(
                dy.rows == x.rows && dy.columns == l.outFeatures,
                "AdaptableLinear.backward: output gradient \(dy.shapeDescription) does not match input \(x.shapeDescription) and weight \(l.weight.shapeDescription)")
            return (Self.scalar(l.inputGradient(Self.float(dy))), [])
        default:
            preconditionFailure("AdaptableLinear.backward: cache kind does not match the layer kind")
        }
    }

    /// Every parameter tensor with its local name and whether it is trained. A `.qlora` slot
    /// lists its bias (if any) and A, B, a `.quantized` slot its bias (if any); their 4-bit
    /// `weight` is ``quantizedWeight``.
    public var parameters: [(name: String, value: Matrix<Scalar>, isTrainable: Bool)] {
        switch self {
        case .linear(let l):
            var out = [(name: "weight", value: l.weight, isTrainable: l.isTrainable)]
            if let b = l.bias { out.append((name: "bias", value: b, isTrainable: l.isTrainable)) }
            return out
        case .lora(let l):
            var out = [(name: "weight", value: l.base.weight, isTrainable: false)]
            if let b = l.base.bias { out.append((name: "bias", value: b, isTrainable: false)) }
            out.append((name: "lora_A.weight", value: l.a, isTrainable: true))
            out.append((name: "lora_B.weight", value: l.b, isTrainable: true))
            return out
        case .qlora(let l):
            var out: [(name: String, value: Matrix<Scalar>, isTrainable: Bool)] = []
            if let b = l.bias { out.append((name: "bias", value: Self.scalar(b), isTrainable: false)) }
            out.append((name: "lora_A.weight", value: Self.scalar(l.a), isTrainable: true))
            out.append((name: "lora_B.weight", value: Self.scalar(l.b), isTrainable: true))
            return out
        case .quantized(let l):
            return l.bias.map { [(name: "bias", value: Self.scalar($0), isTrainable: false)] } ?? []
        }
    }

    /// Lets `body` change each trainable tensor in place (the optimizer's entry point).
    public mutating func updateTrainable(_ body: (String, inout Matrix<Scalar>) -> Void) {
        switch self {
        case .linear(var l):
            guard l.isTrainable else { return }
            self = .linear(Self.placeholder)  // drop self's reference so the weight is not copied on write
            body("weight", &l.weight)
            if var b = l.bias { l.bias = nil; body("bias", &b); l.bias = b }
            self = .linear(l)
        case .lora(var l):
            self = .linear(Self.placeholder)
            body("lora_A.weight", &l.branch.a)  // the stored tensors, not the computed `a`, `b`
            body("lora_B.weight", &l.branch.b)
            self = .lora(l)
        case .qlora(var l):
            self = .linear(Self.placeholder)  // drop self's reference so A and B are not copied on write
            var a = Self.scalar(l.a), b = Self.scalar(l.b)
            l.branch.a = Self.placeholderFloat
            l.branch.b = Self.placeholderFloat
            body("lora_A.weight", &a)
            body("lora_B.weight", &b)
            l.branch.a = Self.float(a)
            l.branch.b = Self.float(b)
            self = .qlora(l)
        case .quantized:
            return  // frozen: nothing to update
        }
    }

    /// Marks a plain layer trainable or frozen (a LoRA, QLoRA or 4-bit base always stays frozen).
    public mutating func setTrainable(_ trainable: Bool) {
        if case .linear(var l) = self { l.isTrainable = trainable; self = .linear(l) }
    }
}

/// What ``AdaptableLinear/forward(_:training:)`` keeps for the backward pass.
public enum AdaptableLinearCache<Scalar: BLASScalar>: Sendable {
    /// A plain layer keeps its input.
    case linear(input: Matrix<Scalar>)
    /// A LoRA layer keeps its input, dropout mask and x·Aᵀ.
    case lora(LoRACache<Scalar>)

    /// The tensors this cache holds (for the memory ledger), by local name.
    public var savedTensors: [(String, Matrix<Scalar>)] {
        switch self {
        case .linear(let x): [("input", x)]
        case .lora(let c):
            [("input", c.input), ("lora_dropped_input", c.droppedInput), ("lora_down", c.down)]
                + (c.mask.map { [("lora_dropout_mask", $0)] } ?? [])
        }
    }
}
