import LoRA
import Testing

@Suite struct MemoryEstimatorTests {
    @Test func llamaParameterCounts() {
        #expect(ModelSpec.llama7B.parameterCount == 6_738_415_616)
        #expect(ModelSpec.llama65B.parameterCount == 65_285_660_672)
        // r = 64 on all seven linear layers of 80 blocks: 80 · 64 · (4·2·8192 + 3·(8192 + 22016)).
        #expect(ModelSpec.llama65B.adapterParameterCount(rank: 64, targets: ModelSpec.allLinear) == 80 * 64 * (4 * 16384 + 3 * 30208))
    }

    /// The seed's row "65B模型显存: LoRA ~130GB, QLoRA ~48GB".
    @Test func seedSixtyFiveBillionRow() {
        let m = ModelSpec.llama65B
        let lora = MemoryEstimator.lora(m)
        // 16-bit weights alone: 2 bytes × 65.29e9 = 130.6 GB, the seed's "~130 GB".
        #expect(abs(lora.weights / 1e9 - 130.57) < 0.01)
        #expect(lora.totalGigabytes > 130 && lora.totalGigabytes < 145)
        let q = MemoryEstimator.qlora(m)
        // By hand: 4-bit codes of 64.76e9 linear params, 16-bit for the other 0.526e9,
        // 0.126953 bits of DQ constants per linear param, and 799.5M adapter params at
        // 4 (float32 weights, PEFT's default) + 4 (gradients) + 8 (AdamW float32 moments) bytes.
        let linear = 64_760_053_760.0, other = 525_606_912.0, adapter = 799_539_200.0
        let expected = linear / 2 + other * 2 + linear * (8.0 / 64 + 32.0 / (64 * 256)) / 8 + adapter * 16
        #expect(abs(q.total - expected) < 1)
        // ≈ 47.3 GB before activations: under the seed's (and the paper's) 48 GB.
        #expect(q.totalGigabytes > 43 && q.totalGigabytes < 48, "QLoRA 65B \(q.totalGigabytes) GB")
        // Full fine-tuning in 16-bit with float32 AdamW moments: 12 bytes/param ≈ 783 GB
        // (the paper's "> 780 GB").
        let full = MemoryEstimator.fullFineTuning(m)
        #expect(abs(full.totalGigabytes - 783.4) < 0.1)
    }

    @Test func doubleQuantizationSavesAboutThreeGigabytesOn65B() {
        let saved = MemoryEstimator.doubleQuantizationSavings(.llama65B)
        // 0.373 bits × 64.76e9 linear params / 8 ≈ 3.02 GB (the seed says "约 0.5GB": errata 4).
        #expect(abs(saved / 1e9 - 3.02) < 0.01)
        let plain = MemoryEstimator.qlora(.llama65B, doubleQuantization: false)
        let dq = MemoryEstimator.qlora(.llama65B)
        #expect(abs((plain.total - dq.total) - saved) < 1)
    }

    @Test func smallerStateShrinksTheOptimizer() {
        let a = MemoryEstimator.fullFineTuning(.llama7B)
        let b = MemoryEstimator.fullFineTuning(.llama7B, optimizerState: .int8)
        #expect(a.optimizerState == 4 * b.optimizerState)
        #expect(MemoryEstimator.qlora(.llama7B).totalGigabytes < MemoryEstimator.lora(.llama7B).totalGigabytes / 2)
    }
}

@Suite struct ActivationEstimateTests {
    /// The count written out for a tiny spec: L = 2, d = 4, m = 8, vocab 10, 3 tokens, bf16.
    @Test func countsTheTensorsItDocuments() {
        let spec = ModelSpec(name: "tiny", layers: 2, hiddenSize: 4, intermediateSize: 8, vocabularySize: 10)
        let activationsPerToken: Double = (8 * 4 + 4 * 8) * 2
        let loraInputsPerToken: Double = 4 * 4 + 4 * 4  // float32 inputs of q_proj and v_proj
        let perBlock: Double = 3 * (activationsPerToken + loraInputsPerToken)
        let logits: Double = 3 * 10 * 4 * 2
        #expect(ActivationEstimate.bytes(spec, tokens: 3, loraTargets: ["q_proj", "v_proj"], checkpointing: false) == 2 * perBlock + logits)
        let blockInputs: Double = 2 * 3 * 4 * 2
        #expect(ActivationEstimate.bytes(spec, tokens: 3, loraTargets: ["q_proj", "v_proj"], checkpointing: true) == blockInputs + perBlock + logits)
    }

    @Test func checkpointingKeepsLessAndEverythingGrowsWithTokens() {
        let a = ActivationEstimate.bytes(.llama7B, tokens: 512, checkpointing: false)
        let b = ActivationEstimate.bytes(.llama7B, tokens: 512, checkpointing: true)
        #expect(b < a / 4)
        #expect(ActivationEstimate.bytes(.llama7B, tokens: 1024, checkpointing: true) == 2 * b)
    }
}
