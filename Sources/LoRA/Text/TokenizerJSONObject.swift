/// One JSON object of a `tokenizer.json`, read field by field: every accessor names the field
/// by its dotted path when it throws, and ``requireOnly(_:)`` refuses any field it does not know.
struct TokenizerJSONObject {
    /// The object's path from the top of the file (`""` for the file itself).
    let path: String
    private let members: [String: HeaderJSON]
    private let order: [String]

    /// The object `value` at `path`, or an ``TokenizerError/Kind/invalidField`` error.
    init(_ value: HeaderJSON, path: String) throws(TokenizerError) {
        guard case .object(let pairs) = value else {
            throw TokenizerError(kind: .invalidField, field: path.isEmpty ? nil : path, problem: "expected an object", found: value.typeName)
        }
        self.path = path
        members = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        order = pairs.map(\.key)
    }

    /// The path of the member `key`.
    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Refuses the first field not in `known`, by name (kind ``TokenizerError/Kind/unsupported``).
    func requireOnly(_ known: Set<String>, what: String) throws(TokenizerError) {
        if let extra = order.first(where: { !known.contains($0) }) {
            throw TokenizerError(kind: .unsupported, field: field(extra), problem: "\(what) has a field this package does not read")
        }
    }

    /// The member `key`, nil when absent or null.
    func value(_ key: String) -> HeaderJSON? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// The member `key`, which must be present and not null.
    func required(_ key: String) throws(TokenizerError) -> HeaderJSON {
        guard let value = value(key) else {
            throw TokenizerError(kind: .missingField, field: field(key), problem: "the field is missing")
        }
        return value
    }

    /// The string `key`, or nil when absent or null.
    func string(_ key: String) throws(TokenizerError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else { throw wrongType(key, "a string", value) }
        return s
    }

    /// The boolean `key`, or `default` when absent or null.
    func bool(_ key: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard case .bool(let b) = value else { throw wrongType(key, "true or false", value) }
        return b
    }

    /// The array `key`, or nil when absent or null.
    func array(_ key: String) throws(TokenizerError) -> [HeaderJSON]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(key, "an array", value) }
        return items
    }

    /// The non-negative integer `key`, which must be present.
    func index(_ key: String) throws(TokenizerError) -> Int {
        let value = try required(key)
        guard let n = value.nonNegativeInt else { throw wrongType(key, "a non-negative integer", value) }
        return n
    }

    /// The object `key` of non-negative integers (a vocabulary: token → id), which must be present.
    func idsByName(_ key: String) throws(TokenizerError) -> [String: Int] {
        let value = try required(key)
        guard case .object(let entries) = value else { throw wrongType(key, "an object of token → id", value) }
        var ids: [String: Int] = [:]
        ids.reserveCapacity(entries.count)
        for entry in entries {
            guard let id = entry.value.nonNegativeInt else {
                throw TokenizerError(kind: .invalidField, field: field(key), problem: "the id of \"\(entry.key)\" is not a non-negative integer", found: entry.value.typeName)
            }
            ids[entry.key] = id
        }
        return ids
    }

    /// The `type` field, which must be a string.
    func type() throws(TokenizerError) -> String {
        let value = try required("type")
        guard case .string(let s) = value else { throw wrongType("type", "a string", value) }
        return s
    }

    func wrongType(_ key: String, _ expected: String, _ value: HeaderJSON) -> TokenizerError {
        TokenizerError(kind: .invalidField, field: field(key), problem: "expected \(expected)", found: value.typeName)
    }
}
