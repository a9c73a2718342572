import Foundation

/// One entry of PEFT's `rank_pattern` or `alpha_pattern`: a key matched against module paths
/// and the value it gives the modules it matches.
public struct PatternEntry<Value: Equatable & Sendable>: Equatable, Sendable {
    /// The key as written in `adapter_config.json` (a module name, a path, or a regex).
    public var key: String
    /// The rank or α for the modules it matches.
    public var value: Value

    /// An entry.
    public init(key: String, value: Value) {
        self.key = key
        self.value = value
    }
}

/// A number written as an integer when it is whole (PEFT writes `lora_alpha: 32`, not `32.0`).
struct JSONNumber: Encodable {
    let value: Double
    init(_ value: Double) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if value.rounded() == value, abs(value) < 1e15 { try c.encode(Int(value)) } else { try c.encode(value) }
    }
}

extension AdapterConfig {
    /// The value the first matching key of `pattern` gives the module at `path`, or nil.
    ///
    /// PEFT's rule (`peft/tuners/lora/model.py`, `get_pattern_key`): a key matches a path when
    /// the path matches the regular expression `(.*\.)?(key)$` from its start; keys are tried
    /// in the file's order and the first match wins. Keys are evaluated by `ModuleKeyPattern`,
    /// which never gives up on a key; a key it cannot compile (refused when a config is read)
    /// matches nothing here. Compiles every key on each call: loaders use `CompiledPatterns`.
    public static func patternValue<Value>(_ pattern: [PatternEntry<Value>], for path: String) -> Value? {
        pattern.first { entry in (try? ModuleKeyPattern(entry.key))?.matches(path) ?? false }?.value
    }

    /// Reads `rank_pattern` and `alpha_pattern` keeping the file's key order (which decides
    /// the first match), and applies ``fieldPolicy`` to every key.
    mutating func readOrderedFields(of tree: HeaderJSON, fileName: String) throws(AdapterError) {
        guard case .object(let fields) = tree else { return }
        func invalid(_ field: String, _ expected: String, _ found: String) -> AdapterError {
            AdapterError(file: fileName, subject: field, kind: .invalidConfig, problem: "invalid value", expected: expected, found: found)
        }
        for (key, value) in fields {
            switch key {
            case CodingKeys.rankPattern.rawValue, CodingKeys.alphaPattern.rawValue:
                if case .null = value { continue }
                guard case .object(let entries) = value else { throw invalid(key, "an object of module keys to numbers", value.typeName) }
                for (pattern, number) in entries {
                    do {
                        _ = try ModuleKeyPattern(pattern)
                    } catch {
                        throw invalid(key + "." + pattern, "a regular expression this package can evaluate (Python's re syntax without "
                                      + "back-references, look-arounds or flags)", "\"\(String(pattern.prefix(200)))\": \(error.reason)")
                    }
                    if key == CodingKeys.rankPattern.rawValue {
                        guard let r = number.nonNegativeInt, r > 0 else { throw invalid(key + "." + pattern, "a positive integer", number.typeName) }
                        rankPattern.append(PatternEntry(key: pattern, value: r))
                    } else {
                        guard case .number(let text) = number, let alpha = Double(text), alpha > 0, alpha.isFinite else {
                            throw invalid(key + "." + pattern, "a positive number", number.typeName)
                        }
                        alphaPattern.append(PatternEntry(key: pattern, value: alpha))
                    }
                }
            default:
                try Self.checkField(key, value, fileName: fileName)
            }
        }
    }
}

/// `rank_pattern` and `alpha_pattern` with every key compiled once (a load looks up every
/// module in both).
struct CompiledPatterns: Sendable {
    private var ranks: [(key: ModuleKeyPattern, value: Int)] = []
    private var alphas: [(key: ModuleKeyPattern, value: Double)] = []

    /// Compiles the keys of `config`'s patterns.
    /// - Throws: ``AdapterError/Kind/invalidConfig`` naming a key that cannot be evaluated.
    init(_ config: AdapterConfig) throws(AdapterError) {
        func compile(_ key: String, field: String) throws(AdapterError) -> ModuleKeyPattern {
            do {
                return try ModuleKeyPattern(key)
            } catch {
                throw AdapterError(file: AdapterConfig.fileName, subject: field + "." + String(key.prefix(200)), kind: .invalidConfig,
                                   problem: "this key cannot be evaluated (\(error.reason))")
            }
        }
        for entry in config.rankPattern { ranks.append((try compile(entry.key, field: "rank_pattern"), entry.value)) }
        for entry in config.alphaPattern { alphas.append((try compile(entry.key, field: "alpha_pattern"), entry.value)) }
    }

    /// The rank the first matching `rank_pattern` key gives `path`, or nil.
    func rank(for path: String) -> Int? {
        let scalars = Array(path.unicodeScalars)
        return ranks.first { $0.key.matches(scalars: scalars) }?.value
    }

    /// The α the first matching `alpha_pattern` key gives `path`, or nil.
    func alpha(for path: String) -> Double? {
        let scalars = Array(path.unicodeScalars)
        return alphas.first { $0.key.matches(scalars: scalars) }?.value
    }

    /// Whether these were compiled from `config`'s current patterns.
    func areCompiled(from config: AdapterConfig) -> Bool {
        ranks.map { PatternEntry(key: $0.key.key, value: $0.value) } == config.rankPattern
            && alphas.map { PatternEntry(key: $0.key.key, value: $0.value) } == config.alphaPattern
    }
}
