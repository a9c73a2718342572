import Foundation

/// Saving and loading LoRA adapters as PEFT does: a directory with `adapter_model.safetensors`
/// and `adapter_config.json`.
///
/// ```
/// base_model.model.<module path>.lora_A.weight   (r, in)    F32
/// base_model.model.<module path>.lora_B.weight   (out, r)   F32
/// __metadata__ = {"format": "pt"}
/// ```
/// Layers are addressed by dotted module path (`layers.0.self_attn.q_proj`), the keys of a
/// `[String: LoRALinear]`. Loading is strict and all-or-nothing: every problem is a thrown
/// ``AdapterError`` naming the file, and the destination is changed only when all of it validates.
public enum AdapterFiles {
    /// PEFT's weights file name.
    public static let weightsFileName = "adapter_model.safetensors"
    /// The prefix PEFT's `save_pretrained` puts before module paths.
    public static let keyPrefix = "base_model.model."

    /// The on-disk name of a factor: `base_model.model.<module>.lora_A.weight` (or `lora_B`).
    public static func tensorName(module: String, factor: LoRAFactor) -> String {
        "\(keyPrefix)\(module).lora_\(factor.rawValue).weight"
    }

    /// Splits an on-disk tensor name into module path and factor, or nil if it is not one.
    public static func parseTensorName(_ name: String) -> (module: String, factor: LoRAFactor)? {
        guard name.hasPrefix(keyPrefix) else { return nil }
        for factor in LoRAFactor.allCases {
            let suffix = ".lora_\(factor.rawValue).weight"
            if name.hasSuffix(suffix), name.count > keyPrefix.count + suffix.count {
                return (String(name.dropFirst(keyPrefix.count).dropLast(suffix.count)), factor)
            }
        }
        return nil
    }

    /// The safetensors document for `layers` (A and B as F32, `format: pt` metadata).
    public static func document<Scalar: BLASScalar>(for layers: [(path: String, layer: any AdaptedLayer<Scalar>)]) -> SafetensorsDocument {
        var tensors: [String: SafetensorsTensor] = [:]
        for (module, layer) in layers {
            tensors[tensorName(module: module, factor: .a)] = SafetensorsTensor(layer.branch.a)  // (r, in)
            tensors[tensorName(module: module, factor: .b)] = SafetensorsTensor(layer.branch.b)  // (out, r)
            for extra in layer.extraAdapterTensors {  // e.g. DoRA's lora_magnitude_vector, lora_B.bias: 1-D (out,)
                tensors[keyPrefix + module + "." + extra.name] = SafetensorsTensor(
                    shape: [extra.value.count], values: extra.value.converted(to: Float.self).storage)
            }
        }
        return SafetensorsDocument(tensors: tensors, metadata: ["format": "pt"])
    }

    /// The config describing `layers`: dropout and scaling must be shared (PEFT has one of each
    /// per config); r and α may differ per module and are then written as PEFT's `rank_pattern`
    /// and `alpha_pattern`, keyed by full module path, around the most common r and α.
    /// - Throws: ``AdapterError/Kind/inconsistentLayers`` naming the first module that differs
    ///   in dropout or scaling, or when `layers` is empty.
    public static func config<Scalar: BLASScalar>(for layers: [(path: String, layer: any AdaptedLayer<Scalar>)], baseModel: String? = nil,
                                      taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        guard let (first, firstLayer) = layers.first else {
            throw AdapterError(file: AdapterConfig.fileName, kind: .inconsistentLayers, problem: "no LoRA layers to save")
        }
        let reference = firstLayer.branch.hyperparameters
        for (module, layer) in layers {
            let h = layer.branch.hyperparameters
            guard h.dropout == reference.dropout, h.scaling == reference.scaling, h.variant == reference.variant else {
                func variant(_ h: LoRAHyperparameters) -> String { h.variant.map { "\($0.configField) true" } ?? "no variant" }
                throw AdapterError(
                    file: AdapterConfig.fileName, subject: module, kind: .inconsistentLayers,
                    problem: "one adapter_config.json holds one dropout, one scaling and one variant for all modules",
                    expected: "dropout \(reference.dropout), \(reference.scaling), \(variant(reference)) (as '\(first)')",
                    found: "dropout \(h.dropout), \(h.scaling), \(variant(h))")
            }
        }
        func mostCommon<T: Hashable>(_ values: [T]) -> T {
            var counts: [T: Int] = [:]
            for v in values { counts[v, default: 0] += 1 }
            // Ties go to the value seen first, so the choice does not depend on hashing.
            return values.first { counts[$0] == counts.values.max() }!
        }
        var shared = reference
        shared.rank = mostCommon(layers.map { $0.layer.branch.rank })
        shared.alpha = mostCommon(layers.map { $0.layer.branch.hyperparameters.alpha })
        var config = AdapterConfig(hyperparameters: shared, targetModules: layers.map(\.path), baseModel: baseModel, taskType: taskType)
        for (module, layer) in layers.sorted(by: { $0.path < $1.path }) {
            let h = layer.branch.hyperparameters
            if h.rank != shared.rank { config.rankPattern.append(PatternEntry(key: module, value: h.rank)) }
            if h.alpha != shared.alpha { config.alphaPattern.append(PatternEntry(key: module, value: h.alpha)) }
        }
        return config
    }

