import LoRA
import Testing

@Suite struct ParameterCountTests {
    @Test func loraCountIsRankTimesSumOfDims() throws {
        var g = SeededGenerator(seed: 1)
        for (d, k, r) in [(24, 32, 4), (10, 7, 1), (16, 16, 16)] {
            let base = Linear<Float>(inFeatures: k, outFeatures: d, bias: false, using: &g)
            let layer = try LoRALinear(base: base, hyperparameters: .init(rank: r), using: &g)
            #expect(layer.parameterCount.trainable == r * (d + k))
            #expect(layer.parameterCount.frozen == d * k)
            #expect(ParameterCount.loraParameters(rank: r, out: d, in: k) == r * (d + k))
        }
    }

    @Test func seedsPointFourPercent() {
        // r(d+k)/(dk) = 8·8192 / 4096² = 0.00390625 exactly.
        #expect(ParameterCount.compressionRatio(rank: 8, out: 4096, in: 4096) * 100 == 0.390625)
    }

    @Test func modelTotalsSumLayers() throws {
        var g = SeededGenerator(seed: 2)
        let base = Linear<Float>(inFeatures: 8, outFeatures: 8, using: &g)
        let lora = try LoRALinear(base: base, hyperparameters: .init(rank: 2), using: &g)
        let head = Linear<Float>(inFeatures: 8, outFeatures: 3, using: &g)
        let total = ParameterCount.total(of: [lora, head])
        #expect(total.trainable == 2 * 16 + 27)
        #expect(total.frozen == 72)
        #expect(abs(total.trainableFraction - 59.0 / 131) < 1e-15)
    }
}
