import LoRA
import Testing

/// ``TransformerConfiguration/parameterCount`` and the KV cache's per-token size, counted from
/// the shape, against the models and caches the library actually builds, and against
/// ``ModelSpec`` (the memory model's LLaMA-7B and -65B) where the two describe the same shape.
@Suite struct TransformerCountsTests {
    /// Shapes that exercise every term: GQA or not, SwiGLU or GELU, learned or rotary, tied or not.
    static let shapes: [TransformerConfiguration] = [
        .llama(vocabularySize: 50, contextLength: 16, modelDimension: 24, headCount: 6, keyValueHeadCount: 2,
               layerCount: 2, mlpDimension: 40, tieWordEmbeddings: true),
        .llama(vocabularySize: 37, contextLength: 8, modelDimension: 16, headCount: 4, layerCount: 3, mlpDimension: 24),
        TransformerConfiguration(vocabularySize: 29, contextLength: 12, modelDimension: 16, headCount: 2, layerCount: 2),
        TransformerConfiguration(vocabularySize: 29, contextLength: 12, modelDimension: 16, headCount: 4, layerCount: 1,
                                 keyValueHeadCount: 1, tieWordEmbeddings: true),
    ]

    @Test(arguments: shapes)
    func countEqualsBuiltModel(configuration: TransformerConfiguration) throws {
        let model = try TransformerModel<Float>(configuration: configuration, seed: 1)
        #expect(configuration.parameterCount == model.parameterCount.total)
        let block = model.layers[0].parameterCount.total
        #expect(configuration.blockParameterCount == block)
    }

    @Test(arguments: shapes.filter { $0.positionEncoding != .learned })
    func cacheGrowsByElementsPerToken(configuration: TransformerConfiguration) throws {
        let model = try TransformerModel<Float>(configuration: configuration, seed: 2)
        var cache = model.makeKVCache()
        _ = try model.logits(appending: [1, 2, 3], to: &cache)
        #expect(cache.elementCount == 3 * configuration.keyValueCacheElementsPerToken)
    }

    @Test func llamaShapesMatchTheMemoryModel() {
        for spec in [ModelSpec.llama7B, .llama65B] {
            let heads = spec.hiddenSize / 128
            let c = TransformerConfiguration.llama(
                vocabularySize: spec.vocabularySize, contextLength: 2048, modelDimension: spec.hiddenSize, headCount: heads,
                layerCount: spec.layers, mlpDimension: spec.intermediateSize)
            #expect(c.parameterCount == spec.parameterCount, "\(spec.name)")
        }
        #expect(ModelSpec.llama7B.parameterCount == 6_738_415_616)
    }
}
