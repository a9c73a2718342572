import LoRA
import Testing

@Suite struct LoRAPlusTests {
    /// A tiny model with LoRA (or DoRA) on q and v, and B moved off zero so every factor trains.
    func model(useDoRA: Bool = false) throws -> (TransformerModel<Float>, TaskSuite) {
        let suite = TaskSuite(alphabetSize: 8, length: 4, seed: 1)
        var model = try TransformerModel<Float>(configuration: suite.modelConfiguration(modelDimension: 16, headCount: 2, layerCount: 1), seed: 1)
        try model.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: .init(rank: 2, alpha: 4, useDoRA: useDoRA), seed: 3)
        var g = SeededGenerator(seed: 4)
        model.updateTrainableParameters { name, value in
            if name.hasSuffix("lora_B.weight") { value = .normal(value.rows, value.columns, std: 0.1, using: &g) }
        }
        return (model, suite)
    }

    /// λ = 1 is plain AdamW, bit for bit, over 25 steps of a DoRA model (A, B and magnitudes).
    @Test func ratioOneIsPlainAdamWBitForBit() throws {
        let (start, suite) = try model(useDoRA: true)
        let settings = TrainingConfiguration(steps: 25, batchSize: 8, learningRate: 3e-3, seed: 5)
        var plain = start, plus = start
        var adamW = AdamW<Float>()
        var loraPlus = LoRAPlus(AdamW<Float>(), ratio: 1)
        let l1 = Trainer.train(&plain, optimizer: &adamW, configuration: settings, tasks: [suite.reverse])
        let l2 = Trainer.train(&plus, optimizer: &loraPlus, configuration: settings, tasks: [suite.reverse])
        #expect(l1 == l2)
        let a = plain.namedParameters, b = plus.namedParameters
        #expect(a.map(\.name) == b.map(\.name))
        for (p, q) in zip(a, b) { #expect(p.value == q.value, "\(p.name)") }
        #expect(a.contains { $0.name.hasSuffix("lora_magnitude_vector") })
        // And training moved them (the comparison is not of untouched tensors).
        #expect(zip(start.namedParameters, a).contains { $0.isTrainable && $0.value != $1.value })
    }

    /// With λ = 4 and no weight decay, the first AdamW step moves B and the magnitudes by 4× what
    /// plain AdamW moves them, and A by exactly the same (Adam's first step is ±η per element).
    @Test func bAndVectorsMoveLambdaTimesAsFar() throws {
        let (start, suite) = try model(useDoRA: true)
        var g = SeededGenerator(seed: 6)
        let batch = suite.reverse.batch(size: 8, using: &g)
        func step<O: Optimizer>(_ optimizer: inout O) -> TransformerModel<Float> where O.Scalar == Float {
            var m = start
            var dropout = SeededGenerator(seed: 7)
            _ = Trainer.step(&m, batch: batch, optimizer: &optimizer, learningRate: 1e-3, maxGradientNorm: nil, generator: &dropout)
            return m
        }
        var adamW = AdamW<Float>(weightDecay: 0)
        var loraPlus = LoRAPlus(AdamW<Float>(weightDecay: 0), ratio: 4)
        let plain = step(&adamW), plus = step(&loraPlus)
        var checked = (a: 0, b: 0, m: 0)
        for ((p0, p1), p2) in zip(zip(start.namedParameters, plain.namedParameters), plus.namedParameters) where p0.isTrainable {
            let d1 = p1.value - p0.value, d2 = p2.value - p0.value
            if p0.name.hasSuffix("lora_A.weight") {
                #expect(d2 == d1, "\(p0.name)")
                checked.a += 1
            } else {
                let err = (d2 - Float(4) * d1).frobeniusNorm / (Float(4) * d1).frobeniusNorm
                #expect(err <= 1e-4, "\(p0.name): ‖Δ₊ − 4Δ‖/‖4Δ‖ = \(err)")
                if p0.name.hasSuffix("lora_B.weight") { checked.b += 1 } else { checked.m += 1 }
            }
        }
        #expect(checked.a == 2 && checked.b == 2 && checked.m == 2)
    }

    @Test func grouping() {
        let row = Matrix<Float>.zeros(1, 4), matrix = Matrix<Float>.zeros(2, 4)
        #expect(LoRAPlus<AdamW<Float>>.takesRatio("layers.0.self_attn.q_proj.lora_B.weight", matrix))
        #expect(!LoRAPlus<AdamW<Float>>.takesRatio("layers.0.self_attn.q_proj.lora_A.weight", matrix))
        #expect(!LoRAPlus<AdamW<Float>>.takesRatio("layers.0.self_attn.q_proj.lora_A.weight", row))  // r = 1 is still a matrix
        #expect(LoRAPlus<AdamW<Float>>.takesRatio("layers.0.self_attn.q_proj.lora_magnitude_vector", row))
        #expect(LoRAPlus<AdamW<Float>>.takesRatio("layers.0.mlp.up_proj.bias", row))
    }
}
