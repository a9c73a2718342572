extension TokenizerJSONReading {
    static let byteLevelFields: Set<String> = ["type", "add_prefix_space", "trim_offsets", "use_regex"]

    /// `pre_tokenizer`: its steps, flattened out of `Sequence`s, the last one `ByteLevel`.
    static func preTokenizer(_ value: HeaderJSON) throws(TokenizerError) -> PreTokenizer {
        var steps: [PreTokenizer.Step] = []
        try appendSteps(value, path: "pre_tokenizer", to: &steps)
        guard steps.last.map(PreTokenizer.isByteLevel) == true, steps.dropLast().allSatisfy({ !PreTokenizer.isByteLevel($0) }) else {
            throw TokenizerError(kind: .unsupported, field: "pre_tokenizer",
                                 problem: "a byte-level tokenizer's pre-tokenizer ends with its only ByteLevel step",
                                 found: steps.map(stepName).joined(separator: ", "))
        }
        return PreTokenizer(steps: steps)
    }

    private static func stepName(_ step: PreTokenizer.Step) -> String {
        switch step {
        case .split: "Split"
        case .digits: "Digits"
        case .byteLevel: "ByteLevel"
        }
    }

    private static func appendSteps(_ value: HeaderJSON, path: String, to steps: inout [PreTokenizer.Step]) throws(TokenizerError) {
        let object = try TokenizerJSONObject(value, path: path)
        let type = try object.type()
        switch type {
        case "Sequence":
            try object.requireOnly(["type", "pretokenizers"], what: "a Sequence pre-tokenizer")
            for (index, item) in (try object.array("pretokenizers") ?? []).enumerated() {
                try appendSteps(item, path: "\(path).pretokenizers[\(index)]", to: &steps)
            }
        case "ByteLevel":
            try object.requireOnly(byteLevelFields, what: "the ByteLevel pre-tokenizer")
            steps.append(.byteLevel(addPrefixSpace: try object.bool("add_prefix_space", default: true),
                                    useRegex: try object.bool("use_regex", default: true)))
        case "Digits":
            try object.requireOnly(["type", "individual_digits"], what: "the Digits pre-tokenizer")
            steps.append(.digits(individual: try object.bool("individual_digits", default: false)))
        case "Split":
            try object.requireOnly(["type", "pattern", "behavior", "invert"], what: "the Split pre-tokenizer")
            steps.append(.split(try splitPattern(object)))
        default:
            throw TokenizerError(kind: .unsupported, field: object.field("type"), problem: "this package has no such pre-tokenizer", found: quote(type))
        }
    }

    /// A `Split`'s pattern, which must be a regex this package scans, isolated and not inverted.
    private static func splitPattern(_ object: TokenizerJSONObject) throws(TokenizerError) -> SplitPattern {
        let behavior = try object.string("behavior")
        guard behavior == "Isolated" else {
            throw TokenizerError(kind: .unsupported, field: object.field("behavior"), problem: "only the Isolated behaviour is supported", found: behavior.map(quote) ?? "nothing")
        }
        if try object.bool("invert", default: false) {
            throw TokenizerError(kind: .unsupported, field: object.field("invert"), problem: "an inverted Split is not supported", found: "true")
        }
        let pattern = try TokenizerJSONObject(object.required("pattern"), path: object.field("pattern"))
        if let literal = try pattern.string("String") {
            throw TokenizerError(kind: .unsupported, field: pattern.field("String"), problem: "a Split on a literal string is not supported", found: quote(literal))
        }
        try pattern.requireOnly(["Regex"], what: "a Split pattern")
        guard let regex = try pattern.string("Regex") else {
            throw TokenizerError(kind: .missingField, field: pattern.field("Regex"), problem: "the field is missing")
        }
        guard let known = SplitPattern(regex: regex) else {
            throw TokenizerError(kind: .unknownPattern, field: pattern.field("Regex"),
                                 problem: "not one of the regexes this package scans (GPT-2's, Llama 3's, Qwen 2's)", found: quote(regex))
        }
        return known
    }

    /// `decoder`: must be `ByteLevel`.
    static func checkDecoder(_ value: HeaderJSON?) throws(TokenizerError) {
        guard let value else {
            throw TokenizerError(kind: .unsupported, field: "decoder", problem: "a byte-level tokenizer decodes with the ByteLevel decoder", found: "null")
        }
        let object = try TokenizerJSONObject(value, path: "decoder")
        let type = try object.type()
        guard type == "ByteLevel" else {
            throw TokenizerError(kind: .unsupported, field: "decoder.type", problem: "this package has only the ByteLevel decoder", found: quote(type))
        }
        try object.requireOnly(byteLevelFields, what: "the ByteLevel decoder")
    }

    /// `post_processor`: the template `encode` applies (none for null or `ByteLevel`).
    static func template(_ value: HeaderJSON?) throws(TokenizerError) -> PostProcessorTemplate {
        guard let value else { return .none }
        var templates: [PostProcessorTemplate] = []
        try appendTemplates(value, path: "post_processor", to: &templates)
        guard templates.count <= 1 else {
            throw TokenizerError(kind: .unsupported, field: "post_processor", problem: "more than one TemplateProcessing", found: "\(templates.count)")
        }
        return templates.first ?? .none
    }

    private static func appendTemplates(_ value: HeaderJSON, path: String, to templates: inout [PostProcessorTemplate]) throws(TokenizerError) {
        let object = try TokenizerJSONObject(value, path: path)
        let type = try object.type()
        switch type {
        case "Sequence":
            try object.requireOnly(["type", "processors"], what: "a Sequence post-processor")
            for (index, item) in (try object.array("processors") ?? []).enumerated() {
                try appendTemplates(item, path: "\(path).processors[\(index)]", to: &templates)
            }
        case "ByteLevel":
            try object.requireOnly(byteLevelFields, what: "the ByteLevel post-processor")
        case "TemplateProcessing":
            try object.requireOnly(["type", "single", "pair", "special_tokens"], what: "TemplateProcessing")
            templates.append(try templateProcessing(object))
        default:
            throw TokenizerError(kind: .unsupported, field: object.field("type"), problem: "this package has no such post-processor", found: quote(type))
        }
    }

    /// `TemplateProcessing`'s `single` template with the ids of its special tokens. (`pair` is
    /// checked to be a template too; this package encodes single texts only.)
    private static func templateProcessing(_ object: TokenizerJSONObject) throws(TokenizerError) -> PostProcessorTemplate {
        let specials = try TokenizerJSONObject(object.required("special_tokens"), path: object.field("special_tokens"))
        func items(_ key: String, sequences: Set<String>) throws(TokenizerError) -> [PostProcessorTemplate.Item] {
            guard let list = try object.array(key) else {
                throw TokenizerError(kind: .missingField, field: object.field(key), problem: "the field is missing")
            }
            var out: [PostProcessorTemplate.Item] = []
            for (index, element) in list.enumerated() {
                let item = try TokenizerJSONObject(element, path: "\(object.field(key))[\(index)]")
                try item.requireOnly(["SpecialToken", "Sequence"], what: "a template item")
                if let value = item.value("SpecialToken") {
                    let special = try TokenizerJSONObject(value, path: item.field("SpecialToken"))
                    guard let name = try special.string("id") else {
                        throw TokenizerError(kind: .missingField, field: special.field("id"), problem: "the field is missing")
                    }
                    let entry = try TokenizerJSONObject(specials.required(name), path: specials.field(name))
                    var ids: [Int] = []
                    for (k, id) in (try entry.array("ids") ?? []).enumerated() {
                        guard let n = id.nonNegativeInt else { throw entry.wrongType("ids[\(k)]", "a non-negative integer", id) }
                        ids.append(n)
                    }
                    out.append(.special(name: name, ids: ids))
                } else if let value = item.value("Sequence") {
                    let sequence = try TokenizerJSONObject(value, path: item.field("Sequence"))
                    let id = try sequence.string("id") ?? ""
                    guard sequences.contains(id) else {
                        throw TokenizerError(kind: .invalidField, field: sequence.field("id"), problem: "expected \(sequences.sorted().joined(separator: " or "))", found: quote(id))
                    }
                    out.append(.sequence)
                } else {
                    throw TokenizerError(kind: .invalidField, field: item.path, problem: "expected SpecialToken or Sequence")
                }
            }
            return out
        }
        let single = try items("single", sequences: ["A"])
        if object.value("pair") != nil { _ = try items("pair", sequences: ["A", "B"]) }
        return PostProcessorTemplate(items: single)
    }
}
