import LoRA
import Testing

/// PEFT's target_modules / exclude_modules rules on the tiny transformer's module names.
@Suite struct TargetMatchingTests {
    func model() throws -> TransformerModel<Float> {
        try TransformerModel<Float>(configuration: TransformerConfiguration(vocabularySize: 10, contextLength: 4, modelDimension: 8, headCount: 2, layerCount: 2), seed: 1)
    }

    @Test func moduleNamesUseLLaMAPaths() throws {
        let m = try model()
        #expect(m.moduleNames.contains("layers.1.self_attn.q_proj"))
        #expect(m.moduleNames.contains("layers.0.mlp.up_proj"))
        #expect(m.linearLayerNames.count == 2 * 6 + 1)
        #expect(m.linearLayerNames.last == "lm_head")
    }

    @Test func listItemsMatchWholeComponentsOnly() throws {
        let m = try model()
        #expect(try m.resolveTargets(.names(["q_proj", "v_proj"])) ==
                ["layers.0.self_attn.q_proj", "layers.0.self_attn.v_proj", "layers.1.self_attn.q_proj", "layers.1.self_attn.v_proj"])
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.names(["proj"])) }
        #expect(try m.resolveTargets(.names(["layers.1.mlp.up_proj"])) == ["layers.1.mlp.up_proj"])
        #expect(try m.resolveTargets(.names(["1.mlp.up_proj"])) == ["layers.1.mlp.up_proj"])
    }

    @Test func stringIsAFullMatchRegex() throws {
        let m = try model()
        // "q_proj" as a string must match the whole name: nothing does.
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.pattern("q_proj")) }
        #expect(try m.resolveTargets(.pattern(#".*\.(q|v)_proj"#)).count == 4)
        #expect(try m.resolveTargets(TargetModules(#"layers\.0\..*_proj"#)).count == 6)
    }

    @Test func allLinearLeavesOutTheHead() throws {
        let m = try model()
        let names = try m.resolveTargets(TargetModules("all-linear"))
        #expect(names.count == 12 && !names.contains("lm_head"))
        // The seed article's list ["all_linear"] is an ordinary name and matches nothing.
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.names(["all_linear"])) }
    }

    @Test func excludeModulesWinsOverTargets() throws {
        let m = try model()
        #expect(try m.resolveTargets(.names(["q_proj"]), exclude: .names(["layers.0.self_attn.q_proj"])) == ["layers.1.self_attn.q_proj"])
        #expect(try m.resolveTargets(.allLinear, exclude: .pattern(#".*mlp.*"#)).count == 8)
        #expect(try m.resolveTargets(.allLinear, exclude: .names(["q_proj", "k_proj"])).count == 8)
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.names(["q_proj"]), exclude: .names(["q_proj"])) }
    }

    @Test func noMatchErrorNamesTargetsAndListsModules() throws {
        let m = try model()
        do {
            _ = try m.resolveTargets(.names(["query"]))
            Issue.record("expected an error")
        } catch let error as TargetModuleError {
            let text = "\(error)"
            #expect(text.contains("\"query\""))
            #expect(text.contains("layers.0.self_attn.q_proj") && text.contains("lm_head"))
            guard case .noMatch(_, _, let available) = error else { Issue.record("wrong case \(error)"); return }
            #expect(available == m.moduleNames)
        }
    }

    @Test func badRegexAndNonLinearTargetsThrow() throws {
        let m = try model()
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.pattern("q_proj(")) }
        #expect(throws: TargetModuleError.self) { try m.resolveTargets(.allLinear, exclude: .pattern("[")) }
        #expect(throws: TargetModuleError.unsupportedModule("layers.0.self_attn")) { try m.resolveTargets(.names(["self_attn"])) }
    }

    @Test func injectionWrapsTargetsAndFreezesTheRest() throws {
        var m = try model()
        let before = m.parameterCount.total
        let names = try m.injectLoRA(targets: .names(["q_proj", "v_proj"]), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), seed: 3)
        #expect(m.adaptedLayerNames == names)
        let trainable = m.namedParameters.filter(\.isTrainable)
        #expect(trainable.count == 8 && trainable.allSatisfy { $0.name.contains(".lora_") })
        #expect(m.parameterCount.trainable == 4 * 2 * (8 + 8))
        #expect(m.parameterCount.total == before + 4 * 2 * (8 + 8))
        // B = 0: the adapted model computes exactly what the base did.
        let plain = try model()
        let tokens = [1, 2, 3, 4, 5, 6, 7, 8]
        #expect(m.logits(tokens: tokens, sequenceLength: 4) == plain.logits(tokens: tokens, sequenceLength: 4))
        // A failed injection leaves the model as it was.
        let snapshot = m.namedParameters.map(\.value)
        #expect(throws: TargetModuleError.alreadyAdapted("layers.0.self_attn.q_proj")) {
            try m.injectLoRA(targets: .names(["q_proj"]), seed: 1)
        }
        #expect(m.namedParameters.map(\.value) == snapshot)
    }
}
