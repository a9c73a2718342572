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

/// AdamW with decoupled weight decay and bias correction, over a list of tensors.
///
/// ```
/// θ ← θ·(1 − η·λ)                         (decoupled decay, before the Adam step)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
/// ```
/// The arrangement of the last line is PyTorch's (`_single_tensor_adamw`). The moments start at
/// zero and are created on the first step from the gradients' shapes.
public struct AdamW<Scalar: BLASScalar>: Sendable {
    /// The hyper-parameters.
    public var configuration: AdamWConfiguration
    /// Steps taken so far (t after the step is t + 1).
    public private(set) var stepCount = 0
    /// First moments m, one per tensor.
    public private(set) var firstMoments: [[Scalar]] = []
    /// Second moments v, one per tensor.
    public private(set) var secondMoments: [[Scalar]] = []

    public init(configuration: AdamWConfiguration = AdamWConfiguration()) {
        self.configuration = configuration
    }

    /// One update of every tensor.
    /// - Precondition: the same number and shapes of tensors every step; the message names them.
    public mutating func step(parameters: inout [Matrix<Scalar>], gradients: [Matrix<Scalar>]) {
        AdamW.checkShapes(parameters, gradients)
        if firstMoments.isEmpty {
            firstMoments = parameters.map { [Scalar](repeating: 0, count: $0.count) }
            secondMoments = firstMoments
        }
        precondition(firstMoments.count == parameters.count, "AdamW: \(parameters.count) tensors, but the state holds \(firstMoments.count)")
        stepCount += 1
        let s = configuration.scalars(step: stepCount, Scalar.self)
        for i in parameters.indices {
            AdamW.update(&parameters[i].storage, gradients[i].storage, &firstMoments[i], &secondMoments[i], s)
        }
    }

    static func checkShapes(_ parameters: [Matrix<Scalar>], _ gradients: [Matrix<Scalar>]) {
        precondition(
            parameters.count == gradients.count && zip(parameters, gradients).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns },
            "AdamW: parameter shapes \(parameters.map(\.shapeDescription)) and gradient shapes \(gradients.map(\.shapeDescription)) differ")
    }

    /// The element-wise update of one tensor: the only copy of AdamW's arithmetic, shared by
    /// ``PagedAdamW`` and ``AdamWOptimizer`` (so all three are bit-identical).
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
