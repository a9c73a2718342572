import Foundation

/// Decoding `adapter_config.json` with messages that name the field, the JSON type expected and
/// the value found.
///
/// ```
/// {"r": 4.5}               field 'r': not a whole number: expected an integer, found the number 4.5
/// {"r": 1e30}              field 'r': too large for an integer: expected an integer, found the number 1e30
/// {"target_modules": 5}    field 'target_modules': wrong type: expected a list of strings or a string, found the number 5
/// {"r": 8,                 not valid JSON (expected a value at byte 6)
/// ```
/// The bytes are first parsed by the package's strict JSON parser (so "not valid JSON" is said
/// only of text that is not JSON); `JSONDecoder` then maps the fields, and its errors are
/// rephrased using the value actually present at the failing path.
extension AdapterConfig {
    /// Decodes the JSON bytes of an adapter config; `fileName` is used in messages.
    /// - Throws: ``AdapterError/Kind/invalidConfig`` naming the field, what was expected and what was found.
    public static func decode(_ data: Data, fileName: String) throws(AdapterError) -> AdapterConfig {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw AdapterError(file: fileName, kind: .invalidConfig, problem: "not valid JSON (the file is not UTF-8 text)")
        }
        let tree: HeaderJSON
        do {
            tree = try HeaderJSONParser.parse(bytes)
        } catch {
            throw AdapterError(file: fileName, kind: .invalidConfig, problem: "not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object = tree else {
            throw AdapterError(file: fileName, kind: .invalidConfig, problem: "not a JSON object",
                               expected: "an object such as {\"r\": 8, …}", found: Self.describe(tree))
        }
        try checkListItems(in: tree, fileName: fileName)
        var config: AdapterConfig
        do {
            config = try JSONDecoder().decode(AdapterConfig.self, from: data)
        } catch let error as DecodingError {
            throw AdapterError(decoding: error, fileName: fileName, json: tree)
        } catch {
            throw AdapterError(file: fileName, kind: .invalidConfig, problem: "not a valid config (\(error))")
        }
        try config.readOrderedFields(of: tree, fileName: fileName)
        return config
    }

    /// Every item of a list-valued field must be a string; names the first that is not
    /// (`target_modules[1]`), which the list types' own decoders cannot.
    static func checkListItems(in tree: HeaderJSON, fileName: String) throws(AdapterError) {
        guard case .object(let members) = tree else { return }
        for (key, value) in members where ["target_modules", "exclude_modules", "modules_to_save"].contains(key) {
            guard case .array(let items) = value else { continue }
            for (i, item) in items.enumerated() {
                if case .string = item { continue }
                throw AdapterError(file: fileName, subject: "\(key)[\(i)]", kind: .invalidConfig, problem: "wrong type",
                                   expected: "a string", found: describe(item))
            }
        }
    }

    /// What each field must hold, in words.
    static let expectedType: [String: String] = [
        "peft_type": "a string", "r": "an integer", "lora_alpha": "a number", "lora_dropout": "a number",
        "target_modules": "a list of strings or a string", "exclude_modules": "a list of strings or a string",
        "bias": "a string", "use_rslora": "true or false", "init_lora_weights": "true, false or a string",
        "fan_in_fan_out": "true or false", "task_type": "a string or null", "inference_mode": "true or false",
        "base_model_name_or_path": "a string or null", "modules_to_save": "a list of strings or null",
    ]

    /// A JSON value for a message: `the number 4.5`, `the string "16"`, `a list`, `null`.
    static func describe(_ value: HeaderJSON) -> String {
        switch value {
        case .number(let text): return "the number \(text)"
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "the string \"\(shown)\""
        case .bool(let b): return "\(b)"
        case .null: return "null"
        case .array(let items): return "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .object: return "an object"
        }
    }

    /// The value at `path` in `tree` (object keys and array indices), or nil.
    static func value(at path: [any CodingKey], in tree: HeaderJSON) -> HeaderJSON? {
        var node = tree
        for key in path {
            switch node {
            case .object(let members):
                guard let next = members.last(where: { $0.key == key.stringValue })?.value else { return nil }
                node = next
            case .array(let items):
                guard let i = key.intValue, items.indices.contains(i) else { return nil }
                node = items[i]
            default:
                return nil
            }
        }
        return node
    }
}

extension AdapterError {
    /// Turns a `DecodingError` into a message naming the config field, the JSON type expected and
    /// the value found in `json` (the parsed file).
    init(decoding error: DecodingError, fileName: String, json: HeaderJSON) {
        func field(_ path: [any CodingKey]) -> String? {
            guard !path.isEmpty else { return nil }
            var text = ""
            for key in path {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        func expected(_ path: [any CodingKey], _ type: Any.Type?) -> String {
            if path.count == 1, let known = AdapterConfig.expectedType[path[0].stringValue] { return known }
            if path.count == 2, path[1].intValue != nil { return "a string" }  // an item of a list of strings
            return type.map(Self.jsonTypeName) ?? "a valid value"
        }
        func found(_ path: [any CodingKey]) -> String {
            AdapterConfig.value(at: path, in: json).map(AdapterConfig.describe) ?? "no value"
        }
        func problem(_ path: [any CodingKey], _ type: Any.Type?) -> String {
            // A number where an integer belongs: say what is wrong with it.
            guard case .number(let text)? = AdapterConfig.value(at: path, in: json), let d = Double(text) else {
                return type == nil ? "invalid value" : "wrong type"
            }
            guard expected(path, type) == "an integer" else { return expected(path, type) == "a number" ? "out of range" : "wrong type" }
            if d.rounded() != d { return "not a whole number" }
            if abs(d) >= 0x1p63 { return "too large for an integer" }
            return "not written as an integer"
        }
        switch error {
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            let path = context.codingPath
            self.init(file: fileName, subject: field(path), kind: .invalidConfig,
                      problem: problem(path, type), expected: expected(path, type), found: found(path))
        case let .keyNotFound(key, context):
            self.init(file: fileName, subject: field(context.codingPath + [key]), kind: .invalidConfig, problem: "missing")
        case let .dataCorrupted(context):
            let path = context.codingPath
            self.init(file: fileName, subject: field(path), kind: .invalidConfig,
                      problem: problem(path, nil), expected: expected(path, nil), found: found(path))
        @unknown default:
            self.init(file: fileName, kind: .invalidConfig, problem: "\(error)")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is [String].Type: "a list of strings"
        case is TargetModules.Type, is ExcludeModules.Type: "a list of strings or a string"
        case is LoRAWeightInitSetting.Type: "true, false or a string"
        default: "\(type)"
        }
    }
}

extension KeyedDecodingContainer {
    /// A number field, or nil when absent. A number that does not fit `T` (r = 4.5, r = 1e30)
    /// becomes a type mismatch at this key, which ``AdapterError`` turns into a message naming
    /// the field; `JSONDecoder` itself reports it as "not valid JSON" without the key.
    func decodeNumberIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        do {
            return try decodeIfPresent(T.self, forKey: key)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error else { throw error }
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: context.debugDescription))
        } catch {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "\(error)"))
        }
    }
}
