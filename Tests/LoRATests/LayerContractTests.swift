import Foundation
import LoRA
import Testing

/// One contract, run against every kind of linear layer: dense, 4-bit, and LoRA with each
/// registered variant (and none) over both bases.
///
/// ```
/// names        trainable parameter names = gradient names (same order) = adapter-file names (adapted layers)
/// merge        merge → unmerge gives the base back: bit for bit for plain LoRA and LoRA bias on exact
///              (2⁻⁸-grid, s = 1) values, within 1e-6 for DoRA (it divides by m/n); on 4 bits the
///              merged function is kept to within re-quantization
/// unload       merged-and-unloaded computes the layer's function and is frozen, for every variant
/// precision    Float → Double → Float gives the same parameters and outputs (4-bit: the same function)
/// ```
@Suite struct LayerContractTests {
    struct Kind: Sendable, CustomStringConvertible {
        let variant: LoRAVariantKind?
        let adapted: Bool
        let quantized: Bool
        var description: String {
            (adapted ? "LoRA(\(variant?.name ?? "plain")) over " : "") + (quantized ? "QuantizedLinear" : "Linear")
        }
    }

    static let kinds: [Kind] = [Kind(variant: nil, adapted: false, quantized: false), Kind(variant: nil, adapted: false, quantized: true)]
        + [nil, LoRAVariantKind.dora, .loraBias].flatMap { v in [false, true].map { Kind(variant: v, adapted: true, quantized: $0) } }

    /// A layer of `kind` with values on a 2⁻⁸ grid and every trainable tensor moved off its start.
    static func layer(_ kind: Kind) throws -> any LinearLayer<Float> {
        var g = SeededGenerator(seed: 21)
        func grid(_ r: Int, _ c: Int) -> Matrix<Float> { Matrix(rows: r, columns: c) { _, _ in Float(g.nextInt(below: 64) - 32) / 256 } }
        let dense = Linear<Float>(weight: grid(8, 64), bias: grid(1, 8))
        let base: any LoRABase<Float> = kind.quantized ? try QuantizedLinear(quantizing: dense) : dense
        guard kind.adapted else { return base }
        func adapt<B: LoRABase>(_ b: B) throws -> any LinearLayer<Float> where B.Scalar == Float {
            var l = try LoRALinear(base: b, a: grid(2, 64), b: grid(8, 2), hyperparameters: .init(rank: 2, alpha: 2, variant: kind.variant))
            if let v = l.variant {
                try l.setVariantTensors(v.tensors.map { NamedTensor($0.name, $0.value + grid(1, 8)) })
            }
            return l
        }
        return try adapt(base)
    }

    @Test(arguments: kinds)
    func parameterGradientAndFileNamesAgree(_ kind: Kind) throws {
        let layer = try Self.layer(kind)
        var g = SeededGenerator(seed: 3)
        let x = Matrix<Float>.normal(4, 64, using: &g)
        let (y, cache) = layer.forwardErasingCache(x, training: &g)
        let grads = layer.backward(.normal(y.rows, y.columns, using: &g), erasedCache: cache)
        let trainable = layer.namedParameters.filter(\.isTrainable).map(\.name)
        #expect(grads.parameters.map(\.name) == trainable)
        guard let adapted = layer as? any AdaptedLayer<Float> else {
            #expect(kind.adapted == false)
            return
        }
        #expect(trainable == ["lora_A.weight", "lora_B.weight"] + (kind.variant?.tensorNames ?? []))
        #expect(adapted.extraAdapterTensors.map(\.name) == kind.variant?.tensorNames ?? [])
        let document = AdapterFiles.document(for: [(path: "m", layer: adapted)])
        #expect(document.tensors.keys.sorted() == trainable.map { AdapterFiles.keyPrefix + "m." + $0 }.sorted())
    }

    @Test(arguments: kinds.filter(\.adapted))
    func mergeUnmergeRestoresTheBaseAndUnloadIsFrozen(_ kind: Kind) throws {
        let layer = try #require(try Self.layer(kind) as? any AdaptedLayer<Float>)
        var g = SeededGenerator(seed: 5)
        let x = Matrix<Float>.normal(6, 64, using: &g)
        let y = layer.forward(x)
        let tolerance = 1e-5 * Double(y.maxAbs)
        let unloaded = layer.mergedAndUnloaded()
        #expect(!unloaded.isTrainable && unloaded.namedParameters.allSatisfy { !$0.isTrainable })
        #expect(unloaded.forward(x).maxAbsDifference(y) <= tolerance)
        func roundTrip<B: LoRABase>(_ l: LoRALinear<B>) throws -> (merged: LoRALinear<B>, restored: LoRALinear<B>) {
            var merged = l
            try merged.merge(safe: true)
            var restored = merged
            try restored.unmerge()
            return (merged, restored)
        }
        if let l = layer as? LoRALinear<Linear<Float>> {
            let (merged, restored) = try roundTrip(l)
            #expect(merged.forward(x).maxAbsDifference(y) <= tolerance)
            #expect(merged.mergedAndUnloaded().forward(x).maxAbsDifference(y) <= tolerance)
            if kind.variant == .dora {
                #expect(restored.base.weight.maxAbsDifference(l.base.weight) <= 1e-6)
            } else {
                #expect(restored.base == l.base)
            }
            #expect(restored.forward(x).maxAbsDifference(y) <= tolerance)
        } else {
            let l = try #require(layer as? LoRALinear<QuantizedLinear>)
            let (merged, restored) = try roundTrip(l)
            // 4 bits round the merged weight (as bitsandbytes' merge does): the function is kept
            // to within that rounding, not the bits; DoRA re-scales every row, so more codes move.
            #expect(merged.forward(x).maxAbsDifference(y) <= 0.25 * Double(y.maxAbs))
            #expect(merged.isMerged && !restored.isMerged)
        }
    }

    @Test(arguments: kinds)
    func floatDoubleFloatRoundTrips(_ kind: Kind) throws {
        let layer = try Self.layer(kind)
        let back = layer.converted(to: Double.self).converted(to: Float.self)
        var g = SeededGenerator(seed: 8)
        let x = Matrix<Float>.normal(5, 64, using: &g)
        if kind.quantized {
            // The 4-bit weight becomes dense dequant(W4): the same function.
            #expect(back.forward(x).maxAbsDifference(layer.forward(x)) <= 1e-5 * Double(layer.forward(x).maxAbs))
        } else {
            #expect(back.namedParameters.map(\.name) == layer.namedParameters.map(\.name))
            #expect(back.namedParameters.map(\.value) == layer.namedParameters.map(\.value))
            #expect(back.namedParameters.map(\.isTrainable) == layer.namedParameters.map(\.isTrainable))
            #expect(back.forward(x) == layer.forward(x))
        }
        if let adapted = layer as? any AdaptedLayer<Float> {
            let returned = try #require(back as? any AdaptedLayer<Float>)
            #expect(returned.variant?.kind == adapted.variant?.kind)
            #expect(returned.extraAdapterTensors.map(\.value) == adapted.extraAdapterTensors.map(\.value))
            #expect(returned.branch == adapted.branch)
        }
    }
}
