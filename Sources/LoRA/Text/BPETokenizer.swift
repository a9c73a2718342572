/// A byte-level BPE tokenizer (GPT-2, Llama 3, SmolLM2, Qwen 2): text to token ids and back,
/// giving the ids Hugging Face `tokenizers` gives for the same `tokenizer.json`.
///
/// ```
/// text ─ added tokens found ─→ pieces ─ pre-tokenizer ─→ words ─ UTF-8 bytes, one token each ─
///      ─ merges by rank ─→ ids ─ template (BOS) ─→ ids
/// ids ─ tokens ─ table characters back to bytes ─ UTF-8 (bad bytes → U+FFFD) ─→ text
/// ```
/// Read one with ``init(contentsOf:)`` or ``init(json:)``; write the package's own byte
/// vocabulary with ``ByteLevelVocabulary``.
public struct BPETokenizer: Sendable {
    /// How text is cut into words.
    public let preTokenizer: PreTokenizer
    /// The added tokens (special and not), in the file's order.
    public let addedTokens: [AddedToken]
    /// What ``encode(_:addingSpecialTokens:)`` puts around the text's ids.
    public let template: PostProcessorTemplate
    let model: BPEModel
    let matcher: AddedTokenMatcher
    /// Each id's token (added tokens win over the model's vocabulary), nil for unused ids.
    let tokensByID: [String?]
    let specialIDs: Set<Int>
    let addedIDsByContent: [String: Int]

    /// A tokenizer from its parts, checked against each other.
    /// - Parameters:
    ///   - vocabulary: token (written with ``ByteLevelAlphabet``) → id; ids distinct.
    ///   - merges: ranked pairs, rank 0 first; both halves and their join are in `vocabulary`.
    ///   - preTokenizer: how text is cut into words.
    ///   - addedTokens: tokens found whole in the text before pre-tokenization; ids distinct.
    ///   - template: what ``encode(_:addingSpecialTokens:)`` puts around the ids (a BOS).
    ///   - unknownToken: `unk_token`, for bytes without a token (nil: such bytes are dropped, as
    ///     `tokenizers` drops them).
    ///   - fuseUnknown: `fuse_unk`.
    ///   - ignoreMerges: `ignore_merges` (Llama 3): a word in the vocabulary is that one token.
    /// - Throws: ``TokenizerError`` of kind ``TokenizerError/Kind/inconsistentVocabulary`` naming
    ///   the merge, token or id at fault.
    public init(
        vocabulary: [String: Int], merges: [BPEMerge.Pair], preTokenizer: PreTokenizer,
        addedTokens: [AddedToken] = [], template: PostProcessorTemplate = .none,
        unknownToken: String? = nil, fuseUnknown: Bool = false, ignoreMerges: Bool = false
    ) throws(TokenizerError) {
        func inconsistent(_ field: String, _ problem: String) -> TokenizerError {
            TokenizerError(kind: .inconsistentVocabulary, field: field, problem: problem)
        }
        var tokensByID: [Int: String] = [:]
        for (token, id) in vocabulary {
            guard id >= 0, id <= Int(Int32.max) else { throw inconsistent("model.vocab", "the id of \(quote(token)) is \(id), not in 0…\(Int32.max)") }
            if let other = tokensByID.updateValue(token, forKey: id) {
                let (a, b) = other < token ? (other, token) : (token, other)
                throw inconsistent("model.vocab", "id \(id) is given to both \(quote(a)) and \(quote(b))")
            }
        }
        var mergeTable: [UInt64: BPEModel.Merge] = [:]
        mergeTable.reserveCapacity(merges.count)
        for (rank, pair) in merges.enumerated() {
            let field = "model.merges[\(rank)]"
            guard let left = vocabulary[pair.left] else { throw inconsistent(field, "the merge's left token \(quote(pair.left)) is not in the vocabulary") }
            guard let right = vocabulary[pair.right] else { throw inconsistent(field, "the merge's right token \(quote(pair.right)) is not in the vocabulary") }
            guard let result = vocabulary[pair.left + pair.right] else {
                throw inconsistent(field, "the merge of \(quote(pair.left)) and \(quote(pair.right)) makes \(quote(pair.left + pair.right)), which is not in the vocabulary")
            }
            let key = BPEModel.key(Int32(left), Int32(right))
            guard mergeTable[key] == nil else {
                throw inconsistent(field, "the merge \(quote(pair.left)) \(quote(pair.right)) is listed twice, first at rank \(mergeTable[key]!.rank)")
            }
            mergeTable[key] = .init(rank: Int32(rank), result: Int32(result))
        }
        var unknownID: Int?
        if let unknownToken {
            guard let id = vocabulary[unknownToken] else { throw inconsistent("model.unk_token", "\(quote(unknownToken)) is not in the vocabulary") }
            unknownID = id
        }
        var addedIDsByContent: [String: Int] = [:]
        var addedByID: [Int: String] = [:]
        for (index, token) in addedTokens.enumerated() {
            let field = "added_tokens[\(index)]"
            guard !token.content.isEmpty else { throw inconsistent(field, "an added token is empty") }
            guard token.id >= 0, token.id <= Int(Int32.max) else { throw inconsistent(field, "the id of \(quote(token.content)) is \(token.id), not in 0…\(Int32.max)") }
            if let other = addedByID.updateValue(token.content, forKey: token.id) {
                throw inconsistent(field, "id \(token.id) is given to both \(quote(other)) and \(quote(token.content))")
            }
            guard addedIDsByContent.updateValue(token.id, forKey: token.content) == nil else {
                throw inconsistent(field, "\(quote(token.content)) is added twice")
            }
            tokensByID[token.id] = token.content
        }
        for item in template.items {
            guard case .special(let name, let ids) = item else { continue }
            for id in ids where tokensByID[id] == nil {
                throw inconsistent("post_processor", "the template's special token \(quote(name)) has id \(id), which no token has")
            }
        }
        var byteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            if let id = vocabulary[String(Character(ByteLevelAlphabet.characters[byte]))] { byteIDs[byte] = Int32(id) }
        }
        var table = [String?](repeating: nil, count: (tokensByID.keys.max() ?? -1) + 1)
        for (id, token) in tokensByID { table[id] = token }

