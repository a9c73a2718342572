/// A number format for stored tensors, by its cost in bits per parameter.
public enum NumericPrecision: Sendable, Equatable {
    /// IEEE single precision, 32 bits.
    case float32
    /// IEEE half or bfloat16, 16 bits.
    case float16
    /// 8-bit integers or 8-bit optimizer state (bitsandbytes), 8 bits.
    case int8
    /// 4-bit codes only (the constants are counted separately, see ``MemoryEstimator``).
    case fourBit

    /// Bits per stored value.
    public var bits: Double {
        switch self {
        case .float32: 32
        case .float16: 16
        case .int8: 8
        case .fourBit: 4
        }
    }
    /// Bytes per stored value.
    public var bytes: Double { bits / 8 }
}

/// One kind of linear layer in a transformer block, e.g. LLaMA's `q_proj` (in → out).
public struct LinearShape: Sendable, Equatable {
    /// The module name PEFT would target (`q_proj`, `down_proj`, …).
    public let name: String
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int
    /// in · out (no bias: LLaMA's projections have none).
    public var parameterCount: Int { inFeatures * outFeatures }
}

/// The parameter layout of a decoder-only transformer (LLaMA family).
///
/// ```
/// per block:  q, k, v, o: d → d        gate, up: d → m        down: m → d        two RMSNorm: 2d
/// model:      L blocks + embedding (V·d) + LM head (V·d, untied) + final norm (d)
/// P = L·(4d² + 3dm + 2d) + 2Vd + d
/// ```
/// LLaMA-7B (L 32, d 4096, m 11008, V 32000): 6,738,415,616 parameters; LLaMA-65B (L 80,
/// d 8192, m 22016, V 32000): 65,285,660,672 (Touvron et al. 2023, Table 2 sizes; the exact
/// counts follow from the formula and match the released checkpoints).
public struct ModelSpec: Sendable, Equatable {
    /// A display name.
    public let name: String
    /// Transformer blocks L.
    public let layers: Int
    /// Hidden size d.
    public let hiddenSize: Int
    /// MLP size m.
    public let intermediateSize: Int
    /// Vocabulary V.
    public let vocabularySize: Int

    public init(name: String, layers: Int, hiddenSize: Int, intermediateSize: Int, vocabularySize: Int) {
        self.name = name
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
    }

    /// LLaMA-7B.
    public static let llama7B = ModelSpec(name: "LLaMA-7B", layers: 32, hiddenSize: 4096, intermediateSize: 11008, vocabularySize: 32000)
    /// LLaMA-65B.
    public static let llama65B = ModelSpec(name: "LLaMA-65B", layers: 80, hiddenSize: 8192, intermediateSize: 22016, vocabularySize: 32000)

    /// The seven linear layers of one block.
    public var linearShapes: [LinearShape] {
        let (d, m) = (hiddenSize, intermediateSize)
        return [
            LinearShape(name: "q_proj", inFeatures: d, outFeatures: d), LinearShape(name: "k_proj", inFeatures: d, outFeatures: d),
            LinearShape(name: "v_proj", inFeatures: d, outFeatures: d), LinearShape(name: "o_proj", inFeatures: d, outFeatures: d),
            LinearShape(name: "gate_proj", inFeatures: d, outFeatures: m), LinearShape(name: "up_proj", inFeatures: d, outFeatures: m),
            LinearShape(name: "down_proj", inFeatures: m, outFeatures: d),
        ]
    }

    /// Parameters in the blocks' linear layers (what QLoRA quantizes): L·(4d² + 3dm).
    public var linearParameterCount: Int { layers * linearShapes.reduce(0) { $0 + $1.parameterCount } }

    /// All parameters: linear layers, norms, embedding and LM head.
    public var parameterCount: Int {
        linearParameterCount + layers * 2 * hiddenSize + 2 * vocabularySize * hiddenSize + hiddenSize
    }

    /// LoRA parameters for rank r on the named linear layers: L · Σ r·(in + out).
    public func adapterParameterCount(rank r: Int, targets: [String]) -> Int {
        layers * linearShapes.filter { targets.contains($0.name) }.reduce(0) { $0 + r * ($1.inFeatures + $1.outFeatures) }
    }

    /// Every linear layer name (PEFT's `"all-linear"` on LLaMA, which leaves out `lm_head`).
    public static let allLinear = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
}
