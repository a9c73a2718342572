/// Exact bytes held during a training step, counted from the tensors that exist.
///
/// Four categories, as in memory tables for fine-tuning:
/// ```
/// weights          every parameter tensor (trainable and frozen), at its storage precision
/// gradients        one tensor per trainable tensor
/// optimizer state  what the optimizer keeps (AdamW: m and v per trainable tensor)
/// activations      what the forward pass saved for backward (shared buffers counted once)
/// ```
/// Nothing is estimated: each entry is a tensor's element count × its element size.
public struct MemoryLedger: Sendable, Equatable {
    /// A ledger category.
    public enum Category: String, Sendable, CaseIterable {
        case weights, gradients, optimizerState = "optimizer state", activations
    }

    /// One tensor in the ledger.
    public struct Entry: Sendable, Equatable {
        /// Its category.
        public var category: Category
        /// Its name (parameter name, `<parameter>.exp_avg`, or `layers.0.self_attn.q`, …).
        public var name: String
        /// Element count.
        public var elements: Int
        /// Bytes per element (4 for float32; 0.5 for 4-bit codes; 1 for a `.quant_state` entry,
        /// whose elements are the bytes of a 4-bit weight's block constants).
        public var bytesPerElement: Double
        /// "float32", "float64", ….
        public var precision: String
        /// For weights: whether the tensor is trained.
        public var isTrainable: Bool
        /// elements × bytesPerElement, rounded up.
        public var bytes: Int { Int((Double(elements) * bytesPerElement).rounded(.up)) }
    }

    /// All entries.
    public var entries: [Entry]

    /// A ledger from explicit entries (e.g. a QLoRA layer adding its packed codes and constants).
    public init(entries: [Entry]) { self.entries = entries }

    /// Counts a model's parameters, the gradients of a step, the optimizer's state and the
    /// saved activations. Activation tensors that share one buffer (the same input kept by
    /// q_proj, k_proj and v_proj) count once.
    public init<Scalar: BLASScalar>(
        model: TransformerModel<Scalar>, gradients: ParameterGradients<Scalar>,
        optimizerState: [NamedTensor<Scalar>], activations: [NamedTensor<Scalar>]
    ) {
        let size = Double(MemoryLayout<Scalar>.size)
        let precision = Scalar.self == Float.self ? "float32" : Scalar.self == Double.self ? "float64" : "\(Scalar.self)"
        func entry(_ c: Category, _ name: String, _ m: Matrix<Scalar>, trainable: Bool = false) -> Entry {
            Entry(category: c, name: name, elements: m.count, bytesPerElement: size, precision: precision, isTrainable: trainable)
        }
        var list = model.namedParameters.map { entry(.weights, $0.name, $0.value, trainable: $0.isTrainable) }
        for q in model.namedQuantizedWeights {
            // 4-bit codes at half a byte each, then the block constants at their exact byte count.
            let s = q.value.storage
            list.append(Entry(category: .weights, name: q.name, elements: s.parameters, bytesPerElement: 0.5,
                              precision: q.value.codebook.rawValue, isTrainable: false))
            list.append(Entry(category: .weights, name: q.name + ".quant_state", elements: s.constantBytes, bytesPerElement: 1,
                              precision: q.value.isDoubleQuantized ? "absmax (double-quantized), bytes" : "absmax float32, bytes",
                              isTrainable: false))
        }
        list += gradients.entries.sorted { $0.name < $1.name }.map { entry(.gradients, $0.name, $0.value) }
        list += optimizerState.map { entry(.optimizerState, $0.name, $0.value) }
        var seen = Set<UInt>()
        for (name, m) in activations.map({ ($0.name, $0.value) }) {
            let address = m.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            guard m.count > 0, seen.insert(address).inserted else { continue }
            list.append(entry(.activations, name, m))
        }
        entries = list
    }

    /// Bytes in one category.
    public func bytes(_ category: Category) -> Int {
        entries.filter { $0.category == category }.reduce(0) { $0 + $1.bytes }
    }

    /// Bytes of weights that are trained (`true`) or frozen (`false`).
    public func weightBytes(trainable: Bool) -> Int {
        entries.filter { $0.category == .weights && $0.isTrainable == trainable }.reduce(0) { $0 + $1.bytes }
    }

    /// All bytes.
    public var totalBytes: Int { entries.reduce(0) { $0 + $1.bytes } }
}
