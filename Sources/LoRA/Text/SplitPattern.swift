/// The regexes with which byte-level BPE tokenizers cut text into words before merging, each
/// recognised by its exact text and scanned by hand over Unicode scalars (no regex engine: the
/// `(?!\S)` lookahead and the backtracking are worked out in the scanners' comments).
///
/// ```
/// gpt2    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// llama3  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// qwen2   llama3 with \p{N} in place of \p{N}{1,3}
/// ```
/// GPT-2's is the one the `ByteLevel` pre-tokenizer applies when `use_regex` is true (Radford et
/// al. 2019, *Language Models are Unsupervised Multitask Learners*, `encoder.py`); Llama 3 and
/// SmolLM-style files write theirs in a `Split` pre-tokenizer with behaviour `Isolated`, so the
/// matches and the text between them both become words. Every scalar is matched by one of the
/// alternatives of these patterns, so the words tile the text.
public enum SplitPattern: Sendable, Equatable, CaseIterable {
    /// GPT-2's pattern (also `ByteLevel`'s built-in one).
    case gpt2
    /// Llama 3's pattern: case-insensitive contractions, one non-letter may lead a word, digits
    /// in groups of at most three.
    case llama3
    /// Qwen 2's pattern: Llama 3's with every digit its own word.
    case qwen2

    /// The regex as `tokenizer.json` writes it.
    public var regex: String {
        switch self {
        case .gpt2: #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3: #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2: #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The pattern whose regex is exactly `regex`, or nil for any other regex.
    public init?(regex: String) {
        guard let pattern = Self.allCases.first(where: { $0.regex == regex }) else { return nil }
        self = pattern
    }

    /// The words of `text`, in order; joined they give `text` back.
    public func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var words: [String] = []
        forEachWord(in: scalars, 0..<scalars.count) { range in
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[range])
            words.append(String(word))
        }
        return words
    }

    /// Calls `body` with the range of each word of `s[range]`, left to right.
    /// - Complexity: O(n) for n scalars (each scanner reads a scalar a bounded number of times).
    func forEachWord(in s: [Unicode.Scalar], _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = range.lowerBound
        while i < range.upperBound {
            let end: Int
            switch self {
            case .gpt2: end = GPT2Scanner.matchEnd(s, at: i, end: range.upperBound)
            case .llama3: end = Llama3Scanner.matchEnd(s, at: i, end: range.upperBound, digitGroup: 3)
            case .qwen2: end = Llama3Scanner.matchEnd(s, at: i, end: range.upperBound, digitGroup: 1)
            }
            body(i..<end)
            i = end
        }
    }
}

/// Shared pieces of the scanners: each returns where a run or an alternative ends.
enum ScanRun {
    /// The end of the longest run from `i` of scalars satisfying `test`.
    @inline(__always)
    static func run(_ s: [Unicode.Scalar], from i: Int, end: Int, _ test: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < end, test(s[j]) { j += 1 }
        return j
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `i` (letters compared case-insensitively when asked, with
    /// Unicode's simple case folding: `ſ` folds to `s`): the match's end, or nil.
    static func contraction(_ s: [Unicode.Scalar], at i: Int, end: Int, ignoringCase: Bool) -> Int? {
        guard s[i] == "'", i + 1 < end else { return nil }
        func letter(_ k: Int) -> Unicode.Scalar? {
            guard k < end else { return nil }
            let c = s[k]
            guard ignoringCase else { return c }
            if c == "\u{17F}" { return "s" }
            if (0x41...0x5A).contains(c.value) { return Unicode.Scalar(c.value + 0x20) }
            return c
        }
        switch letter(i + 1) {
        case "s", "t", "m", "d": return i + 2
        case "r", "v": return letter(i + 2) == "e" ? i + 3 : nil
        case "l": return letter(i + 2) == "l" ? i + 3 : nil
        default: return nil
        }
    }

    /// `\s+(?!\S)|\s+` at `i`, where `s[i]` is whitespace. The greedy run stops before a
    /// non-space or at the end; at the end the lookahead holds and the whole run matches.
    /// Before a non-space, backtracking gives back one scalar (the lookahead then sees a space),
    /// which needs a run of two or more; a run of one falls through to `\s+`.
    @inline(__always)
    static func whitespace(_ s: [Unicode.Scalar], at i: Int, end: Int) -> Int {
        let j = run(s, from: i, end: end, ScalarClass.isWhitespace)
        if j == end || j - i == 1 { return j }
        return j - 1
    }
}

/// GPT-2's pattern: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
enum GPT2Scanner {
    /// The end of the match at `i` (always past `i`).
    static func matchEnd(_ s: [Unicode.Scalar], at i: Int, end: Int) -> Int {
        if let e = ScanRun.contraction(s, at: i, end: end, ignoringCase: false) { return e }
        // ` ?X+` for X = letter, number, other: an optional space then a run; a space not
        // followed by X backtracks to no space, and then s[i] (the space) is not X.
        let start = (s[i] == " " && i + 1 < end) ? i + 1 : i
        let c = s[start]
        if ScalarClass.isLetter(c) { return ScanRun.run(s, from: start, end: end, ScalarClass.isLetter) }
        if ScalarClass.isNumber(c) { return ScanRun.run(s, from: start, end: end, ScalarClass.isNumber) }
        if ScalarClass.isOther(c) { return ScanRun.run(s, from: start, end: end, ScalarClass.isOther) }
        if ScalarClass.isWhitespace(s[i]) { return ScanRun.whitespace(s, at: i, end: end) }
        return i + 1  // unreachable: every scalar is a letter, a number, whitespace or other
    }
}

/// Llama 3's pattern (and Qwen 2's, with `digitGroup` 1):
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
enum Llama3Scanner {
    /// The end of the match at `i` (always past `i`).
    static func matchEnd(_ s: [Unicode.Scalar], at i: Int, end: Int, digitGroup: Int) -> Int {
        if let e = ScanRun.contraction(s, at: i, end: end, ignoringCase: true) { return e }
        let c = s[i]
        // [^\r\n\p{L}\p{N}]?\p{L}+ : one leading scalar that is no letter, number or line
        // break (a space, a tab, punctuation), then letters.
        if ScalarClass.isLetter(c) { return ScanRun.run(s, from: i, end: end, ScalarClass.isLetter) }
        if !ScalarClass.isNumber(c), !ScalarClass.isLineBreak(c), i + 1 < end, ScalarClass.isLetter(s[i + 1]) {
            return ScanRun.run(s, from: i + 1, end: end, ScalarClass.isLetter)
        }
        // \p{N}{1,3}
        if ScalarClass.isNumber(c) {
            var j = i + 1
            while j < end, j - i < digitGroup, ScalarClass.isNumber(s[j]) { j += 1 }
            return j
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let start = (c == " " && i + 1 < end) ? i + 1 : i
        if ScalarClass.isOther(s[start]) {
            let j = ScanRun.run(s, from: start, end: end, ScalarClass.isOther)
            return ScanRun.run(s, from: j, end: end, ScalarClass.isLineBreak)
        }
        // \s*[\r\n]+ : \s* backs off from the whole whitespace run until a line break follows,
        // so the match ends just after the run's last \r or \n (the run holds no \r\n after it).
        let run = ScanRun.run(s, from: i, end: end, ScalarClass.isWhitespace)
        if let last = (i..<run).last(where: { ScalarClass.isLineBreak(s[$0]) }) { return last + 1 }
        return ScanRun.whitespace(s, at: i, end: end)
    }
}
