/// What walks a container's children: the model and its blocks call ``visit(_:_:)`` for each
/// child module and ``visitLinear(_:_:)`` for each linear slot, with the child's full dotted
/// path. Every name a container gives its children is spelled once, in its `visitModules`.
///
/// Parameter names (``Module/visitParameters(_:)``), module paths, target matching, injection,
/// conversion and adapter files are all visitors of this one walk.
public protocol ModuleVisitor<Scalar> {
    /// The model's element type.
    associatedtype Scalar: BLASScalar
    /// A child module that is not a linear slot (an embedding, a norm), by full path.
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar
    /// A linear slot (dense, 4-bit, or adapted), by full path; the visitor may replace it.
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>)
}

/// A container of modules: it hands each child to a visitor with its path.
public protocol ModuleContainer<Scalar>: Module {
    /// Calls `visitor` for every child in module order; paths start with `prefix`.
    mutating func visitModules<V: ModuleVisitor>(_ visitor: inout V, prefix: String) where V.Scalar == Scalar
}

extension ModuleContainer {
    /// Every parameter of every child, named by path (the one traversal).
    public mutating func visitParameters(_ body: (String, inout Matrix<Scalar>, inout Bool) -> Void) {
        withoutActuallyEscaping(body) { body in
            var visitor = ParameterVisitor<Scalar>(body: body)
            visitModules(&visitor, prefix: "")
        }
    }

    /// Every 4-bit weight, named by path, in module order.
    public var quantizedWeights: [(name: String, value: QuantizedTensor)] {
        var copy = self
        var visitor = QuantizedWeightCollector<Scalar>()
        copy.visitModules(&visitor, prefix: "")
        return visitor.weights
    }

    /// Leaf module paths in module order (containers excluded).
    public var leafModulePaths: [String] {
        var copy = self
        var visitor = PathCollector<Scalar>()
        copy.visitModules(&visitor, prefix: "")
        return visitor.paths
    }

    /// The paths of the linear slots, in module order.
    public var linearLayerNames: [String] {
        var copy = self
        var visitor = PathCollector<Scalar>()
        copy.visitModules(&visitor, prefix: "")
        return visitor.linearPaths
    }

    /// Every module path, containers included, in PyTorch's `named_modules()` order: each
    /// container appears just before its first child.
    public var moduleNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for path in leafModulePaths {
            let parts = path.split(separator: ".").map(String.init)
            for end in 1...parts.count {
                let prefix = parts[..<end].joined(separator: ".")
                if seen.insert(prefix).inserted { names.append(prefix) }
            }
        }
        return names
    }

    /// Lets `body` see and replace every linear slot, by path, in module order.
    public mutating func updateLinearLayers(_ body: (String, inout any LinearLayer<Scalar>) throws -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            var visitor = LinearVisitor<Scalar>(body: body)
            visitModules(&visitor, prefix: "")
            if let error = visitor.error { throw error }
        }
    }
}

/// Joins a container prefix and a child name with a dot.
@inline(__always)
func joinPath(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

struct ParameterVisitor<Scalar: BLASScalar>: ModuleVisitor {
    let body: (String, inout Matrix<Scalar>, inout Bool) -> Void
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar {
        module.visitParameters { name, value, trainable in body(path + "." + name, &value, &trainable) }
    }
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>) {
        layer.visitParameters { name, value, trainable in body(path + "." + name, &value, &trainable) }
    }
}

struct QuantizedWeightCollector<Scalar: BLASScalar>: ModuleVisitor {
    var weights: [(name: String, value: QuantizedTensor)] = []
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar {
        weights += module.quantizedWeights.map { (path + "." + $0.name, $0.value) }
    }
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>) {
        weights += layer.quantizedWeights.map { (path + "." + $0.name, $0.value) }
    }
}

struct PathCollector<Scalar: BLASScalar>: ModuleVisitor {
    var paths: [String] = []
    var linearPaths: [String] = []
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar { paths.append(path) }
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>) {
        paths.append(path)
        linearPaths.append(path)
    }
}

struct LinearVisitor<Scalar: BLASScalar>: ModuleVisitor {
    let body: (String, inout any LinearLayer<Scalar>) throws -> Void
    var error: (any Error)?
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar {}
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>) {
        guard error == nil else { return }
        do { try body(path, &layer) } catch { self.error = error }
    }
}
