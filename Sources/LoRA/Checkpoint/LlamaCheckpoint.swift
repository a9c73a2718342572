import Foundation

/// A transformers `LlamaForCausalLM` checkpoint folder in memory: the config and every weight
/// by the name `save_pretrained` gives it, as `Float`.
///
/// ```
/// folder/config.json                                  LlamaConfig
/// folder/model.safetensors                            one file, or
/// folder/model.safetensors.index.json + shards        {"weight_map": {"<tensor>": "<shard file>", …}}
///
/// model.embed_tokens.weight                           (vocab, d)
/// model.layers.N.self_attn.q_proj.weight              (H·d_h, d)
/// model.layers.N.self_attn.{k,v}_proj.weight          (KV·d_h, d)
/// model.layers.N.self_attn.o_proj.weight              (d, H·d_h)
/// model.layers.N.mlp.{gate,up}_proj.weight            (intermediate, d)
/// model.layers.N.mlp.down_proj.weight                 (d, intermediate)
/// model.layers.N.{input,post_attention}_layernorm.weight   (d)
/// model.norm.weight                                   (d)
/// lm_head.weight                                      (vocab, d)   only when tie_word_embeddings is false
/// ```
/// Tensors may be F32, BF16 or F16 (converted exactly to Float); a checkpoint is written as F32.
/// Reading is strict: a weight missing, unexpected or of the wrong shape is a thrown
/// ``CheckpointError`` naming the tensor and the file it was (or should have been) in.
public struct LlamaCheckpoint: Sendable {
    /// `config.json`.
    public var config: LlamaConfig
    /// Every weight by its `save_pretrained` name.
    public var tensors: [String: SafetensorsTensor]

    /// The single weights file's name.
    public static let weightsFileName = "model.safetensors"
    /// The index of a sharded checkpoint.
    public static let indexFileName = "model.safetensors.index.json"

    /// A checkpoint from its parts; ``validate(files:)`` checks that they agree.
    public init(config: LlamaConfig, tensors: [String: SafetensorsTensor]) {
        self.config = config
        self.tensors = tensors
    }

    /// The weight names and shapes `config` asks for, in module order.
    public static func expectedShapes(for c: LlamaConfig) -> [(name: String, shape: [Int])] {
        let d = c.hiddenSize, q = c.headCount * c.headDimension, kv = c.keyValueHeadCount * c.headDimension
        var out: [(name: String, shape: [Int])] = [("model.embed_tokens.weight", [c.vocabularySize, d])]
        for l in 0..<c.layerCount {
            let p = "model.layers.\(l)."
            out += [
                (p + "input_layernorm.weight", [d]),
                (p + "self_attn.q_proj.weight", [q, d]), (p + "self_attn.k_proj.weight", [kv, d]),
                (p + "self_attn.v_proj.weight", [kv, d]), (p + "self_attn.o_proj.weight", [d, q]),
                (p + "post_attention_layernorm.weight", [d]),
                (p + "mlp.gate_proj.weight", [c.intermediateSize, d]), (p + "mlp.up_proj.weight", [c.intermediateSize, d]),
                (p + "mlp.down_proj.weight", [d, c.intermediateSize]),
            ]
        }
        out.append(("model.norm.weight", [d]))
        if !c.tieWordEmbeddings { out.append(("lm_head.weight", [c.vocabularySize, d])) }
        return out
    }

    /// Checks that ``tensors`` holds exactly the weights ``config`` asks for, with their shapes.
    /// A tied checkpoint may carry `lm_head.weight` only as an exact copy of the embedding
    /// (some writers store both); it is then dropped.
    /// - Parameter files: the file each tensor came from, for messages (default `model.safetensors`).
    /// - Throws: ``CheckpointError/Kind/missingTensor``, ``CheckpointError/Kind/shapeMismatch`` or
    ///   ``CheckpointError/Kind/unexpectedTensor``, naming the first offending tensor in module order.
    public mutating func validate(files: [String: String] = [:]) throws(CheckpointError) {
        func file(_ name: String) -> String { files[name] ?? Self.weightsFileName }
        let expected = Self.expectedShapes(for: config)
        for (name, shape) in expected {
            guard let t = tensors[name] else {
                throw CheckpointError(file: files.isEmpty ? Self.weightsFileName : Self.indexFileName, subject: name,
                                      kind: .missingTensor, problem: "the configuration needs this weight but no file holds it",
                                      expected: "shape \(Self.describe(shape))")
            }
            guard t.shape == shape else {
                throw CheckpointError(file: file(name), subject: name, kind: .shapeMismatch,
                                      problem: "wrong shape for config.json's sizes",
                                      expected: Self.describe(shape), found: t.shapeDescription)
            }
        }
        if config.tieWordEmbeddings, let head = tensors["lm_head.weight"] {
            let embedding = tensors["model.embed_tokens.weight"]!
            guard head.shape == embedding.shape, head.values == embedding.values else {
                throw CheckpointError(file: file("lm_head.weight"), subject: "lm_head.weight", kind: .unexpectedTensor,
                                      problem: "tie_word_embeddings is true, so the output layer is the embedding, but this weight differs from it",
                                      expected: "no lm_head.weight (or a copy of model.embed_tokens.weight)")
            }
            tensors["lm_head.weight"] = nil
        }
        let known = Set(expected.map(\.name))
        if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw CheckpointError(file: file(extra), subject: extra, kind: .unexpectedTensor,
                                  problem: "not a weight of a LlamaForCausalLM with this config.json",
                                  expected: "\(expected.count) weights named like model.layers.N.self_attn.q_proj.weight")
        }
    }

    static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
