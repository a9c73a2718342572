import Foundation
import LoRA
import Testing

/// `add_weighted_adapter` against PEFT 0.21.2's own results (Fixtures/peft_written/combined_cat):
/// sources t1…t4 loaded from PEFT's files, combined here, compared with the combined adapters
/// PEFT computed and saved.
@Suite struct AdapterCombinationTests {
    static let folder = PEFTWrittenAdapterTests.root.appendingPathComponent("combined_cat")

    static func source(_ name: String) throws -> TransformerModel<Float> {
        try PEFTWrittenAdapterTests.base().loadingAdapter(from: folder.appendingPathComponent(name))
    }

    /// (sources, weights, type) of each combined adapter, as in make_fixtures.py's COMBINED.
    static let combined: [(name: String, sources: [String], weights: [Double], type: CombinationType)] = [
        ("cat", ["t1", "t2"], [1.0, 1.0], .cat),
        ("cat_weighted", ["t1", "t2"], [0.5, -2.0], .cat),
        ("linear", ["t3", "t4"], [0.5, 1.5], .linear),
        ("linear_neg", ["t3", "t4"], [1.0, -0.5], .linear),
        ("svd", ["t3", "t4"], [0.5, 1.5], .svd(rank: nil)),
    ]

    /// Factors (cat, linear) and ΔW (all three) against PEFT's. Tolerances: 1e-6 of the largest
    /// entry for cat and linear (a few float32 roundings); svd's ΔW within 1e-5 of its largest
    /// entry (float32 SVDs from two LAPACKs), and A, B are compared only through B·A (each
    /// singular pair is unique up to sign).
    @Test(arguments: combined.map(\.name))
    func combinationMatchesPEFT(_ name: String) throws {
        let spec = try #require(Self.combined.first { $0.name == name })
        let expected = try SafetensorsReader.read(contentsOf: Self.folder.appendingPathComponent("expected.safetensors"))
        let sources = try spec.sources.map(Self.source)
        let model = try PEFTWrittenAdapterTests.base().combiningAdapters(of: sources, weights: spec.weights, type: spec.type)
        let peft = try Self.source(name)
        #expect(model.adaptedLayerNames == peft.adaptedLayerNames)
        for (path, layer) in model.adaptedLayers {
            let key = name + "." + path
            let branch = layer.branch
            #expect(Float(branch.rank) == expected.tensors[key + ".rank"]!.values[0], "\(key) rank")
            #expect(branch.hyperparameters.alpha == Double(expected.tensors[key + ".alpha"]!.values[0]), "\(key) alpha")
            #expect(branch.scale == expected.tensors[key + ".scaling"]!.values[0], "\(key) scaling")
            let delta = PEFTWrittenAdapterTests.matrix(expected.tensors[key + ".delta_weight"]!)
            let tolerance = (spec.type == .svd(rank: nil) ? 1e-5 : 1e-6) * Double(delta.maxAbs)
            #expect(branch.deltaWeight.maxAbsDifference(delta) <= tolerance, "\(key) ΔW \(branch.deltaWeight.maxAbsDifference(delta))")
            if spec.type != .svd(rank: nil) {
                let a = PEFTWrittenAdapterTests.matrix(expected.tensors[key + ".lora_A"]!)
                let b = PEFTWrittenAdapterTests.matrix(expected.tensors[key + ".lora_B"]!)
                #expect(branch.a.maxAbsDifference(a) <= 1e-6 * Double(a.maxAbs), "\(key) A")
                #expect(branch.b.maxAbsDifference(b) <= 1e-6 * Double(b.maxAbs), "\(key) B")
            }
            // PEFT's saved combined adapter, loaded by us, is the same layer.
            #expect(peft[linear: path].adapterBranch!.deltaWeight.maxAbsDifference(branch.deltaWeight) <= tolerance)
        }
        // Our saved config has PEFT's r and lora_alpha.
        let dir = try makeTemporaryDirectory("combined")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ours = try model.saveAdapter(to: dir)
        let theirs = try AdapterConfig.read(contentsOf: Self.folder.appendingPathComponent(name).appendingPathComponent(AdapterConfig.fileName))
        #expect(ours.r == theirs.r && ours.loraAlpha == theirs.loraAlpha && ours.rankPattern.isEmpty)
    }

    /// cat is exact; svd is the best rank-r approximation (its error is the tail of the spectrum);
    /// linear differs from the weighted sum by exactly its cross terms.
    @Test func whatEachTypeComputes() throws {
        var g = SeededGenerator(seed: 3)
        func branch(_ r: Int, _ alpha: Double) throws -> LoRABranch<Double> {
            try LoRABranch(a: .normal(r, 10, using: &g), b: .normal(8, r, using: &g), hyperparameters: .init(rank: r, alpha: alpha), inFeatures: 10, outFeatures: 8)
        }
        let (p, q) = (try branch(2, 4), try branch(2, 8))
        let w = [0.7, -1.2]
        let sum = AdapterCombination.weightedSum([p, q], weights: w)
        let cat = try AdapterCombination.combine([p, q], weights: w, type: .cat)
        #expect(cat.rank == 4 && cat.scale == 1)
        #expect(cat.deltaWeight.maxAbsDifference(sum) <= 1e-12)
        let svd = try AdapterCombination.combine([p, q], weights: w, type: .svd(rank: 2))
        let sigma = try sum.svd().singularValues
        let tail = (sigma[2...].reduce(0) { $0 + $1 * $1 }).squareRoot()
        #expect(abs((svd.deltaWeight - sum).frobeniusNorm - tail) <= 1e-10)
        #expect(try AdapterCombination.combine([p, q], weights: w, type: .svd(rank: 4)).deltaWeight.maxAbsDifference(sum) <= 1e-10)
        let linear = try AdapterCombination.combine([p, q], weights: w, type: .linear)
        let (c1, c2) = (w[0] * p.scale, w[1] * q.scale)
        // B·A = c₁B₁A₁ + c₂B₂A₂ + sign(c₂)√|c₁c₂|·B₁A₂ + sign(c₁)√|c₁c₂|·B₂A₁
        let cross = (abs(c1 * c2)).squareRoot()
        let expected = sum + (c2 < 0 ? -cross : cross) * p.b.matmul(q.a) + (c1 < 0 ? -cross : cross) * q.b.matmul(p.a)
        #expect(linear.deltaWeight.maxAbsDifference(expected) <= 1e-12)
        #expect(throws: CombinationError.ranksDiffer([2, 3])) {
            try AdapterCombination.combine([p, try branch(3, 3)], weights: [1, 1], type: .linear)
        }
        #expect(throws: CombinationError.sources(adapters: 2, weights: 1)) { try AdapterCombination.combine([p, q], weights: [1], type: .cat) }
        #expect(throws: CombinationError.svdRank(9, limit: 8)) { try AdapterCombination.combine([p, q], weights: w, type: .svd(rank: 9)) }
    }
}
