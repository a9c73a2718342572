/// How PEFT's `add_weighted_adapter` combines adapters (`peft/tuners/lora/model.py`).
public enum CombinationType: Sendable, Equatable, CustomStringConvertible {
    /// Concatenate the factors: rank Σ rᵢ, and B·A = Σ wᵢ·ΔWᵢ exactly.
    case cat
    /// Weight A's and B's separately by √(wᵢ·sᵢ): rank r (all equal), with cross terms.
    case linear
    /// Best rank-`rank` approximation of Σ wᵢ·ΔWᵢ (default: the largest source rank).
    case svd(rank: Int?)

    /// PEFT's `combination_type` string.
    public var description: String {
        switch self {
        case .cat: "cat"
        case .linear: "linear"
        case .svd: "svd"
        }
    }
}

/// What ``AdapterCombination`` refuses, with the values concerned.
public enum CombinationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No source adapters, or a weight count different from the source count.
    case sources(adapters: Int, weights: Int)
    /// `linear` needs every source to have the same rank (PEFT: "All adapters must have the same r value").
    case ranksDiffer([Int])
    /// The SVD rank is not in 1…min(out, in).
    case svdRank(Int, limit: Int)
    /// A source carries more than A and B (DoRA's magnitude), which these formulas do not combine.
    case unsupportedVariant(module: String)
    /// The destination has no plain linear layer at a path a source adapts.
    case noBase(module: String)

    public var description: String {
        switch self {
        case .sources(let a, let w): "adapter combination: \(a) adapters and \(w) weights; need at least one adapter and one weight each"
        case .ranksDiffer(let ranks): "adapter combination: linear needs adapters of one rank, got \(ranks)"
        case .svdRank(let r, let limit): "adapter combination: svd rank \(r) is outside 1...\(limit)"
        case .unsupportedVariant(let module): "adapter combination: '\(module)' carries more than A and B (DoRA); only LoRA adapters combine"
        case .noBase(let module): "adapter combination: the model has no plain linear layer '\(module)' to adapt"
        }
    }
}

/// PEFT's `add_weighted_adapter` for one module: source branches (Aᵢ (rᵢ, in), Bᵢ (out, rᵢ),
/// scalings sᵢ) and weights wᵢ give one branch. The result's α equals its rank (PEFT's
/// `replace(..., r=new_rank, lora_alpha=new_rank)`), so s = 1, or √r when the first source uses
/// rsLoRA; dropout, scaling kind and initialisation are the first source's.
///
/// ```
/// cat      A = [w₁s₁·A₁ ; w₂s₂·A₂ ; …]   B = [B₁ | B₂ | …]        r = Σ rᵢ    B·A = Σ wᵢ·ΔWᵢ
/// linear   cᵢ = wᵢ·sᵢ,  A = Σ sign(cᵢ)·√|cᵢ|·Aᵢ,  B = Σ √|cᵢ|·Bᵢ   r = r₁ = r₂ = …
///          B·A = Σᵢ cᵢ·BᵢAᵢ + Σ_{i≠j} sign(cⱼ)·√|cᵢcⱼ|·BᵢAⱼ      (the cross terms)
/// svd      ΔW = Σ wᵢ·ΔWᵢ = U·Σ·Vᵀ,   B = U_r·Σ_r,   A = V_rᵀ        B·A = best rank-r approximation
/// ```
/// (Ilharco et al. 2023, "Editing models with task arithmetic", is the idea behind summing
/// weighted updates.) The fixtures in `Tests/LoRATests/Fixtures/peft_written/combined_cat` are
/// PEFT's own results for each type.
public enum AdapterCombination {
    /// The combined branch of one module.
    /// - Throws: ``CombinationError`` (no sources, a weight count that differs, unequal ranks for
    ///   `linear`, an SVD rank out of range); ``LinearAlgebraError`` if the SVD fails.
    public static func combine<Scalar: BLASScalar>(_ sources: [LoRABranch<Scalar>], weights: [Double],
                                                   type: CombinationType) throws -> LoRABranch<Scalar> {
        guard let first = sources.first, sources.count == weights.count else {
            throw CombinationError.sources(adapters: sources.count, weights: weights.count)
        }
        let (d, k) = (first.b.rows, first.a.columns)
        let a: Matrix<Scalar>, b: Matrix<Scalar>, rank: Int
        switch type {
        case .cat:
            rank = sources.reduce(0) { $0 + $1.rank }
            var rowsOfA: [[Scalar]] = [], columnsOfB: [[Scalar]] = []
            for (source, w) in zip(sources, weights) {
                let factor = Scalar(w) * source.scale  // w·s on A only; B copied
                for i in 0..<source.rank { rowsOfA.append(source.a.row(i).map { factor * $0 }) }
                for j in 0..<source.rank { columnsOfB.append((0..<d).map { source.b[$0, j] }) }
            }
            a = Matrix(rows: rank, columns: k) { i, j in rowsOfA[i][j] }
            b = Matrix(rows: d, columns: rank) { i, j in columnsOfB[j][i] }
        case .linear:
            let ranks = sources.map(\.rank)
            guard Set(ranks).count == 1 else { throw CombinationError.ranksDiffer(ranks) }
            rank = first.rank
            var sumA = Matrix<Scalar>.zeros(rank, k), sumB = Matrix<Scalar>.zeros(d, rank)
            for (source, w) in zip(sources, weights) {
                let c = w * source.scale.doubleValue
                let root = abs(c).squareRoot()
                sumA.add(source.a, scaledBy: Scalar(c < 0 ? -root : root))  // the sign goes on A
                sumB.add(source.b, scaledBy: Scalar(root))
            }
            (a, b) = (sumA, sumB)
        case .svd(let requested):
            rank = requested ?? sources.map(\.rank).max()!
            guard rank >= 1, rank <= min(d, k) else { throw CombinationError.svdRank(rank, limit: min(d, k)) }
            let svd = try weightedSum(sources, weights: weights).svd()
            b = Matrix(rows: d, columns: rank) { i, j in svd.u[i, j] * svd.singularValues[j] }  // U_r·Σ_r
            a = Matrix(rows: rank, columns: k) { i, j in svd.vt[i, j] }                         // V_rᵀ
        }
        var h = first.hyperparameters
        h.rank = rank
        h.alpha = Double(rank)
        h.initialization = .kaimingUniform
        return try LoRABranch(a: a, b: b, hyperparameters: h, inFeatures: k, outFeatures: d)
    }

