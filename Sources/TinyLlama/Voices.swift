import Corpus
import Foundation
import LoRA

/// The text of a collection as fixed windows, for fine-tuning and for scoring in bits per byte.
public struct TextWindows: Sendable {
    /// All windows as one batch (each row `length` tokens, targets shifted by one).
    public let batch: TokenBatch
    /// Bytes of text the batch's targets stand for (end-of-text counts none).
    public let bytes: Int

    /// The documents of `collection`'s `split` as one stream (``TinyLlama/tokenStream(_:tokenizer:)``)
    /// cut into consecutive windows of `length` predicted tokens; with `limit`, only the first
    /// `limit` windows.
    public init(_ collection: CorpusCollection, _ split: CorpusSplit, tokenizer: BPETokenizer, length: Int, limit: Int? = nil) throws {
        let stream = TinyLlama.tokenStream(try Corpus.documents(collection, split), tokenizer: tokenizer)
        // All windows in one batch (or the first `limit`): the first batch of that size.
        let all = TinyLlama.windows(of: stream, length: length, batchSize: limit ?? max(1, stream.count))
        precondition(!all.isEmpty, "TextWindows: \(collection.rawValue) \(split.rawValue) is shorter than one window")
        batch = all[0]
        bytes = all[0].targets.reduce(0) { $0 + TinyLlama.byteCount(of: $1, tokenizer) }
    }

    /// Bits per byte of a mean cross-entropy (nats per token) measured on ``batch``.
    public func bitsPerByte(loss: Double) -> Double {
        loss * Double(batch.scoredCount) / Double(bytes) / Double.log(2)
    }

    /// Bits per byte of `model` on these windows.
    public func bitsPerByte(_ model: TransformerModel<Float>) -> Double {
        bitsPerByte(loss: model.evaluate(batch).loss)
    }
}
