/// A token of `tokenizer.json`'s `added_tokens`: found in the text before pre-tokenization and
/// given its id whole (`<|begin_of_text|>` is one token, never `<`, `|`, `begin` …).
public struct AddedToken: Sendable, Equatable {
    /// The token's text.
    public var content: String
    /// Its id.
    public var id: Int
    /// Special tokens are left out by ``BPETokenizer/decode(_:skippingSpecialTokens:)`` when asked.
    public var special: Bool
    /// Whether it is matched in the normalized text (this package has no normalizers, so this
    /// only decides which of the two matching passes finds it, as in `tokenizers`).
    public var normalized: Bool
    /// `lstrip`: the match takes the whitespace on its left.
    public var leftStrip: Bool
    /// `rstrip`: the match takes the whitespace on its right.
    public var rightStrip: Bool

    /// An added token.
    public init(content: String, id: Int, special: Bool, normalized: Bool? = nil, leftStrip: Bool = false, rightStrip: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.normalized = normalized ?? !special
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
    }
}

/// A piece of text after the added tokens are found: an added token's id, or text to pre-tokenize.
enum TextSegment: Equatable {
    case added(Int)
    case text(Range<Int>)
}

/// Finds added tokens in text the way `tokenizers`' `AddedVocabulary` does: first the tokens
/// with `normalized: false` in the whole text, then those with `normalized: true` in the pieces
/// between; in each pass the leftmost match wins, and the longest among those starting there.
struct AddedTokenMatcher: Sendable {
    private struct Candidate: Sendable {
        var scalars: [Unicode.Scalar]
        var token: AddedToken
    }

    /// Per pass, candidates by their first scalar, longest first.
    private let passes: [[Unicode.Scalar: [Candidate]]]

    init(_ tokens: [AddedToken]) {
        passes = [false, true].map { normalized in
            var byFirst: [Unicode.Scalar: [Candidate]] = [:]
            for token in tokens where token.normalized == normalized {
                let scalars = Array(token.content.unicodeScalars)
                guard let first = scalars.first else { continue }
                byFirst[first, default: []].append(Candidate(scalars: scalars, token: token))
            }
            return byFirst.mapValues { $0.sorted { $0.scalars.count > $1.scalars.count } }
        }
    }

    /// `s` cut into added tokens and the text between them.
    func segments(_ s: [Unicode.Scalar]) -> [TextSegment] {
        var segments: [TextSegment] = [.text(0..<s.count)]
        for pass in passes where !pass.isEmpty {
            segments = segments.flatMap { segment -> [TextSegment] in
                guard case .text(let range) = segment else { return [segment] }
                return split(s, range, pass)
            }
        }
        return segments
    }

    private func split(_ s: [Unicode.Scalar], _ range: Range<Int>, _ candidates: [Unicode.Scalar: [Candidate]]) -> [TextSegment] {
        var out: [TextSegment] = []
        var done = range.lowerBound  // end of the last match (with its stripped whitespace)
        var i = range.lowerBound
        while i < range.upperBound {
            guard let match = candidates[s[i]]?.first(where: { matches($0.scalars, s, at: i, end: range.upperBound) }) else {
                i += 1
                continue
            }
            var start = i, stop = i + match.scalars.count
            if match.token.leftStrip {
                while start > done, ScalarClass.isWhitespace(s[start - 1]) { start -= 1 }
            }
            if match.token.rightStrip {
                while stop < range.upperBound, ScalarClass.isWhitespace(s[stop]) { stop += 1 }
            }
            if done < start { out.append(.text(done..<start)) }
            out.append(.added(match.token.id))
            done = stop
            i = stop
        }
        if done < range.upperBound { out.append(.text(done..<range.upperBound)) }
        return out
    }

    private func matches(_ token: [Unicode.Scalar], _ s: [Unicode.Scalar], at i: Int, end: Int) -> Bool {
        guard i + token.count <= end else { return false }
        for k in 0..<token.count where s[i + k] != token[k] { return false }
        return true
    }
}
