import Corpus
import Foundation
import LoRA

/// The tiny LLaMA of the real-text chapters: its shape, its tokenizer, how it is pre-trained on
/// the corpus's source collection, and the committed weights that recipe produced.
///
/// ```
/// tokenizer   byte-level BPE, 1024 tokens (id 0 = <|endoftext|>), trained on source/train
/// model       LlamaForCausalLM: d 192, 4 layers, 6 query heads over 2 key-value heads (GQA),
///             SwiGLU 512, RoPE θ 10000, RMSNorm ε 1e-5, tied embeddings, context 128
/// data        source/train as one stream: <eot> doc <eot> doc …; each step draws 16 windows
/// training    AdamW (β 0.9, 0.95; weight decay 0.1), warm-up then cosine, clip 1.0, Float
/// ```
/// `make pretrain` runs ``Pretraining`` and writes the checkpoint folder that
/// ``committedCheckpointFolder`` points at; `PretrainingTests` reruns its first 20 steps and
/// compares the weights' digest with the one the run logged.
public enum TinyLlama {
    /// The document separator and the start of every sequence the model scores.
    public static let endOfText = "<|endoftext|>"
    /// Tokens in the vocabulary, the special token and the 256 bytes included.
    public static let vocabularySize = 1024

    /// The model's shape.
    public static let configuration = TransformerConfiguration.llama(
        vocabularySize: vocabularySize, contextLength: 128, modelDimension: 192, headCount: 6, keyValueHeadCount: 2,
        layerCount: 4, mlpDimension: 512, normEpsilon: 1e-5, tieWordEmbeddings: true)

    /// Trains the tokenizer on the source collection's training split (deterministic: the same
    /// merges on every machine).
    public static func trainTokenizer() throws -> BPETokenizer {
        let text = try Corpus.documents(.source, .train).joined(separator: "\n")
        let result = BPETrainer.train(text, preTokenizer: .gpt2, vocabularySize: vocabularySize, minimumFrequency: 2,
                                      specialTokens: [endOfText])
        return try BPETokenizer(
            vocabulary: result.vocabulary, merges: result.merges, preTokenizer: .gpt2,
            addedTokens: [AddedToken(content: endOfText, id: 0, special: true)])
    }

    /// The id of ``endOfText``.
    public static let endOfTextID = 0

    /// The documents as one token stream: `<eot> d₀ <eot> d₁ <eot> … d_{n−1} <eot>`.
    public static func tokenStream(_ documents: [String], tokenizer: BPETokenizer) -> [Int] {
        var stream = [endOfTextID]
        for document in documents {
            stream += tokenizer.encode(document, addingSpecialTokens: false)
            stream.append(endOfTextID)
        }
        return stream
    }

    /// A batch of `size` windows of `length + 1` consecutive tokens of `stream`, each starting at
    /// a position drawn from `generator` (inputs: the first `length`, targets: the last `length`).
    public static func batch(from stream: [Int], size: Int, length: Int, using generator: inout SeededGenerator) -> TokenBatch {
        precondition(stream.count > length + 1, "the stream is shorter than one window")
        var tokens: [Int] = [], targets: [Int] = []
        tokens.reserveCapacity(size * length)
        targets.reserveCapacity(size * length)
        let starts = UInt64(stream.count - length)
        for _ in 0..<size {
            let start = Int(generator.next() % starts)
            tokens += stream[start..<(start + length)]
            targets += stream[(start + 1)...(start + length)]
        }
        return TokenBatch(tokens: tokens, targets: targets, batchSize: size, sequenceLength: length)
    }
}

extension TinyLlama {
    /// The training log's file name in the checkpoint folder.
    public static let logFileName = "training-log.tsv"
    /// The SHA-256 sums' file name in the checkpoint folder.
    public static let sumsFileName = "SHA256SUMS"
}

extension TinyLlama {
    /// The committed checkpoint folder (written by `make pretrain`): config.json,
    /// model.safetensors, tokenizer.json, the training log and SHA-256 sums.
    public static var committedCheckpointFolder: URL {
        get throws(TinyLlamaError) {
            guard let url = Bundle.module.url(forResource: "Checkpoint", withExtension: nil) else { throw .missingCheckpoint }
            return url
        }
    }

    /// The committed model and its tokenizer.
    public static func load() throws -> (model: TransformerModel<Float>, tokenizer: BPETokenizer) {
        let folder = try committedCheckpointFolder
        let model = try TransformerModel<Float>(checkpointFolder: folder)
        let tokenizer = try BPETokenizer(json: Array(Data(contentsOf: folder.appendingPathComponent("tokenizer.json"))))
        return (model, tokenizer)
    }

    /// The lines of the committed training log.
    public static func committedLog() throws -> [String] {
        let url = try committedCheckpointFolder.appendingPathComponent(logFileName)
        return String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// Why the tiny LLaMA's committed files could not be used.
public enum TinyLlamaError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint folder is not among the target's resources.
    case missingCheckpoint

    public var description: String {
        switch self {
        case .missingCheckpoint: "the tiny LLaMA's checkpoint folder is missing from the TinyLlama resources (run make pretrain)"
        }
    }
}
