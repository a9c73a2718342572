import LoRA
import Testing

@Suite struct MergeTests {
    func layerWithNonZeroB() throws -> (LoRALinear<Linear<Float>>, Matrix<Float>) {
        var g = SeededGenerator(seed: 17)
        let base = Linear<Float>(inFeatures: 32, outFeatures: 24, using: &g)
        var layer = try LoRALinear(base: base, hyperparameters: .init(rank: 4, alpha: 8), adapterName: "task-a", using: &g)
        layer.b = .normal(24, 4, std: 0.1, using: &g)  // else merging changes nothing
        return (layer, .normal(9, 32, using: &g))
    }

    @Test func mergedUnmergedAndUnloadedOutputsAgree() throws {
        var (layer, x) = try layerWithNonZeroB()
        let base = layer.base
        let unmerged = layer.forward(x)
        #expect(try layer.merge() == .changed)
        let merged = layer.forward(x)
        #expect(try layer.merge() == .alreadyMerged)  // second merge is a reported no-op
        #expect(layer.forward(x) == merged)
        #expect(try layer.unmerge() == .changed)
        let again = layer.forward(x)
        #expect(try layer.unmerge() == .notMerged)
        let unloaded = layer.mergedAndUnloaded().forward(x)
        for other in [merged, again, unloaded] {
            #expect(allClose(other, unmerged, atol: 1e-4, rtol: 1e-4))
        }
        #expect(!allClose(merged, base.forward(x), atol: 1e-4, rtol: 1e-4))
    }

    @Test func forwardWhileMergedIsTheBaseAlone() throws {
        var (layer, x) = try layerWithNonZeroB()
        try layer.merge()
        #expect(layer.forward(x) == layer.base.forward(x))
        #expect(layer.base.weight.maxAbsDifference(layer.mergedAndUnloaded().weight) == 0)
    }

    @Test func safeMergeAgreesWithMerge() throws {
        var (layer, x) = try layerWithNonZeroB()
        var copy = layer
        try copy.merge()
        try layer.merge(safe: true)
        #expect(layer.forward(x).maxAbsDifference(copy.forward(x)) <= 1e-6)
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func safeMergeRefusesNonFiniteAdapters(_ poison: Float) throws {
        for factor in ["A", "B"] {
            var (layer, _) = try layerWithNonZeroB()
            if factor == "A" { layer.a[0, 0] = poison } else { layer.b[0, 0] = poison }
            let before = layer.base.weight
            #expect(throws: LoRAError.nonFiniteMerge(adapter: "task-a")) { try layer.merge(safe: true) }
            #expect(!layer.isMerged)
            #expect(layer.base.weight == before)
        }
        #expect("\(LoRAError.nonFiniteMerge(adapter: "task-a"))".contains("'task-a'"))
    }
}
