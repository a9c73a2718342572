extension BPETokenizer {
    /// The token ids of `text`.
    ///
    /// ```
    /// "Hello world" → added tokens: none → words "Hello", " world" → bytes → merges → [ids]
    /// ```
    /// Added tokens are found first, so `<|end_of_text|>` in the text is its one id; each word's
    /// ids are worked out once per call (a repeated word is looked up).
    /// - Parameters:
    ///   - text: any text.
    ///   - addingSpecialTokens: put the template's special tokens around the ids (Llama 3's
    ///     BOS), as `tokenizers`' `encode` and transformers' tokenizers do by default.
    /// - Returns: the ids, as `tokenizers` gives them for the same `tokenizer.json`.
    /// - Complexity: O(n log w) for n bytes and words of at most w bytes.
    public func encode(_ text: String, addingSpecialTokens: Bool = true) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3 + 1)
        var cache: [[UInt8]: [Int]] = [:]
        var bytes: [UInt8] = []
        for segment in matcher.segments(scalars) {
            switch segment {
            case .added(let id):
                ids.append(id)
            case .text(let range):
                preTokenizer.forEachWord(Array(scalars[range])) { word in
                    bytes.removeAll(keepingCapacity: true)
                    for scalar in word { UTF8.encode(scalar) { bytes.append($0) } }
                    if let known = cache[bytes] {
                        ids.append(contentsOf: known)
                        return
                    }
                    var wordIDs: [Int] = []
                    model.encode(word: bytes, into: &wordIDs)
                    ids.append(contentsOf: wordIDs)
                    cache[bytes] = wordIDs
                }
            }
        }
        return addingSpecialTokens ? template.apply(to: ids) : ids
    }

    /// The text of `ids`: each token's table characters turned back into bytes, the bytes read
    /// as UTF-8, as `tokenizers`' `ByteLevel` decoder does.
    ///
    /// ```
    /// ["Hello", "Ġworld"] → bytes "Hello world" → "Hello world"
    /// ```
    /// A token with a character outside the table (an added token such as `<|x y|>`) gives its
    /// own UTF-8 bytes. Bytes that are not valid UTF-8 (a token holding part of a character, like
    /// the first byte of an emoji) become U+FFFD, one per maximal invalid subsequence, as Rust's
    /// `String::from_utf8_lossy` does. Ids no token has are skipped, as `tokenizers` skips them.
    /// - Parameters:
    ///   - ids: token ids.
    ///   - skippingSpecialTokens: leave out special tokens (`tokenizers`' Python `decode`
    ///     defaults to true, transformers' to false; false here, so that decoding gives back the
    ///     encoded text).
    public func decode(_ ids: [Int], skippingSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard let token = token(for: id), !(skippingSpecialTokens && specialIDs.contains(id)) else { continue }
            if let tokenBytes = ByteLevelAlphabet.bytes(of: token) {
                bytes.append(contentsOf: tokenBytes)
            } else {
                bytes.append(contentsOf: token.utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
