/// The trainable half of a LoRA layer: A, B, the scaling s and dropout on the branch's input.
///
/// ```
/// u = drop(x)·Aᵀ              (n, in)·(in, r) → (n, r)
/// y += s · u·Bᵀ               (n, r)·(r, out) → (n, out)
/// ```
/// Every ``LoRALinear``, whatever its frozen base, delegates the update and its gradients here;
/// adapter files save and load branches.
public struct LoRABranch<Scalar: BLASScalar>: Sendable, Equatable {
    /// The down-projection A, (r, in).
    public var a: Matrix<Scalar>
    /// The up-projection B, (out, r).
    public var b: Matrix<Scalar>
    /// Rank, α, dropout, scaling and initialisation.
    public let hyperparameters: LoRAHyperparameters

    /// s = α/r or α/√r, as `Scalar`.
    public var scale: Scalar { Scalar(hyperparameters.scale) }
    /// The rank r.
    public var rank: Int { hyperparameters.rank }

    /// A branch with factors A (r, in) and B (out, r).
    /// - Throws: ``LoRAError/factorShape(factor:expected:found:)`` when A or B does not fit
    ///   rank r on an (out, in) weight.
    public init(a: Matrix<Scalar>, b: Matrix<Scalar>, hyperparameters: LoRAHyperparameters, inFeatures k: Int, outFeatures d: Int) throws(LoRAError) {
        let r = hyperparameters.rank
        guard a.rows == r, a.columns == k else { throw .factorShape(factor: "A", expected: [r, k], found: [a.rows, a.columns]) }
        guard b.rows == d, b.columns == r else { throw .factorShape(factor: "B", expected: [d, r], found: [b.rows, b.columns]) }
        self.a = a
        self.b = b
        self.hyperparameters = hyperparameters
    }

    /// y += s·(x·Aᵀ)·Bᵀ without dropout (inference); returns x·Aᵀ (n, r).
    @discardableResult
    func addUpdate(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>) -> Matrix<Scalar> {
        // x: (n, in) · Aᵀ: (in, r) → (n, r)
        let down = x.matmul(a, transposeB: true)
        // down: (n, r) · Bᵀ: (r, out) → (n, out), scaled by s and added to y
        Matrix.gemm(down, b, transposeB: true, alpha: scale, beta: 1, into: &y)
        return down
    }

    /// y += s·(drop(x)·Aᵀ)·Bᵀ with a fresh dropout mask from `generator`; returns what the
    /// branch's backward needs.
    func addTrainingUpdate(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, using generator: inout SeededGenerator) -> BranchCache<Scalar> {
        let mask = Dropout.mask(rows: x.rows, columns: x.columns, p: hyperparameters.dropout, Scalar.self, using: &generator)
        let dropped = mask.map { x .* $0 } ?? x
        let down = addUpdate(input: dropped, to: &y)
        return BranchCache(droppedInput: dropped, mask: mask, down: down)
    }

    /// Gradients for A and B, and the branch's share of ∂L/∂x added onto `baseInputGradient`.
    ///
    /// ```
    /// ∂L/∂B = s · (∂L/∂y)ᵀ · u              (out, r)
    /// ∂L/∂u = s · ∂L/∂y · B                 (n, r)
    /// ∂L/∂A = (∂L/∂u)ᵀ · drop(x)            (r, in)
    /// ∂L/∂x = ∂L/∂y · W0 + mask ⊙ (∂L/∂u · A)     mask entries are 0 or 1/(1 − p)
    /// ```
    func backward(_ dy: Matrix<Scalar>, cache: BranchCache<Scalar>, baseInputGradient: Matrix<Scalar>) -> LayerGradients<Scalar> {
        let s = scale
        let dB = dy.matmul(cache.down, transposeSelf: true, alpha: s)
        let dDown = dy.matmul(b, alpha: s)
        let dA = dDown.matmul(cache.droppedInput, transposeSelf: true)
        var dx = baseInputGradient
        if let mask = cache.mask {
            dx += dDown.matmul(a) .* mask
        } else {
            Matrix.gemm(dDown, a, beta: 1, into: &dx)
        }
        return LayerGradients(input: dx, parameters: [NamedTensor(LoRAFactor.a.parameterName, dA), NamedTensor(LoRAFactor.b.parameterName, dB)])
    }

    /// ΔW = s·B·A, (out, in) (PEFT's `get_delta_weight`). Forms the product: used to merge and
    /// to inspect, never in forward.
    public var deltaWeight: Matrix<Scalar> { b.matmul(a, alpha: scale) }

    /// The same branch in another precision.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> LoRABranch<Other> {
        LoRABranch<Other>(checkedA: a.converted(), b: b.converted(), hyperparameters: hyperparameters)
    }

    /// A branch whose shapes were already checked (a conversion keeps them).
    init(checkedA a: Matrix<Scalar>, b: Matrix<Scalar>, hyperparameters: LoRAHyperparameters) {
        self.a = a
        self.b = b
        self.hyperparameters = hyperparameters
    }
}

/// What the branch's training forward keeps.
public struct BranchCache<Scalar: BLASScalar>: Sendable {
    /// drop(x), the branch's input (x itself when dropout is 0).
    public let droppedInput: Matrix<Scalar>
    /// The inverted-dropout mask (0 or 1/(1−p)), or `nil` when p = 0.
    public let mask: Matrix<Scalar>?
    /// drop(x)·Aᵀ, (n, r).
    public let down: Matrix<Scalar>
}

/// Which LoRA factor a tensor holds: A, the down-projection (r, in), or B, the up-projection (out, r).
public enum LoRAFactor: String, Sendable, CaseIterable {
    /// `lora_A`, (r, in).
    case a = "A"
    /// `lora_B`, (out, r).
    case b = "B"

    /// The parameter's name inside its layer, as PEFT spells it: `lora_A.weight`, `lora_B.weight`.
    public var parameterName: String { "lora_\(rawValue).weight" }
}
