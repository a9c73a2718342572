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
    var stateTensors: [NamedTensor<Scalar>] { get }
}

extension Optimizer {
    /// Applies one update to every trainable tensor of `model` that has a gradient.
    public mutating func step(_ model: inout TransformerModel<Scalar>, gradients: ParameterGradients<Scalar>, learningRate: Double) {
        model.updateTrainableParameters { name, tensor in
            guard let g = gradients[name] else { return }
            update(&tensor, name: name, gradient: g, learningRate: learningRate)
        }
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

    public var stateTensors: [NamedTensor<Scalar>] {
        buffers.keys.sorted().map { NamedTensor($0 + ".momentum_buffer", buffers[$0]!) }
    }
}
