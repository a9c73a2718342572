/// The trainable half of a LoRA layer: A, B, the scaling s and dropout on the branch's input.
///
/// ```
/// u = drop(x)·Aᵀ              (n, in)·(in, r) → (n, r)
/// y += s · u·Bᵀ               (n, r)·(r, out) → (n, out)
/// ```
/// ``LoRALinear`` (float base) and ``QLoRALinear`` (4-bit base) differ only in their frozen
/// base; both delegate the update and its gradients here, so the LoRA math exists once.
public struct LoRABranch<Scalar: BLASScalar>: Sendable {
    /// The down-projection A, (r, in).
    public var a: Matrix<Scalar>
    /// The up-projection B, (out, r).
    public var b: Matrix<Scalar>
    /// Rank, α, dropout, scaling and initialisation.
    public let hyperparameters: LoRAHyperparameters

    /// s = α/r or α/√r, as `Scalar`.
    public var scale: Scalar { Scalar(hyperparameters.scale) }

    /// A branch with given factors; the caller has validated the shapes.
    init(a: Matrix<Scalar>, b: Matrix<Scalar>, hyperparameters: LoRAHyperparameters) {
        self.a = a
        self.b = b
        self.hyperparameters = hyperparameters
    }

    /// Checks that A (r, in) and B (out, r) fit the rank and a (out, in) base.
    static func validate(a: Matrix<Scalar>, b: Matrix<Scalar>, rank r: Int, inFeatures k: Int, outFeatures d: Int) throws {
        guard a.rows == r, a.columns == k, b.rows == d, b.columns == r else {
            throw LoRAError.invalidConfiguration(
                "A \(a.shapeDescription) and B \(b.shapeDescription) do not fit rank \(r) on a (\(d), \(k)) weight; expected A (\(r), \(k)) and B (\(d), \(r))")
        }
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

    /// y += s·(drop(x)·Aᵀ)·Bᵀ with a fresh dropout mask from `generator`; returns the cache.
    func addTrainingUpdate(input x: Matrix<Scalar>, to y: inout Matrix<Scalar>, using generator: inout SeededGenerator) -> LoRACache<Scalar> {
        let mask = Dropout.mask(rows: x.rows, columns: x.columns, p: hyperparameters.dropout, Scalar.self, using: &generator)
        let dropped = mask.map { x .* $0 } ?? x
        let down = addUpdate(input: dropped, to: &y)
        return LoRACache(input: x, droppedInput: dropped, mask: mask, down: down)
    }

    /// Gradients for A and B, and the branch's share of ∂L/∂x added onto `baseInputGradient`.
    ///
    /// ```
    /// ∂L/∂B = s · (∂L/∂y)ᵀ · u      (out, r)
    /// ∂L/∂u = s · ∂L/∂y · B         (n, r)
    /// ∂L/∂A = (∂L/∂u)ᵀ · drop(x)    (r, in)
    /// ∂L/∂x = ∂L/∂y · W0 + mask ⊙ (∂L/∂u · A)
    /// ```
    func backward(_ dy: Matrix<Scalar>, cache: LoRACache<Scalar>, baseInputGradient: Matrix<Scalar>) -> LoRAGradients<Scalar> {
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
        return LoRAGradients(input: dx, a: dA, b: dB)
    }

    /// ΔW = s·B·A, (out, in). Forms the product: used to merge and to inspect, not in forward.
    public var deltaWeight: Matrix<Scalar> { b.matmul(a, alpha: scale) }
}
