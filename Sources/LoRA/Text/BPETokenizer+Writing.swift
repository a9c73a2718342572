import Foundation

extension BPETokenizer {
    /// The tokenizer as a `tokenizer.json` that Hugging Face `tokenizers` and this package both
    /// read: the same vocabulary, merges (`["a", "b"]` pairs, by rank), pre-tokenizer steps,
    /// added tokens and template. Vocabulary entries are written in id order, so the text is the
    /// same on every machine.
    public var json: String {
        var lines = ["{", "  \"version\": \"1.0\",", "  \"truncation\": null,", "  \"padding\": null,", "  \"added_tokens\": ["]
        for (index, token) in addedTokens.enumerated() {
            let comma = index + 1 < addedTokens.count ? "," : ""
            lines.append("    {\"id\": \(token.id), \"content\": \(jsonString(token.content)), \"single_word\": false, \"lstrip\": \(token.leftStrip), \"rstrip\": \(token.rightStrip), \"normalized\": \(token.normalized), \"special\": \(token.special)}\(comma)")
        }
        lines.append("  ],")
        lines.append("  \"normalizer\": null,")
        let steps = preTokenizer.steps.map(Self.stepJSON)
        lines.append("  \"pre_tokenizer\": " + (steps.count == 1 ? steps[0] : "{\"type\": \"Sequence\", \"pretokenizers\": [\(steps.joined(separator: ", "))]}") + ",")
        lines.append("  \"post_processor\": \(templateJSON),")
        lines.append("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},")
        lines.append("  \"model\": {")
        let unknown = model.unknownID.flatMap { id in model.vocabulary.first { $0.value == id }?.key }
        lines.append("    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": \(unknown.map(jsonString) ?? "null"), \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null,")
        lines.append("    \"fuse_unk\": \(model.fuseUnknown), \"byte_fallback\": false, \"ignore_merges\": \(model.ignoreMerges),")
        lines.append("    \"vocab\": {")
        let entries = model.vocabulary.sorted { $0.value < $1.value }
        for (index, entry) in entries.enumerated() {
            lines.append("      \(jsonString(entry.key)): \(entry.value)\(index + 1 < entries.count ? "," : "")")
        }
        lines.append("    },")
        let merges = mergePairs
        lines.append("    \"merges\": [" + (merges.isEmpty ? "]" : ""))
        for (index, pair) in merges.enumerated() {
            lines.append("      [\(jsonString(pair.left)), \(jsonString(pair.right))]\(index + 1 < merges.count ? "," : "")")
        }
        if !merges.isEmpty { lines.append("    ]") }
        lines.append("  }")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merges, rank 0 first.
    public var mergePairs: [BPEMerge.Pair] {
        var tokens = [Int: String]()
        for (token, id) in model.vocabulary { tokens[id] = token }
        return model.merges.sorted { $0.value.rank < $1.value.rank }.map { key, _ in
            BPEMerge.Pair(tokens[Int(key >> 32)]!, tokens[Int(key & 0xFFFF_FFFF)]!)
        }
    }

    /// Writes ``json`` to `url` atomically (a temporary file renamed into place).
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/io`` naming the path.
    public func write(to url: URL) throws(TokenizerError) {
        do {
            try AtomicFile.write(Array(json.utf8), to: url)
        } catch {
            throw TokenizerError(kind: .io, problem: error.problem, path: url.path)
        }
    }

    private static func stepJSON(_ step: PreTokenizer.Step) -> String {
        switch step {
        case .split(let pattern):
            "{\"type\": \"Split\", \"pattern\": {\"Regex\": \(jsonString(pattern.regex))}, \"behavior\": \"Isolated\", \"invert\": false}"
        case .digits(let individual):
            "{\"type\": \"Digits\", \"individual_digits\": \(individual)}"
        case .byteLevel(let addPrefixSpace, let useRegex):
            "{\"type\": \"ByteLevel\", \"add_prefix_space\": \(addPrefixSpace), \"trim_offsets\": true, \"use_regex\": \(useRegex)}"
        }
    }

    private var templateJSON: String {
        guard template.items.contains(where: { if case .special = $0 { true } else { false } }) else { return "null" }
        func items(_ typeID: Int, _ sequence: String) -> [String] {
            template.items.map { item in
                switch item {
                case .special(let name, _): "{\"SpecialToken\": {\"id\": \(jsonString(name)), \"type_id\": \(typeID)}}"
                case .sequence: "{\"Sequence\": {\"id\": \"\(sequence)\", \"type_id\": \(typeID)}}"
                }
            }
        }
        var specials: [String] = []
        var named = Set<String>()
        for case .special(let name, let ids) in template.items where named.insert(name).inserted {
            let tokens = ids.map { jsonString(token(for: $0) ?? "") }
            specials.append("\(jsonString(name)): {\"id\": \(jsonString(name)), \"ids\": [\(ids.map(String.init).joined(separator: ", "))], \"tokens\": [\(tokens.joined(separator: ", "))]}")
        }
        return "{\"type\": \"TemplateProcessing\", \"single\": [\(items(0, "A").joined(separator: ", "))], "
            + "\"pair\": [\((items(0, "A") + items(1, "B")).joined(separator: ", "))], "
            + "\"special_tokens\": {\(specials.joined(separator: ", "))}}"
    }
}

/// `s` as a JSON string literal.
func jsonString(_ s: String) -> String { ByteLevelVocabulary.string(s) }