        self.preTokenizer = preTokenizer
        self.addedTokens = addedTokens
        self.template = template
        self.model = BPEModel(vocabulary: vocabulary, merges: mergeTable, byteIDs: byteIDs, unknownID: unknownID,
                              fuseUnknown: fuseUnknown, ignoreMerges: ignoreMerges)
        self.matcher = AddedTokenMatcher(addedTokens)
        self.tokensByID = table
        self.specialIDs = Set(addedTokens.filter(\.special).map(\.id))
        self.addedIDsByContent = addedIDsByContent
    }

    /// One more than the largest id (the size of an embedding table for this tokenizer).
    public var vocabularySize: Int { tokensByID.count }

    /// The id of `token` (an added token's content, or a vocabulary entry written with
    /// ``ByteLevelAlphabet``, e.g. `Ġthe`), or nil.
    public func id(of token: String) -> Int? {
        addedIDsByContent[token] ?? model.vocabulary[token]
    }

    /// The token with `id`, or nil when no token has it.
    public func token(for id: Int) -> String? {
        id >= 0 && id < tokensByID.count ? tokensByID[id] : nil
    }

    /// The special token the template puts before the text (Llama 3's `<|begin_of_text|>`), if any.
    public var beginningOfSequenceID: Int? {
        template.leadingSpecialToken.flatMap { addedIDsByContent[$0] ?? model.vocabulary[$0] }
    }

    /// The id of the special (added) token named `name`, e.g. `<|end_of_text|>`, or nil when
    /// no added token with the `special` flag has that content.
    public func specialTokenID(_ name: String) -> Int? {
        guard let id = addedIDsByContent[name], specialIDs.contains(id) else { return nil }
        return id
    }

    /// Whether `id` is a special token's.
    public func isSpecial(_ id: Int) -> Bool { specialIDs.contains(id) }
}

/// `s` in double quotes, for messages.
func quote(_ s: String) -> String { "\"\(s)\"" }
