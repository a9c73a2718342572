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

    /// Runs `visitor` over the children without changing this container: the read-only walk
    /// every query uses. The walk itself is `mutating`, so it runs on a copy of the container's
    /// value; a reading visitor writes nothing, so the copy shares every tensor (copy-on-write)
    /// and costs reference counts, not tensor copies. This is the one place a query copies.
    func reading<V: ModuleVisitor>(_ visitor: inout V) where V.Scalar == Scalar {
        var view = self
        view.visitModules(&visitor, prefix: "")
    }

    /// Every 4-bit weight, named by path, in module order.
    public var quantizedWeights: [(name: String, value: QuantizedTensor)] {
        var visitor = QuantizedWeightCollector<Scalar>()
        reading(&visitor)
        return visitor.weights
    }

    /// Leaf module paths in module order (containers excluded).
    public var leafModulePaths: [String] {
        var visitor = PathCollector<Scalar>()
        reading(&visitor)
        return visitor.paths
    }

    /// The paths of the linear slots, in module order.
    public var linearLayerNames: [String] {
        var visitor = PathCollector<Scalar>()
        reading(&visitor)
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

    /// Lets `body` see and replace every linear slot, by path, in module order. Throws what
    /// `body` throws (so a `body` that throws nothing needs no `try`), stopping at its first error.
    public mutating func updateLinearLayers<E: Error>(_ body: (String, inout any LinearLayer<Scalar>) throws(E) -> Void) throws(E) {
        var failure: E?
        withoutActuallyEscaping(body) { body in
            var visitor = LinearVisitor<Scalar, E>(body: body)
            visitModules(&visitor, prefix: "")
            failure = visitor.error
        }
        if let failure { throw failure }
    }

    /// Calls `body` with every linear slot, by path, in module order, changing nothing (the
    /// read-only traversal for queries; see the internal `reading(_:)`).
    public func forEachLinearLayer<E: Error>(_ body: (String, any LinearLayer<Scalar>) throws(E) -> Void) throws(E) {
        var failure: E?
        withoutActuallyEscaping(body) { body in
            var visitor = LinearVisitor<Scalar, E>(body: { path, layer throws(E) in try body(path, layer) })
            reading(&visitor)
            failure = visitor.error
        }
        if let failure { throw failure }
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

struct LinearVisitor<Scalar: BLASScalar, E: Error>: ModuleVisitor {
    let body: (String, inout any LinearLayer<Scalar>) throws(E) -> Void
    var error: E?
    mutating func visit<M: Module>(_ path: String, _ module: inout M) where M.Scalar == Scalar {}
    mutating func visitLinear(_ path: String, _ layer: inout any LinearLayer<Scalar>) {
        guard error == nil else { return }
        do throws(E) { try body(path, &layer) } catch { self.error = error }
    }
}
