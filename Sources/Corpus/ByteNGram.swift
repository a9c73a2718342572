import LoRA

/// A byte-level n-gram language model with Witten–Bell interpolation: the simple baseline a
/// neural model's bits per byte is read against (Witten & Bell 1991; Chen & Goodman 1999, §2.4).
///
/// Each document is a sequence of UTF-8 bytes followed by an end symbol; contexts before the
/// first byte are filled with a start symbol. For a context h of length k (k = order − 1, …, 0),
/// with h′ the context without its oldest symbol:
/// ```
/// P(w | h) = (c(h, w) + T(h) · P(w | h′)) / (c(h) + T(h))     when c(h) > 0
/// P(w | h) = P(w | h′)                                         when h was never seen
/// P(w | ∅′) = 1 / 257                                          (uniform over bytes and end)
/// ```
/// c(h, w) counts w after h in training, c(h) = Σ_w c(h, w), T(h) the number of distinct w seen
/// after h. Bits per byte = Σ −log₂ P over every byte and every end symbol, divided by the number
/// of bytes (the end symbols are charged to the bytes, as a neural model's end-of-text token is).
public struct ByteNGram: Sendable {
    /// Symbols predicted: 256 bytes and the end of a document.
    public static let symbolCount = 257
    static let end = 256, start = 257
    /// The longest order supported (contexts of up to 6 symbols pack into 63 bits).
    public static let maximumOrder = 7

    /// n: the model predicts from the previous n − 1 symbols.
    public let order: Int
    /// c(h, w) keyed by (h, w), and (c(h), T(h)) keyed by h, per context length.
    private var pairCounts: [[UInt64: Int]]
    private var contextTotals: [[UInt64: (count: Int, types: Int)]]

    /// Counts every n-gram of `documents` for n = 1 … `order`.
    /// - Throws: ``CorpusError/malformed(_:_:)`` naming the order when it is outside 1…7.
    public init(order: Int, documents: [String]) throws(CorpusError) {
        guard (1...Self.maximumOrder).contains(order) else {
            throw .malformed("ByteNGram", "order \(order) is outside 1…\(Self.maximumOrder)")
        }
        self.order = order
        pairCounts = Array(repeating: [:], count: order)
        contextTotals = Array(repeating: [:], count: order)
        for document in documents {
            Self.forEachPrediction(in: document, order: order) { history, symbol in
                for k in 0..<order {
                    let h = Self.key(history, length: k)
                    let pair = h << 9 | UInt64(symbol)
                    let seen = pairCounts[k][pair, default: 0]
                    pairCounts[k][pair] = seen + 1
                    let totals = contextTotals[k][h] ?? (0, 0)
                    contextTotals[k][h] = (totals.count + 1, totals.types + (seen == 0 ? 1 : 0))
                }
            }
        }
    }

    /// P(symbol | the last order − 1 symbols of `history`), history newest-first packed by ``key``.
    func probability(of symbol: Int, history: UInt64) -> Double {
        var p = 1.0 / Double(Self.symbolCount)
        for k in 0..<order {
            let h = Self.key(history, length: k)
            guard let totals = contextTotals[k][h] else { break }
            let c = Double(pairCounts[k][h << 9 | UInt64(symbol)] ?? 0)
            p = (c + Double(totals.types) * p) / (Double(totals.count) + Double(totals.types))
        }
        return p
    }

    /// −log₂ P of a document: every byte and the end symbol.
    public func bits(of document: String) -> Double {
        // The package's own logarithm (same bits on every machine), summed in document order.
        var nats = 0.0
        Self.forEachPrediction(in: document, order: order) { history, symbol in
            nats -= Double.log(probability(of: symbol, history: history))
        }
        return nats / Double.log(2)
    }

    /// Σ bits over `documents` (in order) divided by their bytes.
    public func bitsPerByte(_ documents: [String]) -> Double {
        var bits = 0.0, bytes = 0
        for document in documents {
            bits += self.bits(of: document)
            bytes += document.utf8.count
        }
        return bits / Double(bytes)
    }

    /// The probabilities of all 257 symbols after `context` (the bytes before, oldest first).
    public func distribution(after context: [UInt8]) -> [Double] {
        var history: UInt64 = 0
        for i in 0..<(order - 1) {
            let back = context.count - 1 - i
            history |= UInt64(back >= 0 ? Int(context[back]) : Self.start) << UInt64(9 * i)
        }
        return (0..<Self.symbolCount).map { probability(of: $0, history: history) }
    }

    /// Calls `body(history, symbol)` for each predicted symbol; history holds the previous
    /// order − 1 symbols, newest in the lowest 9 bits.
    private static func forEachPrediction(in document: String, order: Int, _ body: (UInt64, Int) -> Void) {
        let width = UInt64(9 * (order - 1))
        let mask: UInt64 = width == 0 ? 0 : (1 << width) - 1
        var history: UInt64 = 0
        for i in 0..<(order - 1) { history |= UInt64(start) << UInt64(9 * i) }
        func advance(_ symbol: Int) {
            body(history, symbol)
            history = (history << 9 | UInt64(symbol)) & mask
        }
        for byte in document.utf8 { advance(Int(byte)) }
        advance(end)
    }

    /// The newest `length` symbols of a history (each context length has its own table).
    static func key(_ history: UInt64, length: Int) -> UInt64 {
        length == 0 ? 0 : history & ((1 << UInt64(9 * length)) - 1)
    }
}

