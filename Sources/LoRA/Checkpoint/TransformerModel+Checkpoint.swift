import Foundation

/// A ``TransformerModel`` from a transformers `LlamaForCausalLM` checkpoint, and back.
///
/// ```
/// checkpoint name                         parameter of this model
/// model.embed_tokens.weight           ↔   embed_tokens.weight
/// model.layers.N.self_attn.q_proj.weight ↔ layers.N.self_attn.q_proj.weight
/// model.norm.weight                   ↔   norm.weight
/// lm_head.weight                      ↔   lm_head.weight          (untied only)
/// ```
/// The names differ only by transformers' `model.` level (``transformersPath(_:)``); shapes are
/// the same, weights (out, in) on both sides.
extension TransformerModel {
    /// The model `checkpoint` describes, with its weights (converted from Float to `Scalar`);
    /// every parameter trainable, as a fresh model's.
    /// - Throws: ``CheckpointError`` of kind ``CheckpointError/Kind/invalidConfig`` when the
    ///   config does not make a valid model, ``CheckpointError/Kind/missingTensor`` or
    ///   ``CheckpointError/Kind/unexpectedTensor`` when the weights and the model's parameters
    ///   differ (``LlamaCheckpoint/read(from:)`` has already checked names and shapes).
    public init(checkpoint: LlamaCheckpoint) throws(CheckpointError) {
        let configuration = checkpoint.config.transformerConfiguration
        do {
            try configuration.validate()
        } catch {
            throw CheckpointError(file: LlamaConfig.fileName, kind: .invalidConfig, problem: "not a valid model (\(error))")
        }
        self = TransformerModel(zeroedFor: configuration)  // every weight is overwritten below
        var unused = Set(checkpoint.tensors.keys)
        var missing: [String] = []
        var misshapen: [(String, String)] = []
        visitParameters { name, value, _ in
            let key = Self.transformersPath(name, llama: true)
            guard let t = checkpoint.tensors[key] else { missing.append(key); return }
            unused.remove(key)
            guard t.values.count == value.rows * value.columns else {
                misshapen.append((key, "\(value.rows)×\(value.columns) vs \(t.shapeDescription)"))
                return
            }
            value = Matrix<Float>(rows: value.rows, columns: value.columns, storage: t.values).converted()
        }
        if let name = missing.first {
            throw CheckpointError(file: LlamaCheckpoint.weightsFileName, subject: name, kind: .missingTensor,
                                  problem: "the model has this parameter but the checkpoint does not")
        }
        if let (name, shapes) = misshapen.first {
            throw CheckpointError(file: LlamaCheckpoint.weightsFileName, subject: name, kind: .shapeMismatch,
                                  problem: "the model's parameter and the checkpoint's tensor differ in size", found: shapes)
        }
        if let name = unused.sorted().first {
            throw CheckpointError(file: LlamaCheckpoint.weightsFileName, subject: name, kind: .unexpectedTensor,
                                  problem: "the checkpoint has this tensor but the model has no such parameter")
        }
    }

    /// Reads the checkpoint folder at `directory` (see ``LlamaCheckpoint/read(from:)``) and
    /// builds the model from it.
    public init(checkpointFolder directory: URL) throws(CheckpointError) {
        try self.init(checkpoint: LlamaCheckpoint.read(from: directory))
    }

    /// This model's weights under `save_pretrained`'s names, as F32, with a config.json that
    /// transformers loads as the same `LlamaForCausalLM`.
    /// - Parameter config: token ids and other information to carry over (the sizes come from
    ///   this model's configuration); nil gives `LlamaConfig`'s defaults for them.
    /// - Throws: ``CheckpointError/Kind/unsupported`` when this model is not a LLaMA (learned
    ///   positions or a GELU MLP) or carries adapters or 4-bit weights (merge or save the
    ///   adapter separately), naming the first such parameter.
    public func llamaCheckpoint(config: LlamaConfig? = nil) throws(CheckpointError) -> LlamaCheckpoint {
        var c = try LlamaConfig(configuration: configuration, information: config)
        c.dtype = "float32"
        if let quantized = namedQuantizedWeights.first {
            throw CheckpointError(file: LlamaCheckpoint.weightsFileName, subject: quantized.name, kind: .unsupported,
                                  problem: "a 4-bit weight has no transformers float checkpoint name; dequantize it first")
        }
        var tensors: [String: SafetensorsTensor] = [:]
        var copy = self
        var foreign: String?
        let expected = Dictionary(uniqueKeysWithValues: LlamaCheckpoint.expectedShapes(for: c).map { ($0.name, $0.shape) })
        copy.visitParameters { name, value, _ in
            let key = Self.transformersPath(name, llama: true)
            guard let shape = expected[key] else { foreign = foreign ?? name; return }
            tensors[key] = SafetensorsTensor(shape: shape, values: value.converted(to: Float.self).storage)
        }
        if let foreign {
            throw CheckpointError(file: LlamaCheckpoint.weightsFileName, subject: foreign, kind: .unsupported,
                                  problem: "not a weight of transformers' LlamaForCausalLM (merge or save adapters separately)")
        }
        return LlamaCheckpoint(config: c, tensors: tensors)
    }

    /// Writes ``llamaCheckpoint(config:)`` into `directory` atomically (see ``LlamaCheckpoint/write(to:)``).
    public func saveCheckpoint(to directory: URL, config: LlamaConfig? = nil) throws(CheckpointError) {
        try llamaCheckpoint(config: config).write(to: directory)
    }
}

extension LlamaConfig {
    /// The package's configuration of this LLaMA: rotary positions (θ), SwiGLU, grouped-query
    /// attention, RMSNorm ε, tied or untied head; context = `max_position_embeddings`.
    public var transformerConfiguration: TransformerConfiguration {
        .llama(vocabularySize: vocabularySize, contextLength: maxPositionEmbeddings, modelDimension: hiddenSize,
               headCount: headCount, keyValueHeadCount: keyValueHeadCount, layerCount: layerCount,
               mlpDimension: intermediateSize, ropeTheta: ropeTheta, normEpsilon: rmsNormEps,
               tieWordEmbeddings: tieWordEmbeddings)
    }

    /// The config.json of a LLaMA-shaped `configuration`, with token ids and other information
    /// from `information` (defaults when nil).
    /// - Throws: ``CheckpointError/Kind/unsupported`` for learned positions or a GELU MLP.
    public init(configuration t: TransformerConfiguration, information: LlamaConfig? = nil) throws(CheckpointError) {
        guard case .rotary(let theta) = t.positionEncoding, t.feedForward == .swiglu else {
            throw CheckpointError(file: LlamaConfig.fileName, kind: .unsupported,
                                  problem: "only a LLaMA configuration (rotary positions, SwiGLU) is a LlamaForCausalLM",
                                  found: "\(t.positionEncoding), \(t.feedForward)")
        }
        self = information ?? LlamaConfig()
        vocabularySize = t.vocabularySize
        hiddenSize = t.modelDimension
        intermediateSize = t.mlpDimension
        layerCount = t.layerCount
        headCount = t.headCount
        keyValueHeadCount = t.keyValueHeadCount
        maxPositionEmbeddings = t.contextLength
        rmsNormEps = t.normEpsilon
        ropeTheta = theta
        tieWordEmbeddings = t.tieWordEmbeddings
    }
}
