import Foundation

/// An adapter read from disk and validated on its own: the config, its hyper-parameters, and
/// A (r, in) and B (out, r) for each module, not yet attached to any layer.
public struct LoadedAdapter: Sendable {
    /// The factors of one module.
    public struct Factors: Sendable, Equatable {
        /// A, (r, in).
        public var a: Matrix<Float>
        /// B, (out, r).
        public var b: Matrix<Float>
        /// The variant's other tensors by local name, each a (1, n) row read from a 1-D tensor
        /// (DoRA's `lora_magnitude_vector`); empty for plain LoRA.
        public var extra: [String: Matrix<Float>] = [:]
    }

    /// `adapter_config.json` as read.
    public var config: AdapterConfig
    /// The config as library hyper-parameters (before `rank_pattern` / `alpha_pattern`).
    public var hyperparameters: LoRAHyperparameters
    /// Factors by module path.
    public var factors: [String: Factors]
    /// The folder the adapter was read from (named in the errors of ``applied(to:)``).
    public var directory: URL?

    /// The module paths in the file, sorted.
    public var modules: [String] { factors.keys.sorted() }

    /// The hyper-parameters of the module at `path`: ``hyperparameters`` with r and α taken
    /// from the first matching key of `rank_pattern` and `alpha_pattern` (PEFT's rule, see
    /// ``AdapterConfig/patternValue(_:for:)``).
    public func hyperparameters(for path: String) -> LoRAHyperparameters {
        var h = hyperparameters
        if let patterns, patterns.areCompiled(from: config) {
            if let r = patterns.rank(for: path) { h.rank = r }
            if let alpha = patterns.alpha(for: path) { h.alpha = alpha }
            return h
        }
        if let r = AdapterConfig.patternValue(config.rankPattern, for: path) { h.rank = r }
        if let alpha = AdapterConfig.patternValue(config.alphaPattern, for: path) { h.alpha = alpha }
        return h
    }

    /// The config's patterns, compiled once when the adapter was read.
    var patterns: CompiledPatterns?

    /// New layers equal to `layers` but carrying this adapter's factors and hyper-parameters.
    ///
    /// ```
    /// for each module m:   A_m must be (r_m, in_m),   B_m must be (out_m, r_m)
    /// ```
    /// - Throws: ``AdapterError`` naming `adapter_model.safetensors` and the tensor:
    ///   ``AdapterError/Kind/missingTensor`` for a layer the file lacks,
    ///   ``AdapterError/Kind/unexpectedTensor`` for a module `layers` lacks,
    ///   ``AdapterError/Kind/shapeMismatch`` with expected and found shapes,
    ///   ``AdapterError/Kind/inconsistentLayers`` for a merged layer (unmerge before loading).
    public func applied<Scalar: BLASScalar>(to layers: [(path: String, layer: any AdaptedLayer<Scalar>)]) throws(AdapterError) -> [String: any AdaptedLayer<Scalar>] {
        do {
            return try checkedLayers(layers)
        } catch {
            guard let directory else { throw error }
            throw error.locating(in: directory)
        }
    }

