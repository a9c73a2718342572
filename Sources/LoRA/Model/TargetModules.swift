/// Which modules get an adapter: PEFT's `target_modules`.
///
/// ```
/// .names(["q_proj", "v_proj"])   name == item  or  name ends with "." + item   (whole components)
/// .pattern("layers\\.0\\..*")     the regex must match the WHOLE name (Python's re.fullmatch)
/// .allLinear                     every linear layer except the output head (PEFT's "all-linear")
/// ```
/// "proj" does not match `layers.0.self_attn.q_proj`: the suffix must start after a dot.
/// The seed article writes `["all_linear"]` (underscore, in a list): that is an ordinary name
/// which matches nothing, so injection throws ``TargetModuleError/noMatch(targets:excluded:availableModules:)``.
public enum TargetModules: Sendable, Equatable, CustomStringConvertible {
    /// A list of names or name suffixes.
    case names([String])
    /// One regular expression matched against the whole module name.
    case pattern(String)
    /// Every linear layer but the output head.
    case allLinear

    /// PEFT's single-string form: "all-linear" is special, any other string is a regex.
    public init(_ string: String) {
        self = string == "all-linear" ? .allLinear : .pattern(string)
    }

    public var description: String {
        switch self {
        case .names(let n): "[" + n.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .pattern(let p): "\"\(p)\""
        case .allLinear: "\"all-linear\""
        }
    }
}

/// Modules never adapted, checked before the targets: PEFT's `exclude_modules`.
///
/// A list matches an exact name or a "."-suffix; a string is a regex matched against the whole name.
public enum ExcludeModules: Sendable, Equatable, CustomStringConvertible {
    /// Names or name suffixes.
    case names([String])
    /// One regex matched against the whole module name.
    case pattern(String)

    public var description: String {
        switch self {
        case .names(let n): "[" + n.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case .pattern(let p): "\"\(p)\""
        }
    }
}

/// What can go wrong when choosing modules to adapt.
public enum TargetModuleError: Error, Equatable, CustomStringConvertible {
    /// Nothing matched (after exclusions); lists every module name of the model.
    case noMatch(targets: String, excluded: String?, availableModules: [String])
    /// A target or exclude string is not a valid regular expression.
    case invalidPattern(String, reason: String)
    /// A matched module is not a linear layer (LoRA here adapts linear layers only).
    case unsupportedModule(String)
    /// A matched layer already carries an adapter.
    case alreadyAdapted(String)
    /// The targets name the output head of a model whose head is its token embedding
    /// (`tie_word_embeddings`): PEFT adapts that shared layer, this package refuses it.
    case tiedOutputHead(String)

    public var description: String {
        switch self {
        case .noMatch(let targets, let excluded, let available):
            "target modules \(targets) not found in the base model"
                + (excluded.map { " (after excluding \($0))" } ?? "")
                + "; its modules are: " + available.joined(separator: ", ")
        case .invalidPattern(let p, let reason): "target/exclude pattern \"\(p)\" is not a valid regular expression: \(reason)"
        case .unsupportedModule(let name):
            "target module '\(name)' is not supported: only linear layers can take a LoRA adapter"
        case .alreadyAdapted(let name): "module '\(name)' already has a LoRA adapter"
        case .tiedOutputHead(let name):
            "target module '\(name)' is the output head of a model with tie_word_embeddings, whose weight is embed_tokens': "
                + "PEFT adapts it, this package does not (an adapter there changes what merging does to the embedding); "
                + "leave '\(name)' out of the targets, or untie the head first"
        }
    }
}

/// PEFT's matching rules as pure functions of names.
public enum TargetModuleMatcher {
    /// `name` equals `item` or ends with "." + `item`.
    public static func matchesSuffix(_ name: String, _ item: String) -> Bool {
        name == item || name.hasSuffix("." + item)
    }

    /// Whether the regex `pattern` matches all of `name`.
    /// - Throws: ``TargetModuleError/invalidPattern(_:reason:)``.
    public static func fullMatch(_ name: String, pattern: String) throws -> Bool {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch {
            throw TargetModuleError.invalidPattern(pattern, reason: "\(error)")
        }
        return (try? regex.wholeMatch(in: name)) != nil
    }