    /// Σ wᵢ·ΔWᵢ = Σ wᵢ·sᵢ·Bᵢ·Aᵢ, (out, in): what `cat` reproduces exactly and `svd` truncates.
    public static func weightedSum<Scalar: BLASScalar>(_ sources: [LoRABranch<Scalar>], weights: [Double]) -> Matrix<Scalar> {
        var sum = Matrix<Scalar>.zeros(sources[0].b.rows, sources[0].a.columns)
        for (source, w) in zip(sources, weights) {
            Matrix.gemm(source.b, source.a, alpha: Scalar(w) * source.scale, beta: 1, into: &sum)
        }
        return sum
    }
}

extension TransformerModel {
    /// This model (the base, without adapters on the paths concerned) carrying one adapter that
    /// combines the adapters of `sources` (models trained from this base), module by module:
    /// PEFT's `add_weighted_adapter(adapters, weights, combination_type=...)`.
    ///
    /// Every path adapted in any source gets an adapter; only the sources that adapt a path
    /// contribute to it (as in PEFT). Paths keep this model's base layer, dense or 4-bit.
    /// - Throws: ``CombinationError`` (including ``CombinationError/unsupportedVariant(module:)``
    ///   for DoRA sources and ``CombinationError/noBase(module:)``), ``LoRAError``, ``LinearAlgebraError``.
    public func combiningAdapters(of sources: [TransformerModel], weights: [Double], type: CombinationType) throws -> TransformerModel {
        guard !sources.isEmpty, sources.count == weights.count else {
            throw CombinationError.sources(adapters: sources.count, weights: weights.count)
        }
        var byPath: [String: [(branch: LoRABranch<Scalar>, weight: Double)]] = [:]
        var order: [String] = []
        for (source, w) in zip(sources, weights) {
            for (path, layer) in source.adaptedLayers {
                guard layer.extraAdapterTensors.isEmpty else { throw CombinationError.unsupportedVariant(module: path) }
                if byPath[path] == nil { order.append(path) }
                byPath[path, default: []].append((layer.branch, w))
            }
        }
        var copy = self
        for path in order {
            guard let base = copy[linear: path] as? any LoRABase<Scalar> else { throw CombinationError.noBase(module: path) }
            let entries = byPath[path]!
            let branch = try AdapterCombination.combine(entries.map(\.branch), weights: entries.map(\.weight), type: type)
            copy[linear: path] = try Self.wrap(base, branch)
        }
        copy.setBaseParametersTrainable(false)
        return copy
    }

    private static func wrap<B: LoRABase>(_ base: B, _ branch: LoRABranch<B.Scalar>) throws -> any LinearLayer<B.Scalar> {
        try LoRALinear(base: base, branch: branch)
    }
}
