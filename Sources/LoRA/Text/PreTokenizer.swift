/// How a byte-level tokenizer cuts text into words before BPE merges inside each word: a list
/// of steps, each cutting every piece the previous step left, the last one always `ByteLevel`.
///
/// ```
/// GPT-2:          [byteLevel(addPrefixSpace: false, useRegex: true)]
/// Llama 3:        [split(.llama3), byteLevel(addPrefixSpace: false, useRegex: false)]
/// SmolLM / StarCoder: [digits(individual: true), byteLevel(addPrefixSpace: false, useRegex: true)]
/// ```
/// These are the `tokenizers` pre-tokenizers `ByteLevel`, `Split` (behaviour `Isolated`, not
/// inverted) and `Digits`, nested in a `Sequence` when there are several.
public struct PreTokenizer: Sendable, Equatable {
    /// One step.
    public enum Step: Sendable, Equatable {
        /// `Split` with one of the scanned regexes: matches and the text between them become pieces.
        case split(SplitPattern)
        /// `Digits`: every number scalar its own piece (`individual`), or runs of them.
        case digits(individual: Bool)
        /// `ByteLevel`: a space put before every piece that does not start with one
        /// (`addPrefixSpace`), then GPT-2's pattern (`useRegex`); the bytes of each word are then
        /// written with ``ByteLevelAlphabet``.
        case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    }

    /// The steps, in order; the last is ``Step/byteLevel(addPrefixSpace:useRegex:)`` and no other is.
    public let steps: [Step]

    /// A pre-tokenizer of `steps`.
    /// - Precondition: exactly one `byteLevel` step, the last (the loader checks a file's steps
    ///   and throws instead).
    public init(steps: [Step]) {
        precondition(steps.last.map(Self.isByteLevel) == true && steps.dropLast().allSatisfy { !Self.isByteLevel($0) },
                     "a byte-level pre-tokenizer ends with its only ByteLevel step, found \(steps)")
        self.steps = steps
    }

    /// GPT-2's: `ByteLevel` alone with its built-in pattern.
    public static let gpt2 = PreTokenizer(steps: [.byteLevel(addPrefixSpace: false, useRegex: true)])

    /// Llama 3's: its `Split` pattern, then `ByteLevel` without a pattern of its own.
    public static let llama3 = PreTokenizer(steps: [.split(.llama3), .byteLevel(addPrefixSpace: false, useRegex: false)])

    static func isByteLevel(_ step: Step) -> Bool {
        if case .byteLevel = step { return true }
        return false
    }

    /// The words of `text` (before their bytes are mapped), in order.
    public func words(_ text: String) -> [String] {
        var words: [String] = []
        forEachWord(Array(text.unicodeScalars)) { word in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: word)
            words.append(String(view))
        }
        return words
    }

    /// Calls `body` with each word of `s`, left to right.
    func forEachWord(_ s: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        guard !s.isEmpty else { return }
        apply(step: 0, s, 0..<s.count, body)
    }

    private func apply(step index: Int, _ s: [Unicode.Scalar], _ range: Range<Int>, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        switch steps[index] {
        case .split(let pattern):
            pattern.forEachWord(in: s, range) { apply(step: index + 1, s, $0, body) }
        case .digits(let individual):
            var i = range.lowerBound
            while i < range.upperBound {
                let isNumber = ScalarClass.isNumber(s[i])
                var j = i + 1
                if !isNumber || !individual {
                    while j < range.upperBound, ScalarClass.isNumber(s[j]) == isNumber { j += 1 }
                }
                apply(step: index + 1, s, i..<j, body)
                i = j
            }
        case .byteLevel(let addPrefixSpace, let useRegex):
            // ByteLevel is the last step: these are the words.
            if addPrefixSpace && s[range.lowerBound] != " " {
                let spaced = [" "] + s[range]
                emit(spaced, 0..<spaced.count, useRegex: useRegex, body)
            } else {
                emit(s, range, useRegex: useRegex, body)
            }
        }
    }

    private func emit(_ s: [Unicode.Scalar], _ range: Range<Int>, useRegex: Bool, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        if useRegex {
            SplitPattern.gpt2.forEachWord(in: s, range) { body(s[$0]) }
        } else {
            body(s[range])
        }
    }
}