    private func checkedLayers<Scalar: BLASScalar>(_ layers: [(path: String, layer: any AdaptedLayer<Scalar>)]) throws(AdapterError) -> [String: any AdaptedLayer<Scalar>] {
        let file = AdapterFiles.weightsFileName
        let paths = layers.map(\.path)
        for module in paths where factors[module] == nil {
            throw AdapterError(file: file, subject: AdapterFiles.tensorName(module: module, factor: .a), kind: .missingTensor,
                               problem: "no factors for layer '\(module)'",
                               expected: "lora_A and lora_B for every layer", found: "\(modules.count) module(s) in the file")
        }
        for module in modules where !paths.contains(module) {
            throw AdapterError(file: file, subject: AdapterFiles.tensorName(module: module, factor: .a), kind: .unexpectedTensor,
                               problem: "no layer '\(module)' to load it into",
                               expected: "one of \(paths.sorted())")
        }
        var result: [String: any AdaptedLayer<Scalar>] = [:]
        for (module, layer) in layers {
            let f = factors[module]!
            let h = hyperparameters(for: module)
            func check(_ factor: LoRAFactor, _ m: Matrix<Float>, _ rows: Int, _ columns: Int) throws(AdapterError) {
                guard m.rows == rows, m.columns == columns else {
                    throw AdapterError(file: file, subject: AdapterFiles.tensorName(module: module, factor: factor),
                                       kind: .shapeMismatch, problem: "wrong shape for layer '\(module)'",
                                       expected: "[\(rows), \(columns)]", found: "[\(m.rows), \(m.columns)]")
                }
            }
            try check(.a, f.a, h.rank, layer.inFeatures)   // A: (r, in)
            try check(.b, f.b, layer.outFeatures, h.rank)  // B: (out, r)
            // The variant's other tensors (DoRA's magnitude) must be exactly the ones the layer has.
            let wanted = layer.extraAdapterTensors
            for t in wanted {
                let key = AdapterFiles.keyPrefix + module + "." + t.name
                guard let m = f.extra[t.name] else {
                    throw AdapterError(file: file, subject: key, kind: .missingTensor, problem: "no \(t.name) for layer '\(module)'")
                }
                guard m.rows == t.value.rows, m.columns == t.value.columns else {
                    throw AdapterError(file: file, subject: key, kind: .shapeMismatch, problem: "wrong shape for layer '\(module)'",
                                       expected: "[\(t.value.count)]", found: "[\(m.count)]")
                }
            }
            if let name = f.extra.keys.sorted().first(where: { n in !wanted.contains { $0.name == n } }) {
                throw AdapterError(file: file, subject: AdapterFiles.keyPrefix + module + "." + name, kind: .unexpectedTensor,
                                   problem: "layer '\(module)' takes no \(name)")
            }
            guard !layer.isMerged else {
                throw AdapterError(file: file, subject: module, kind: .inconsistentLayers,
                                   problem: "the layer is merged; unmerge it before loading an adapter into it")
            }
            do {
                let branch = try LoRABranch(a: f.a.converted(to: Scalar.self), b: f.b.converted(to: Scalar.self), hyperparameters: h,
                                            inFeatures: layer.inFeatures, outFeatures: layer.outFeatures)
                result[module] = try layer.replacingAdapter(
                    branch: branch, extraTensors: wanted.map { NamedTensor($0.name, f.extra[$0.name]!.converted(to: Scalar.self)) })
            } catch {
                throw AdapterError(file: AdapterConfig.fileName, subject: "r", kind: .rankMismatch,
                                   problem: "the config does not fit layer '\(module)' (\(error))")
            }
        }
        return result
    }
}

