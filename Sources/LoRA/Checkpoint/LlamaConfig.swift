import Foundation

/// `config.json` of a transformers `LlamaForCausalLM` checkpoint: the fields of `LlamaConfig`
/// this package reads and writes.
///
/// ```json
/// { "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152,
///   "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
///   "num_attention_heads": 9, "num_key_value_heads": 3, "head_dim": 64, "hidden_act": "silu",
///   "max_position_embeddings": 8192, "rms_norm_eps": 1e-05,
///   "rope_parameters": {"rope_type": "default", "rope_theta": 100000.0},   (older: "rope_theta": 100000)
///   "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false, … }
/// ```
/// Absent fields take `LlamaConfig`'s defaults in transformers (`configuration_llama.py`):
/// vocab 32000, hidden 4096, intermediate 11008, 32 layers, 32 heads, KV heads = heads,
/// 2048 positions, ε = 1e-6, θ = 10000, untied. Every other key transformers may write is
/// honoured, kept as information, or refused by name (see `LlamaConfig+Fields.swift`).
public struct LlamaConfig: Equatable, Sendable {
    /// `vocab_size`.
    public var vocabularySize: Int = 32000
    /// `hidden_size`, the residual width d.
    public var hiddenSize: Int = 4096
    /// `intermediate_size`, the SwiGLU MLP's hidden width.
    public var intermediateSize: Int = 11008
    /// `num_hidden_layers`.
    public var layerCount: Int = 32
    /// `num_attention_heads`, the query heads H.
    public var headCount: Int = 32
    /// `num_key_value_heads` (grouped-query attention; H when absent or null).
    public var keyValueHeadCount: Int = 32
    /// `max_position_embeddings`, the longest sequence.
    public var maxPositionEmbeddings: Int = 2048
    /// `rms_norm_eps`, ε of every RMSNorm.
    public var rmsNormEps: Double = 1e-6
    /// θ of the default RoPE (`rope_parameters.rope_theta`, older files: `rope_theta`).
    public var ropeTheta: Double = 10000
    /// `tie_word_embeddings`: the output layer reuses the token embedding (no `lm_head.weight`).
    public var tieWordEmbeddings: Bool = false
    /// `bos_token_id` (information; null allowed).
    public var bosTokenId: Int? = 1
    /// `eos_token_id`: one id or a list (information for generation).
    public var eosTokenIds: [Int] = [2]
    /// `pad_token_id` (information; null allowed).
    public var padTokenId: Int?
    /// `initializer_range` (information: how fresh weights were drawn).
    public var initializerRange: Double = 0.02
    /// `dtype` (older: `torch_dtype`), the dtype the weights were saved in (information).
    public var dtype: String?

    /// A config with transformers' defaults (a LLaMA-7B shape).
    public init() {}

    /// d / H, the width of one head (`head_dim`, which must agree with it here).
    public var headDimension: Int { hiddenSize / headCount }

    /// The file name transformers uses.
    public static let fileName = "config.json"
    /// The one architecture this package reads.
    public static let architecture = "LlamaForCausalLM"
    /// The largest config file read: 16 MiB (real ones are about a kilobyte).
    static let maximumFileSize = 16 << 20

    /// Reads `config.json` at `url`.
    /// - Throws: ``CheckpointError`` naming the file and the field: ``CheckpointError/Kind/invalidConfig``,
    ///   ``CheckpointError/Kind/unsupported`` or ``CheckpointError/Kind/io``.
    public static func read(contentsOf url: URL) throws(CheckpointError) -> LlamaConfig {
        let name = url.lastPathComponent
        let bytes: [UInt8]
        do { bytes = try RegularFile.wholeFile(at: url, maximumSize: maximumFileSize) } catch {
            switch error {
            case .tooLarge(let size):
                throw CheckpointError(file: name, path: url.path, kind: .io, problem: "the file is too large for a config",
                                      expected: "at most \(maximumFileSize) bytes", found: "\(size) bytes")
            case .unreadable(let problem):
                throw CheckpointError(file: name, path: url.path, kind: .io, problem: "cannot read the file: \(problem.reason)")
            }
        }
        do {
            return try decode(bytes, fileName: name)
        } catch {
            var located = error
            located.path = url.path
            throw located
        }
    }
}