    /// Whether `exclude` removes `name`.
    public static func isExcluded(_ name: String, by exclude: ExcludeModules?) throws -> Bool {
        switch exclude {
        case nil: false
        case .names(let items)?: items.contains { matchesSuffix(name, $0) }
        case .pattern(let p)?: try fullMatch(name, pattern: p)
        }
    }

    /// The modules to adapt, in module order.
    ///
    /// Order of checks, as in PEFT: exclusion first, then the targets; "all-linear" means
    /// `linearNames` minus `outputLayerName`. A matched module that is not linear is an error.
    /// - Parameters:
    ///   - targets: the modules to adapt (PEFT's `target_modules`).
    ///   - exclude: modules never adapted, checked first (PEFT's `exclude_modules`).
    ///   - moduleNames: every module path of the model (containers included).
    ///   - linearNames: the paths of its linear layers.
    ///   - outputLayerName: the output head ("lm_head"), left out of "all-linear".
    /// - Throws: ``TargetModuleError`` when a pattern is invalid, a match is not linear, or nothing matches.
    public static func resolve(
        targets: TargetModules, exclude: ExcludeModules? = nil,
        moduleNames: [String], linearNames: [String], outputLayerName: String
    ) throws -> [String] {
        // Validate patterns even when no name reaches them.
        if case .pattern(let p) = targets { _ = try fullMatch("", pattern: p) }
        if case .pattern(let p)? = exclude { _ = try fullMatch("", pattern: p) }
        let linear = Set(linearNames)
        var matched: [String] = []
        for name in moduleNames {
            if try isExcluded(name, by: exclude) { continue }
            let hit: Bool
            switch targets {
            case .names(let items): hit = items.contains { matchesSuffix(name, $0) }
            case .pattern(let p): hit = try fullMatch(name, pattern: p)
            case .allLinear: hit = linear.contains(name) && name != outputLayerName
            }
            guard hit else { continue }
            guard linear.contains(name) else { throw TargetModuleError.unsupportedModule(name) }
            matched.append(name)
        }
        guard !matched.isEmpty else {
            throw TargetModuleError.noMatch(targets: targets.description, excluded: exclude?.description, availableModules: moduleNames)
        }
        return matched
    }
}

// MARK: - JSON (adapter_config.json)

/// In `adapter_config.json` PEFT writes `target_modules` as a list of strings or one string;
/// the string "all-linear" is the special value, any other string a regex.
extension TargetModules: Codable {
    public init(from decoder: any Decoder) throws {
        switch try ListOrString(from: decoder, for: TargetModules.self) {
        case .list(let list): self = .names(list)
        case .string(let text): self = TargetModules(text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .names(let list): try ListOrString.list(list).encode(to: encoder)
        case .pattern(let text): try ListOrString.string(text).encode(to: encoder)
        case .allLinear: try ListOrString.string("all-linear").encode(to: encoder)
        }
    }
}

/// `exclude_modules` in JSON: a list of strings or one regex string.
extension ExcludeModules: Codable {
    public init(from decoder: any Decoder) throws {
        switch try ListOrString(from: decoder, for: ExcludeModules.self) {
        case .list(let list): self = .names(list)
        case .string(let text): self = .pattern(text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .names(let list): try ListOrString.list(list).encode(to: encoder)
        case .pattern(let text): try ListOrString.string(text).encode(to: encoder)
        }
    }
}

/// The JSON shape both fields share: a list of strings or one string.
private enum ListOrString {
    case list([String])
    case string(String)

    init<Target>(from decoder: any Decoder, for _: Target.Type) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            self = .list(list)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            throw DecodingError.typeMismatch(
                Target.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a list of strings or a string"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .list(let list): try container.encode(list)
        case .string(let text): try container.encode(text)
        }
    }
}

extension TargetModuleMatcher {
    /// Whether `targets` selects the linear layer `name` (already known to be linear and not the
    /// output head, e.g. because an adapter file holds LoRA tensors for it).
    /// - Throws: ``TargetModuleError/invalidPattern(_:reason:)``.
    public static func selects(_ name: String, targets: TargetModules) throws -> Bool {
        switch targets {
        case .names(let items): items.contains { matchesSuffix(name, $0) }
        case .pattern(let p): try fullMatch(name, pattern: p)
        case .allLinear: true
        }
    }
}