/// Checks that a document holds exactly the LoRA factors its config describes.
enum AdapterValidation {
    static func factors(of document: SafetensorsDocument, config: AdapterConfig,
                        dtypes: Set<SafetensorsDType>, allowNonFinite: Bool, variant: LoRAVariantKind? = nil) throws(AdapterError) -> [String: LoadedAdapter.Factors] {
        let file = AdapterFiles.weightsFileName
        // The variant's tensors besides A and B (DoRA's lora_magnitude_vector, LoRA bias's lora_B.bias).
        let extraNames = variant?.tensorNames ?? []
        let patterns = try CompiledPatterns(config)
        var a: [String: Matrix<Float>] = [:], b: [String: Matrix<Float>] = [:]
        var extra: [String: [String: Matrix<Float>]] = [:]
        for name in document.tensors.keys.sorted() {
            let tensor = document.tensors[name]!
            // A variant's vector (DoRA: base_model.model.<module>.lora_magnitude_vector, 1-D).
            if name.hasPrefix(AdapterFiles.keyPrefix),
               let suffix = extraNames.first(where: { name.hasSuffix("." + $0) && name.count > AdapterFiles.keyPrefix.count + $0.count + 1 }) {
                let module = String(name.dropFirst(AdapterFiles.keyPrefix.count).dropLast(suffix.count + 1))
                guard dtypes.contains(tensor.dtype) else {
                    throw AdapterError(file: file, subject: name, kind: .dtypeMismatch, problem: "dtype not accepted",
                                       expected: dtypes.map(\.rawValue).sorted().joined(separator: " or "), found: tensor.dtype.rawValue)
                }
                guard tensor.shape.count == 1 else {
                    throw AdapterError(file: file, subject: name, kind: .shapeMismatch, problem: "\(suffix) must be 1-D",
                                       expected: "[out]", found: tensor.shapeDescription)
                }
                if !allowNonFinite, let i = tensor.values.firstIndex(where: { !$0.isFinite }) {
                    throw AdapterError(file: file, subject: name, kind: .nonFiniteValue, problem: "element [\(i)] is not finite",
                                       expected: "finite values (pass allowNonFinite: true to accept NaN and ±Inf)",
                                       found: tensor.values[i].isNaN ? "NaN" : (tensor.values[i] > 0 ? "+Inf" : "-Inf"))
                }
                extra[module, default: [:]][suffix] = Matrix(rows: 1, columns: tensor.shape[0], storage: tensor.values)
                continue
            }
            guard let (module, factor) = AdapterFiles.parseTensorName(name) else {
                throw AdapterError(file: file, subject: name, kind: .unexpectedTensor, problem: "not a LoRA factor",
                                   expected: "base_model.model.<module>.lora_A.weight or .lora_B.weight")
            }
            guard dtypes.contains(tensor.dtype) else {
                throw AdapterError(file: file, subject: name, kind: .dtypeMismatch, problem: "dtype not accepted",
                                   expected: dtypes.map(\.rawValue).sorted().joined(separator: " or "), found: tensor.dtype.rawValue)
            }
            guard tensor.shape.count == 2 else {
                throw AdapterError(file: file, subject: name, kind: .shapeMismatch, problem: "a LoRA factor must be 2-D",
                                   expected: factor == .a ? "[r, in]" : "[out, r]", found: tensor.shapeDescription)
            }
            let rank = factor == .a ? tensor.shape[0] : tensor.shape[1]
            let r = patterns.rank(for: module) ?? config.r
            guard rank == r else {
                throw AdapterError(file: file, subject: name, kind: .rankMismatch,
                                   problem: "rank disagrees with adapter_config.json",
                                   expected: "r = \(r) (shape \(factor == .a ? "[\(r), in]" : "[out, \(r)]"))",
                                   found: "r = \(rank) (shape \(tensor.shapeDescription))")
            }
            if !allowNonFinite, let i = tensor.values.firstIndex(where: { !$0.isFinite }) {
                let value = tensor.values[i]
                throw AdapterError(file: file, subject: name, kind: .nonFiniteValue,
                                   problem: "element [\(i / tensor.shape[1]), \(i % tensor.shape[1])] (index \(i) in row-major order) is not finite",
                                   expected: "finite values (pass allowNonFinite: true to accept NaN and ±Inf)",
                                   found: value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf"))
            }
            let m = Matrix(rows: tensor.shape[0], columns: tensor.shape[1], storage: tensor.values)
            if factor == .a { a[module] = m } else { b[module] = m }
        }
        guard !a.isEmpty || !b.isEmpty else {
            throw AdapterError(file: file, kind: .missingTensor, problem: "the file holds no LoRA factors")
        }
        var factors: [String: LoadedAdapter.Factors] = [:]
        for module in Set(a.keys).union(b.keys).sorted() {
            guard let ma = a[module], let mb = b[module] else {
                let missing: LoRAFactor = a[module] == nil ? .a : .b
                throw AdapterError(file: file, subject: AdapterFiles.tensorName(module: module, factor: missing),
                                   kind: .missingTensor, problem: "factor missing while its partner is present")
            }
            let own = extra[module] ?? [:]
            if let missing = extraNames.first(where: { own[$0] == nil }) {
                throw AdapterError(file: file, subject: AdapterFiles.keyPrefix + module + "." + missing, kind: .missingTensor,
                                   problem: "adapter_config.json asks for \(missing) (\(variant?.configField ?? "")) but the file has none for this module")
            }
            factors[module] = LoadedAdapter.Factors(a: ma, b: mb, extra: own)
        }
        if let stray = extra.keys.sorted().first(where: { factors[$0] == nil }) {
            throw AdapterError(file: file, subject: AdapterFiles.keyPrefix + stray + "." + extraNames[0], kind: .missingTensor,
                               problem: "no lora_A and lora_B for a module with \(extraNames[0])")
        }
        try checkTargets(config: config, modules: factors.keys.sorted())
        return factors
    }

    /// Every module must be targeted and not excluded; every listed target must match a module.
    static func checkTargets(config: AdapterConfig, modules: [String]) throws(AdapterError) {
        let file = AdapterConfig.fileName
        guard let targets = config.targetModules else {
            throw AdapterError(file: file, subject: "target_modules", kind: .targetMismatch, problem: "missing",
                               expected: "the module names or a pattern", found: "null")
        }
        for module in modules {
            let (targeted, excluded): (Bool, Bool)
            do {
                targeted = try TargetModuleMatcher.selects(module, targets: targets)
                excluded = try TargetModuleMatcher.isExcluded(module, by: config.excludeModules)
            } catch {
                throw AdapterError(file: file, subject: "target_modules", kind: .invalidConfig, problem: "\(error)")
            }
            guard targeted else {
                throw AdapterError(file: file, subject: "target_modules", kind: .targetMismatch,
                                   problem: "module '\(module)' has tensors but is not targeted", found: "\(targets)")
            }
            if excluded, let exclude = config.excludeModules {
                throw AdapterError(file: file, subject: "exclude_modules", kind: .targetMismatch,
                                   problem: "module '\(module)' has tensors but is excluded", found: "\(exclude)")
            }
        }
        if case .names(let items) = targets {
            for item in items where !modules.contains(where: { $0 == item || $0.hasSuffix("." + item) }) {
                throw AdapterError(file: file, subject: "target_modules", kind: .targetMismatch,
                                   problem: "target '\(item)' matches no module in \(AdapterFiles.weightsFileName)",
                                   expected: "one of \(modules)")
            }
        }
    }
}