    /// Saves `layers` into `directory` (created if missing), the two files as one unit.
    ///
    /// Each file is written under a temporary name inside `directory`, flushed to disk and
    /// renamed into place, weights first (see the internal `AtomicFolder` for every step and what a
    /// crash at each leaves). The folder itself (inode, owner, mode, setgid bit, ACLs, mount) and
    /// every other file in it stay as they are. The weights' `__metadata__` records a digest of
    /// the config saved with them (the internal `ConfigBinding`), so whenever the process is killed
    /// `directory` loads as the complete old adapter, the complete new one, or an error saying
    /// that a save was interrupted, never as new weights beside an old config. Leftovers of
    /// killed saves are removed by the next save.
    ///
    /// Matrices of `Double` are stored as F32 (PEFT's usual dtype), i.e. rounded to `Float`.
    /// - Returns: the config written.
    /// - Throws: ``AdapterError`` (``AdapterError/Kind/inconsistentLayers`` or ``AdapterError/Kind/io``
    ///   naming the full path).
    @discardableResult
    public static func save<Scalar: BLASScalar>(_ layers: [(path: String, layer: any AdaptedLayer<Scalar>)], to directory: URL,
                                    baseModel: String? = nil, taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        let config = try config(for: layers, baseModel: baseModel, taskType: taskType)
        let configBytes = [UInt8](config.encoded())
        var weights = document(for: layers)
        weights.metadata[ConfigBinding.metadataKey] = ConfigBinding.digest(configBytes)
        // Weights first: the file renamed first carries the binding, so every mix is detectable.
        let files = [
            (name: weightsFileName, bytes: SafetensorsWriter.serialize(weights)),
            (name: AdapterConfig.fileName, bytes: configBytes),
        ]
        do {
            try AtomicFolder.replace(directory, with: files)
        } catch {
            throw AdapterError(file: directory.lastPathComponent, path: directory.path, kind: .io,
                               problem: "cannot save the adapter: \(error.reason)")
        }
        return config
    }

    /// ``save(_:to:baseModel:taskType:)`` for layers keyed by path (saved in path order).
    @discardableResult
    public static func save<Scalar: BLASScalar>(_ layers: [String: any AdaptedLayer<Scalar>], to directory: URL,
                                    baseModel: String? = nil, taskType: String? = nil) throws(AdapterError) -> AdapterConfig {
        try save(layers.keys.sorted().map { ($0, layers[$0]!) }, to: directory, baseModel: baseModel, taskType: taskType)
    }

    /// Reads and validates an adapter directory on its own (config against tensors), without a
    /// destination. See ``LoadedAdapter/applied(to:)`` for the checks against layers.
    ///
    /// NaN and ±Inf in a factor are refused; ``read(from:dtypes:allowNonFinite:)`` can accept them.
    /// A save running beside the read, or one killed between its two renames, is detected from
    /// the weights' binding to their config (the internal `ConfigBinding`): the pair is read again a few
    /// times, then ``AdapterError/Kind/interruptedSave`` names where the previous adapter is.
    ///
    /// - Parameters:
    ///   - directory: the adapter directory (`adapter_config.json` and `adapter_model.safetensors`).
    ///   - dtypes: the tensor dtypes accepted (all three float formats by default).
    /// - Throws: ``AdapterError`` naming the full path of the file concerned: the config's
    ///   problems; a corrupt or truncated weights file (``AdapterError/Kind/corruptFile``); a path
    ///   that is missing or not a regular file (``AdapterError/Kind/io``); tensors that are not LoRA factors
    ///   (``AdapterError/Kind/unexpectedTensor``); a factor without its partner
    ///   (``AdapterError/Kind/missingTensor``); a factor that is not 2-D
    ///   (``AdapterError/Kind/shapeMismatch``); a rank other than `r`
    ///   (``AdapterError/Kind/rankMismatch``); a dtype not in `dtypes`
    ///   (``AdapterError/Kind/dtypeMismatch``); NaN or ±Inf in a factor
    ///   (``AdapterError/Kind/nonFiniteValue``, naming the first bad element); modules outside
    ///   `target_modules`, or a listed target with no tensors (``AdapterError/Kind/targetMismatch``).
    public static func read(from directory: URL, dtypes: Set<SafetensorsDType> = Set(SafetensorsDType.allCases)) throws(AdapterError) -> LoadedAdapter {
        try read(from: directory, dtypes: dtypes, allowNonFinite: false)
    }

