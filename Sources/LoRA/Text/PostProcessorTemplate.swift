/// What `encode` puts around the text's ids when special tokens are asked for: the `single`
/// template of a `TemplateProcessing` post-processor (Llama 3: `<|begin_of_text|> $A`), or
/// nothing (no post-processor, or `ByteLevel`, which changes only offsets).
public struct PostProcessorTemplate: Sendable, Equatable {
    /// One item of the template.
    public enum Item: Sendable, Equatable {
        /// A special token's ids (one token, or several when the template says so).
        case special(name: String, ids: [Int])
        /// The text's own ids (`$A`).
        case sequence
    }

    /// The items, in order.
    public var items: [Item]

    /// A template of `items`.
    public init(items: [Item]) { self.items = items }

    /// The text alone: no special tokens added.
    public static let none = PostProcessorTemplate(items: [.sequence])

    /// The ids of the text's `ids` with the template's special tokens around them.
    public func apply(to ids: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(ids.count + items.count)
        for item in items {
            switch item {
            case .special(_, let specialIDs): out.append(contentsOf: specialIDs)
            case .sequence: out.append(contentsOf: ids)
            }
        }
        return out
    }

    /// The name of the special token before the text, if the template starts with exactly one (a BOS).
    public var leadingSpecialToken: String? {
        guard case .special(let name, let ids)? = items.first, ids.count == 1 else { return nil }
        return name
    }
}
