#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An optimizer over named tensors: it keeps its own state per parameter name and updates
/// one tensor at a time, so only trainable tensors (the ones with gradients) get state.
public protocol Optimizer<Scalar> {
    /// The element type of the tensors.
    associatedtype Scalar: BLASScalar
    /// Updates `parameter` (named `name`) from its gradient with learning rate `learningRate`.
    mutating func update(_ parameter: inout Matrix<Scalar>, name: String, gradient: Matrix<Scalar>, learningRate: Double)
    /// The state tensors the optimizer holds, by name (for the memory ledger).
    var stateTensors: [(String, Matrix<Scalar>)] { get }
}

extension Optimizer {
    /// Applies one update to every trainable tensor of `model` that has a gradient.
    public mutating func step(_ model: inout TransformerModel<Scalar>, gradients: ParameterGradients<Scalar>, learningRate: Double) {
        model.updateTrainableParameters { name, tensor in
            guard let g = gradients.tensors[name] else { return }
            update(&tensor, name: name, gradient: g, learningRate: learningRate)
        }
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `torch.optim.AdamW`.
///
/// For step t = 1, 2, … of a tensor θ with gradient g:
/// ```
/// θ ← θ − η·λ·θ                         (decoupled decay, before the Adam step)
/// m ← β₁·m + (1 − β₁)·g                 v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
/// PyTorch's defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.01. State: m and v, two tensors per
/// trainable tensor (that is the "optimizer state = 2× trainable parameters" of memory tables).
public struct AdamWOptimizer<Scalar: BLASScalar>: Optimizer, Sendable {
    /// β₁, β₂.
    public var beta1, beta2: Double
    /// ε added to the root.
    public var epsilon: Double
    /// λ, decoupled weight decay.
    public var weightDecay: Double
    private var moments: [String: (m: Matrix<Scalar>, v: Matrix<Scalar>, step: Int)] = [:]

    /// An optimizer with PyTorch's defaults unless given.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// These hyper-parameters with learning rate `lr`, in ``AdamW``'s form.
    public func configuration(learningRate lr: Double) -> AdamWConfiguration {
        AdamWConfiguration(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// One AdamW step of the tensor `name`, through the element-wise kernel ``AdamW`` and
    /// ``PagedAdamW`` use (so all three are bit-identical on the same gradients).
    public mutating func update(_ p: inout Matrix<Scalar>, name: String, gradient g: Matrix<Scalar>, learningRate lr: Double) {
        precondition(p.rows == g.rows && p.columns == g.columns, "AdamW: gradient \(g.shapeDescription) does not match parameter '\(name)' \(p.shapeDescription)")
        var state = moments.removeValue(forKey: name) ?? (Matrix.zeroed(p.rows, p.columns), Matrix.zeroed(p.rows, p.columns), 0)
        state.step += 1
        let scalars = configuration(learningRate: lr).scalars(step: state.step, Scalar.self)
        AdamW.update(&p.storage, g.storage, &state.m.storage, &state.v.storage, scalars)
        moments[name] = state
    }

    public var stateTensors: [(String, Matrix<Scalar>)] {
        moments.keys.sorted().flatMap { [($0 + ".exp_avg", moments[$0]!.m), ($0 + ".exp_avg_sq", moments[$0]!.v)] }
    }
}

/// Stochastic gradient descent with optional momentum and (coupled) weight decay, as PyTorch's `SGD`.
///
/// ```
/// g ← g + λ·θ            b ← μ·b + g  (b = g at the first step)            θ ← θ − η·b
/// ```
/// With μ = 0 there is no state at all.
public struct SGDOptimizer<Scalar: BLASScalar>: Optimizer, Sendable {
    /// μ.
    public var momentum: Double
    /// λ.
    public var weightDecay: Double
    private var buffers: [String: Matrix<Scalar>] = [:]

    /// Plain SGD unless momentum or weight decay are given.
    public init(momentum: Double = 0, weightDecay: Double = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ p: inout Matrix<Scalar>, name: String, gradient g: Matrix<Scalar>, learningRate lr: Double) {
        precondition(p.rows == g.rows && p.columns == g.columns, "SGD: gradient \(g.shapeDescription) does not match parameter '\(name)' \(p.shapeDescription)")
        let (eta, wd, mu) = (Scalar(lr), Scalar(weightDecay), Scalar(momentum))
        var direction = g
        direction.storage.withUnsafeMutableBufferPointer { d in
            p.storage.withUnsafeBufferPointer { w in
                for i in d.indices { d[i] += wd * w[i] }
            }
        }
        if momentum > 0 {
            if var b = buffers.removeValue(forKey: name) {
                b.storage.withUnsafeMutableBufferPointer { bp in
                    direction.storage.withUnsafeBufferPointer { d in
                        for i in bp.indices { bp[i] = mu * bp[i] + d[i] }
                    }
                }
                direction = b
            }
            buffers[name] = direction
        }
        direction.storage.withUnsafeBufferPointer { d in
            p.storage.withUnsafeMutableBufferPointer { w in
                for i in w.indices { w[i] -= eta * d[i] }
            }
        }
    }

    public var stateTensors: [(String, Matrix<Scalar>)] {
        buffers.keys.sorted().map { ($0 + ".momentum_buffer", buffers[$0]!) }
    }
}