    /// ``read(from:dtypes:)`` with a choice about non-finite values.
    /// - Parameters:
    ///   - directory: the adapter directory (`adapter_config.json` and `adapter_model.safetensors`).
    ///   - dtypes: the tensor dtypes accepted (all three float formats by default).
    ///   - allowNonFinite: `true` accepts NaN and ±Inf in the factors (for inspecting a
    ///     diverged run's adapter); `false` refuses them as ``read(from:dtypes:)`` does.
    public static func read(from directory: URL, dtypes: Set<SafetensorsDType> = Set(SafetensorsDType.allCases),
                            allowNonFinite: Bool) throws(AdapterError) -> LoadedAdapter {
        let location = directory
        do throws(AdapterError) {
            let (config, document) = try readMatchedPair(in: location)
            let hyperparameters = try config.hyperparameters()
            let factors = try AdapterValidation.factors(of: document, config: config, dtypes: dtypes, allowNonFinite: allowNonFinite,
                                                        variant: hyperparameters.variant)
            return LoadedAdapter(config: config, hyperparameters: hyperparameters, factors: factors, directory: location,
                                 patterns: try CompiledPatterns(config))
        } catch {
            throw error.locating(in: location)
        }
    }

    /// How often a reader that meets weights bound to another config reads the pair again
    /// before deciding, and how long it waits in all (about 0.13 s).
    static let pairAttempts = 8

    /// The config and weights in `directory`, read again (up to ``pairAttempts`` times, with
    /// growing pauses) while the weights' binding names another config: a save running beside
    /// this read finishes within a few renames. A pair still mixed after that is
    /// - an interrupted (or still running) save when the save's traces are in the folder (the
    ///   kept `.adapter_model.safetensors.lora-previous`, or a `.lora-new-` temporary): an error;
    /// - otherwise a config edited by hand after the save (a new `base_model_name_or_path`, or a
    ///   test that rewrites it): read as it is, as PEFT would.
    /// - Throws: ``AdapterError/Kind/interruptedSave`` for an interrupted save.
    private static func readMatchedPair(in directory: URL) throws(AdapterError) -> (AdapterConfig, SafetensorsDocument) {
        var pause = 0.001
        var last: (AdapterConfig, SafetensorsDocument)?
        for attempt in 1...pairAttempts {
            let (config, bytes) = try AdapterConfig.readWithBytes(contentsOf: directory.appendingPathComponent(AdapterConfig.fileName))
            let document: SafetensorsDocument
            do {
                document = try SafetensorsReader.read(contentsOf: directory.appendingPathComponent(weightsFileName))
            } catch {
                var wrapped = AdapterError(error)
                if error.kind == .unsupportedDType { wrapped.kind = .dtypeMismatch }
                throw wrapped
            }
            guard let bound = document.metadata[ConfigBinding.metadataKey], bound != ConfigBinding.digest(bytes) else {
                return (config, document)
            }
            last = (config, document)
            if attempt < pairAttempts {
                Thread.sleep(forTimeInterval: pause)
                pause *= 2
            }
        }
        let previous = directory.appendingPathComponent(AtomicFolder.previousName(of: weightsFileName))
        let kept = FileManager.default.fileExists(atPath: previous.path)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let saving = entries.contains { entry in
            [weightsFileName, AdapterConfig.fileName].contains { AtomicFolder.isTemporary(entry, of: $0) }
        }
        if !kept && !saving, let last { return last }
        throw AdapterError(
            file: weightsFileName, path: directory.appendingPathComponent(weightsFileName).path, kind: .interruptedSave,
            problem: "a save was interrupted (or another process is still saving): these weights were saved with another "
                + "\(AdapterConfig.fileName) than the one beside them (read \(pairAttempts) times); "
                + (kept ? "the previous adapter is in \(directory.path): its weights in \(previous.lastPathComponent), its config in \(AdapterConfig.fileName)"
                        : "save the adapter again"))
    }

    /// Loads the adapter in `directory` into `layers` (LoRA layers of one kind, keyed by module
    /// path), all or nothing.
    ///
    /// Every layer must have both factors in the file with shapes (r, in) and (out, r), and
    /// every module in the file must be in `layers`. The new layers keep their bases and adapter
    /// names and take r, α, dropout and scaling from the config.
    /// - Returns: the config read.
    /// - Throws: ``AdapterError`` (see ``read(from:dtypes:)`` and ``LoadedAdapter/applied(to:)``);
    ///   `layers` is then unchanged.
    @discardableResult
    public static func load<Base: LoRABase>(from directory: URL, into layers: inout [String: LoRALinear<Base>],
                                            dtypes: Set<SafetensorsDType> = Set(SafetensorsDType.allCases),
                                            allowNonFinite: Bool = false) throws(AdapterError) -> AdapterConfig {
        let adapter = try read(from: directory, dtypes: dtypes, allowNonFinite: allowNonFinite)
        let replaced = try adapter.applied(to: layers.keys.sorted().map { ($0, layers[$0]! as any AdaptedLayer<Base.Scalar>) })
        // A LoRALinear's replacingAdapter returns a LoRALinear over the same base type.
        layers = replaced.mapValues { $0 as! LoRALinear<Base> }  // commit only after everything validated
        return adapter.config
    }
}
