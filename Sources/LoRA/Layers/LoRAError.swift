/// Errors a user can cause with LoRA layers and models; each case carries the values it concerns.
public enum LoRAError: Error, Equatable, Sendable, CustomStringConvertible {
    /// r ≤ 0.
    case rankNotPositive(Int)
    /// r > min(in, out) of the layer.
    case rankTooLarge(rank: Int, limit: Int)
    /// α ≤ 0 or not finite.
    case alphaNotPositive(Double)
    /// Dropout outside [0, 1).
    case dropoutOutOfRange(Double)
    /// A factor (`"A"` or `"B"`) whose shape does not fit the rank and the layer.
    case factorShape(factor: String, expected: [Int], found: [Int])
    /// A bias that is not (1, out).
    case biasShape(expected: [Int], found: [Int])
    /// A transformer size that is not positive (the field name and its value).
    case modelSize(field: String, value: Int)
    /// d not divisible by the number of heads.
    case headsDoNotDivide(modelDimension: Int, headCount: Int)
    /// H not divisible by the number of key/value heads (grouped-query attention).
    case keyValueHeadsDoNotDivide(headCount: Int, keyValueHeadCount: Int)
    /// Rotary embeddings rotate pairs of columns, so the head width d_h must be even.
    case rotaryHeadDimensionOdd(headDimension: Int)
    /// A real-valued transformer setting (RoPE θ, RMSNorm ε) that is not positive and finite.
    case modelSetting(field: String, value: Double)
    /// Merging adapter `adapter` would write NaN or infinity into the base weight.
    case nonFiniteMerge(adapter: String)
    /// A 4-bit weight cannot hold the merged values (NaN or infinity).
    case nonFiniteWeight
    /// PiSSA takes the top singular triplets of a dense W0; a 4-bit base must be given in float
    /// first and quantized after (as ``TransformerModel/injectQLoRA(targets:exclude:hyperparameters:blocksize:doubleQuantization:seed:override:)`` does).
    case pissaNeedsDenseBase
    /// The layer is merged; unmerge before training or loading.
    case merged(adapter: String)
    /// A LoRA variant (``LoRAVariantKind``) refused a setting or an operation, saying why.
    case variantUnsupported(variant: String, reason: String)

    public var description: String {
        switch self {
        case .rankNotPositive(let r): "invalid LoRA configuration: rank r must be positive, got \(r)"
        case .rankTooLarge(let r, let limit):
            "invalid LoRA configuration: rank r = \(r) exceeds min(in, out) = \(limit) of the layer"
        case .alphaNotPositive(let a): "invalid LoRA configuration: alpha must be a positive number, got \(a)"
        case .dropoutOutOfRange(let p): "invalid LoRA configuration: dropout must be in [0, 1), got \(p)"
        case .factorShape(let factor, let expected, let found):
            "invalid LoRA configuration: \(factor) has shape \(found), expected \(expected)"
        case .biasShape(let expected, let found): "invalid layer: bias has shape \(found), expected \(expected)"
        case .modelSize(let field, let value): "invalid transformer: \(field) must be positive, got \(value)"
        case .headsDoNotDivide(let d, let h): "invalid transformer: modelDimension \(d) is not divisible by headCount \(h)"
        case .keyValueHeadsDoNotDivide(let h, let kv):
            "invalid transformer: headCount \(h) is not divisible by keyValueHeadCount \(kv)"
        case .rotaryHeadDimensionOdd(let dh):
            "invalid transformer: rotary position embeddings need an even head dimension, got \(dh)"
        case .modelSetting(let field, let value): "invalid transformer: \(field) must be a positive finite number, got \(value)"
        case .nonFiniteMerge(let adapter):
            "safe merge refused: merging adapter '\(adapter)' would put NaN or infinity into the base weight"
        case .nonFiniteWeight: "a 4-bit weight cannot hold NaN or infinity"
        case .pissaNeedsDenseBase: "PiSSA initialisation needs a dense base weight; initialise before quantizing"
        case .merged(let adapter): "adapter '\(adapter)' is merged; unmerge it first"
        case .variantUnsupported(let variant, let reason): "\(variant): \(reason)"
        }
    }
}
