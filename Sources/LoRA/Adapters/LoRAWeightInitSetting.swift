import Foundation

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
