/// AdamW's hyper-parameters (Loshchilov & Hutter 2019; PyTorch `torch.optim.AdamW` defaults
/// except the learning rate, which LoRA recipes set around 1e-4…2e-4).
public struct AdamWConfiguration: Sendable, Equatable, Codable {
    /// Learning rate η.
    public var learningRate: Double
    /// β₁, the first-moment decay.
    public var beta1: Double
    /// β₂, the second-moment decay.
    public var beta2: Double
    /// ε, added to √v̂.
    public var epsilon: Double
    /// λ, the decoupled weight decay.
    public var weightDecay: Double

    /// PyTorch's defaults except the learning rate.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// The per-step scalars: step size η/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ), for step t ≥ 1.
    func scalars<Scalar: BLASScalar>(step t: Int, _: Scalar.Type) -> AdamWStepScalars<Scalar> {
        let c1 = 1 - pow(beta1, t)
        let c2 = 1 - pow(beta2, t)
        return AdamWStepScalars(
            decay: Scalar(1 - learningRate * weightDecay), beta1: Scalar(beta1), beta2: Scalar(beta2),
            oneMinusBeta1: Scalar(1 - beta1), oneMinusBeta2: Scalar(1 - beta2),
            stepSize: Scalar(learningRate / c1), inverseRootC2: Scalar(1 / c2.squareRoot()), epsilon: Scalar(epsilon))
    }

    private func pow(_ x: Double, _ n: Int) -> Double { (0..<n).reduce(1) { p, _ in p * x } }
}

/// Scalars shared by every element in one AdamW step.
struct AdamWStepScalars<Scalar: BLASScalar> {
    let decay, beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, inverseRootC2, epsilon: Scalar
}

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `torch.optim.AdamW`:
/// the one AdamW of the package (``PagedAdamW`` runs the same element-wise kernel).
///
/// For step t = 1, 2, … of a tensor θ with gradient g:
/// ```
/// θ ← θ·(1 − η·λ)                         (decoupled decay, before the Adam step)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
/// ```
/// The arrangement of the last line is PyTorch's (`_single_tensor_adamw`). State: m and v per
/// tensor, created at zero on the tensor's first update (that is the "optimizer state = 2×
/// trainable parameters" of memory tables). Tensors are named: a model's optimizer step
/// (``Optimizer/step(_:gradients:learningRate:)``) updates each trainable tensor by its
/// parameter name; ``step(parameters:gradients:)`` names a list's tensors by position.
public struct AdamW<Scalar: BLASScalar>: Optimizer, Sendable {
    /// The hyper-parameters (its learning rate is used by ``step(parameters:gradients:)``).
    public var configuration: AdamWConfiguration
    private var moments: [String: (m: Matrix<Scalar>, v: Matrix<Scalar>, step: Int)] = [:]

    /// An optimizer with the given hyper-parameters.
    public init(configuration: AdamWConfiguration = AdamWConfiguration()) {
        self.configuration = configuration
    }

    /// An optimizer with PyTorch's defaults unless given (the learning rate comes with each update).
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.init(configuration: AdamWConfiguration(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay))
    }

    /// Steps taken by the tensor named `name` (0 before its first update).
    public func stepCount(of name: String) -> Int { moments[name]?.step ?? 0 }

    /// One AdamW step of the tensor `name` with learning rate `lr`.
    public mutating func update(_ p: inout Matrix<Scalar>, name: String, gradient g: Matrix<Scalar>, learningRate lr: Double) {
        precondition(p.rows == g.rows && p.columns == g.columns, "AdamW: gradient \(g.shapeDescription) does not match parameter '\(name)' \(p.shapeDescription)")
        var state = moments.removeValue(forKey: name) ?? (Matrix.zeroed(p.rows, p.columns), Matrix.zeroed(p.rows, p.columns), 0)
        state.step += 1
        var c = configuration
        c.learningRate = lr
        AdamW.update(&p.storage, g.storage, &state.m.storage, &state.v.storage, c.scalars(step: state.step, Scalar.self))
        moments[name] = state
    }

    /// One update of every tensor of a list, at ``configuration``'s learning rate; tensor i is
    /// named `"i"`.
    /// - Precondition: the same number and shapes of tensors every step; the message names them.
    public mutating func step(parameters: inout [Matrix<Scalar>], gradients: [Matrix<Scalar>]) {
        AdamW.checkShapes(parameters, gradients)
        for i in parameters.indices {
            update(&parameters[i], name: String(i), gradient: gradients[i], learningRate: configuration.learningRate)
        }
    }

    /// m of list tensor `i` (see ``step(parameters:gradients:)``).
    public func firstMoment(_ i: Int) -> [Scalar] { moments[String(i)]?.m.storage ?? [] }
    /// v of list tensor `i`.
    public func secondMoment(_ i: Int) -> [Scalar] { moments[String(i)]?.v.storage ?? [] }

    /// m and v of every tensor, as `<name>.exp_avg` and `<name>.exp_avg_sq`, sorted by name.
    public var stateTensors: [NamedTensor<Scalar>] {
        moments.keys.sorted().flatMap { [NamedTensor($0 + ".exp_avg", moments[$0]!.m), NamedTensor($0 + ".exp_avg_sq", moments[$0]!.v)] }
    }

    static func checkShapes(_ parameters: [Matrix<Scalar>], _ gradients: [Matrix<Scalar>]) {
        precondition(
            parameters.count == gradients.count && zip(parameters, gradients).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns },
            "AdamW: parameter shapes \(parameters.map(\.shapeDescription)) and gradient shapes \(gradients.map(\.shapeDescription)) differ")
    }

    /// The element-wise update of one tensor: the only copy of AdamW's arithmetic, shared with
    /// ``PagedAdamW`` (so both are bit-identical).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func update(_ theta: inout [Scalar], _ g: [Scalar], _ m: inout [Scalar], _ v: inout [Scalar], _ s: AdamWStepScalars<Scalar>) {
        precondition(theta.count == m.count && g.count == m.count && v.count == m.count, "AdamW: state of \(m.count) elements for a tensor of \(theta.count)")
        theta.withUnsafeMutableBufferPointer { p in
            g.withUnsafeBufferPointer { gp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        for i in 0..<p.count {
                            let gi = gp[i]
                            let decayed = p[i] * s.decay
                            let mi = s.beta1 * mp[i] + s.oneMinusBeta1 * gi
                            let vi = s.beta2 * vp[i] + s.oneMinusBeta2 * (gi * gi)
                            mp[i] = mi
                            vp[i] = vi
                            let denominator = vi.squareRoot() * s.inverseRootC2 + s.epsilon
                            p[i] = decayed - s.stepSize * (mi / denominator)
                        }
                    }
                }
            }
        }
    }
}
