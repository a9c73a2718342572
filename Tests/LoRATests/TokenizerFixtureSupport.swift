import Foundation
import LoRA

/// The tokenizer fixtures (Tests/LoRATests/Fixtures/tokenizer, written by `make_fixtures.py`
/// with Hugging Face `tokenizers`): the files, the test texts, and what `tokenizers` gave.
enum TokenizerFixtures {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tokenizer")

    /// What `tokenizers` gave for one text.
    struct Case {
        var ids: [Int]
        var idsWithoutSpecial: [Int]
        var decoded: String
        var decodedSkippingSpecial: String
        var eachIDDecoded: [String]?
    }

    /// expected.json, parsed once.
    nonisolated(unsafe) static let expected: [String: Any] = {
        let data = try! Data(contentsOf: root.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static var texts: [String] { expected["texts"] as! [String] }

    /// The texts of the small hand-made vocabularies (`unknown_bytes*`).
    static var smallTexts: [String] { expected["small_texts"] as! [String] }

    /// `tokenizers`' splits of every text by the named regex (gpt2, llama3, qwen2).
    static func splits(_ pattern: String) -> [[String]] {
        (expected["splits"] as! [String: Any])[pattern] as! [[String]]
    }

    /// `tokenizers`' results for every text with the named fixture tokenizer.
    static func cases(_ name: String) -> [Case] {
        let all = (expected["tokenizers"] as! [String: Any])[name] as! [[String: Any]]
        return all.map { c in
            Case(ids: c["ids"] as! [Int], idsWithoutSpecial: c["ids_without_special"] as! [Int],
                 decoded: c["decoded"] as! String, decodedSkippingSpecial: c["decoded_skipping_special"] as! String,
                 eachIDDecoded: c["each_id_decoded"] as? [String])
        }
    }

    /// The fixture's tokenizer.json bytes.
    static func json(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(name).appendingPathComponent("tokenizer.json")))
    }

    /// The fixture's tokenizer.json as a mutable dictionary (for the refusal tests).
    static func dictionary(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(json(name))) as! [String: Any]
    }

    /// `object` as tokenizer.json bytes.
    static func bytes(_ object: [String: Any]) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object))
    }
}
