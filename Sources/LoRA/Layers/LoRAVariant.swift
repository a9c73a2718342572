/// What a LoRA variant adds to plain LoRA, as a strategy the one layer (``LoRALinear``) calls:
/// the variant owns its extra tensors, its share of forward and backward, its merge and unmerge,
/// and its precision conversion; the layer owns the frozen base, the branch (A, B, s, dropout),
/// the merged flag and the parameter traversal, once for every variant (the idea of PEFT's
/// `LoraVariant` in `peft/tuners/lora/layer.py`, whose `DoraLinearVariant` lives in `variants.py`).
///
/// ```
/// hook                 plain LoRA (no variant)               DoRA                               LoRA bias
/// tensors              —                                     lora_magnitude_vector (1, out)     lora_B.bias (1, out)
/// addUpdate            y += s·(x·Aᵀ)·Bᵀ                       y += (c−1)⊙(x·W0ᵀ) + c⊙s·(x·Aᵀ)·Bᵀ   y += s·((x·Aᵀ)·Bᵀ + b_B)
/// merge into base      W += s·B·A                            W ← diag(c)·(W0 + s·B·A)           W += s·B·A, b += s·b_B
/// ```
/// A layer with no variant is plain LoRA. A new variant is one file: a type conforming to this
/// protocol and to ``LoRAVariantRecipe`` (its name, its config field, how a fresh one starts),
/// plus its entry in ``LoRAVariantKind/registered``.
///
/// Every hook is called only while the layer is unmerged, except ``unmerge(from:branch:adapterName:)``.
/// `y` enters the forward hooks holding base(x) (the base's own output, bias included).
public protocol LoRAVariant<Scalar>: Sendable {
    /// The element type.
    associatedtype Scalar: BLASScalar
    /// Which variant this is (its registry entry).
    var kind: LoRAVariantKind { get }
    /// The trainable tensors besides A and B, in parameter order, by local name (also the
    /// name PEFT saves them under, after the module path). Each is a (1, out) row, saved as a
    /// 1-D tensor.
    var tensors: [NamedTensor<Scalar>] { get }
    /// Lets `body` change each of ``tensors`` in place (the optimizer's entry), in their order.
    mutating func updateTensors(_ body: (String, inout Matrix<Scalar>) -> Void)
    /// The same variant holding `tensors` instead (same names and shapes, e.g. loaded from a file).
    /// - Throws: ``LoRAError/factorShape(factor:expected:found:)`` naming a tensor that is missing or misshapen.
    func replacingTensors(_ tensors: [NamedTensor<Scalar>]) throws(LoRAError) -> Self

    /// Inference: y += the adapter's contribution, without dropout.
    func addUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base: Base,
                                   branch: LoRABranch<Scalar>) where Base.Scalar == Scalar
    /// Training: y += the adapter's contribution with a dropout mask drawn from `generator`;
    /// returns the branch's cache and the variant's own, if it keeps any (``LoRACache/variant``).
    func addTrainingUpdate<Base: LoRABase>(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, base: Base,
                                           branch: LoRABranch<Scalar>, using generator: inout SeededGenerator)
        -> (branch: BranchCache<Scalar>, own: (any LayerCache<Scalar>)?) where Base.Scalar == Scalar
    /// ∂L/∂x, then the gradients of A, B and ``tensors`` (by the same names, in that order).
    func backward<Base: LoRABase>(_ dy: Matrix<Scalar>, cache: LoRACache<Base>, base: Base,
                                  branch: LoRABranch<Scalar>) -> LayerGradients<Scalar> where Base.Scalar == Scalar

    /// Writes the adapted function into `base` (the layer then runs `base` alone).
    /// - Throws: ``LoRAError`` when the base cannot hold it; `self` and `base` are then unchanged.
    mutating func merge<Base: LoRABase>(into base: inout Base, branch: LoRABranch<Scalar>,
                                        adapterName: String) throws(LoRAError) where Base.Scalar == Scalar
    /// Undoes ``merge(into:branch:adapterName:)`` (exact up to rounding for a dense base).
    mutating func unmerge<Base: LoRABase>(from base: inout Base, branch: LoRABranch<Scalar>,
                                          adapterName: String) throws(LoRAError) where Base.Scalar == Scalar
    /// `dense` (the unmerged base, as a dense layer) becomes the adapted function: PEFT's
    /// `merge_and_unload` for this variant.
    func merge(into dense: inout Linear<Scalar>, branch: LoRABranch<Scalar>)

    /// The same variant in precision `Other` (what ``LinearLayer/converted(to:)`` needs).
    func converted<Other: BLASScalar>(to _: Other.Type) -> any LoRAVariant<Other>
}

/// How a variant starts and what the registry knows of it without a layer: its name, its
/// `adapter_config.json` field and the hyper-parameters it refuses. One type per variant,
/// listed once in ``LoRAVariantKind/registered``.
public protocol LoRAVariantRecipe: Sendable {
    /// The variant's name in messages (`"DoRA"`).
    static var name: String { get }
    /// The boolean field of PEFT's `LoraConfig` that turns it on (`"use_dora"`, `"lora_bias"`).
    static var configField: String { get }
    /// The local names of the tensors it saves besides A and B.
    static var tensorNames: [String] { get }
    /// Refuses hyper-parameters the variant does not support (PEFT's `LoraConfig.__post_init__`).
    /// - Throws: ``LoRAError/variantUnsupported(variant:reason:)``.
    static func validate(_ hyperparameters: LoRAHyperparameters) throws(LoRAError)
    /// A fresh variant for a layer over `base` (already frozen, with PiSSA's residual if any)
    /// whose branch is `branch`.
    static func start<Base: LoRABase>(base: Base, branch: LoRABranch<Base.Scalar>) -> any LoRAVariant<Base.Scalar>
}

/// The one variant setting of ``LoRAHyperparameters`` and ``AdapterConfig``: which registered
/// variant an adapter uses (none means plain LoRA). Compared and saved by name.
public struct LoRAVariantKind: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The variant's recipe.
    public let recipe: any LoRAVariantRecipe.Type

    /// The kind of variant `recipe` makes.
    public init(_ recipe: any LoRAVariantRecipe.Type) { self.recipe = recipe }

    /// Every variant the library knows, in the order config fields are read: the registry.
    /// Adding a variant adds its kind here.
    public static let registered: [LoRAVariantKind] = [.dora, .loraBias]

    /// The registered variant whose `adapter_config.json` field is `field`, if any.
    public static func registered(configField field: String) -> LoRAVariantKind? {
        registered.first { $0.configField == field }
    }

    /// `"DoRA"`, `"LoRA bias"`.
    public var name: String { recipe.name }
    /// The config field that turns it on.
    public var configField: String { recipe.configField }
    /// The tensors it saves besides A and B.
    public var tensorNames: [String] { recipe.tensorNames }
    public var description: String { name }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.configField == rhs.configField }
    public func hash(into hasher: inout Hasher) { hasher.combine(configField) }

    /// Saved as its config field's name.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(configField)
    }

    /// Read from a config field's name; a name no registered variant has is refused.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let field = try c.decode(String.self)
        guard let kind = Self.registered(configField: field) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "no LoRA variant is turned on by '\(field)'")
        }
        self = kind
    }
}
