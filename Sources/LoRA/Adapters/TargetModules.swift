import Foundation

/// PEFT's `target_modules` / `exclude_modules`: a list of names or one regular expression.
///
/// ```
/// .names(["q_proj", "v_proj"])   matches "layers.0.attn.q_proj"  (equal, or ends with "." + item)
/// .pattern(".*\\.(q|v)_proj")    matches when the regex matches the WHOLE name
/// .pattern("all-linear")         every linear layer except the output head (resolved by the model)
/// ```
/// In JSON it is a list of strings or a single string, as PEFT writes it.
public enum TargetModules: Equatable, Sendable, Codable {
    /// Module names or name suffixes on component boundaries.
    case names([String])
    /// A regular expression matched against the whole module name.
    case pattern(String)

    /// Whether module `name` is selected. (`"all-linear"` selects every name here: only the
    /// model knows which modules are linear and which one is the head.)
    public func matches(_ name: String) -> Bool {
        switch self {
        case .names(let items):
            return items.contains { name == $0 || name.hasSuffix("." + $0) }
        case .pattern("all-linear"):
            return true
        case .pattern(let regex):
            guard let expression = try? NSRegularExpression(pattern: "^(?:" + regex + ")$") else { return false }
            let range = NSRange(name.startIndex..., in: name)
            return expression.firstMatch(in: name, range: range) != nil
        }
    }

    /// Decodes the JSON form described above.

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            self = .names(list)
        } else if let text = try? container.decode(String.self) {
            self = .pattern(text)
        } else {
            throw DecodingError.typeMismatch(
                TargetModules.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a list of strings or a string"))
        }
    }

    /// Encodes the JSON form described above.

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .names(let list): try container.encode(list)
        case .pattern(let text): try container.encode(text)
        }
    }
}

/// PEFT's `init_lora_weights`: `true`, `false`, or the name of a scheme (`"gaussian"`, `"pissa"`, …).
public enum LoRAWeightInitSetting: Equatable, Sendable, Codable {
    /// `true` (PEFT's default: Kaiming-uniform A, zero B) or `false` (random B; PEFT tests only).
    case flag(Bool)
    /// A named scheme.
    case scheme(String)

    /// Decodes the JSON form described above.

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let name = try? container.decode(String.self) {
            self = .scheme(name)
        } else {
            throw DecodingError.typeMismatch(
                LoRAWeightInitSetting.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected true, false or a string"))
        }
    }

    /// Encodes the JSON form described above.

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .flag(let flag): try container.encode(flag)
        case .scheme(let name): try container.encode(name)
        }
    }
}
