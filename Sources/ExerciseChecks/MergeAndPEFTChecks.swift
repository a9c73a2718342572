import LoRA

// Checks for exercises 12, 15 and 16 (chapters 09, 11, 12). Oracles: LoRALinear's merge and forward,
// PEFT's target-module rules and key names as written down in SPEC-LORA.md.

func checkMerge(_ impl: Implementations) -> CheckResult {
    let c = LoRACase(n: 5, inFeatures: 12, outFeatures: 8, rank: 4, alpha: 8, seed: 1201)
    var layer = c.layer
    try! layer.merge()  // a dense merge cannot fail
    let merged = impl.merge(c.w0, c.a, c.b, c.scale)
    return firstFailure([
        { expectShape(merged, 8, 12, "merge(W0 (8, 12), A (4, 12), B (8, 4))") },
        { merged.maxAbsDifference(c.w0) > 1e-3 ? nil
            : CheckFailure(checking: "merge(W0, A, B, s) with B ≠ 0", expected: "a weight different from W0", got: "W0 unchanged", why: "merging adds ΔW = s·B·A") },
        { expectClose(merged, layer.base.weight, "merge(W0, A, B, s = \(show(c.scale)))", atol: 1e-5, rtol: 1e-5, why: "W_merged = W0 + s·B·A") },
        { expectClose(c.x.matmul(merged, transposeB: true), c.layer.forward(c.x), "x·W_mergedᵀ vs the unmerged LoRA forward", atol: 1e-4, rtol: 1e-4,
                      why: "a merged layer computes the same outputs (PEFT's tests use atol = rtol = 1e-4)") },
        { expectClose(impl.unmerge(merged, c.a, c.b, c.scale), c.w0, "unmerge(merge(W0))", atol: 1e-5, rtol: 1e-5, why: "unmerge subtracts the same s·B·A, exact up to rounding") },
    ])
}

func checkTargetModules(_ impl: Implementations) -> CheckResult {
    let qv = ["q_proj", "v_proj"]
    let lists: [(String, [String], Bool, String)] = [
        ("layers.0.attn.q_proj", qv, true, "a name ending in \".\" + target matches"),
        ("layers.0.attn.v_proj", qv, true, "any item of the list may match"),
        ("q_proj", qv, true, "an exact name matches"),
        ("layers.0.attn.k_proj", qv, false, "k_proj is not in the list"),
        ("layers.0.attn.q_proj", ["proj"], false, "matching is on whole components: \"proj\" does not match \"q_proj\""),
        ("layers.0.attn.q_proj", ["attn.q_proj"], true, "a dotted suffix matches"),
        ("layers.0.xattn.q_proj", ["attn.q_proj"], false, "\"xattn.q_proj\" does not end with \".attn.q_proj\""),
        ("layers.0.attn.q_proj_extra", qv, false, "a longer last component is a different module"),
        ("layers.0.attn.q_proj", [], false, "an empty list matches nothing"),
    ]
    for (name, targets, want, why) in lists {
        let got = impl.matchesTargetList(name, targets)
        if got != want { return .failed(CheckFailure(checking: "matchesTargetList(\"\(name)\", \(targets))", expected: "\(want)", got: "\(got)", why: why)) }
    }
    let patterns: [(String, String, Bool, String)] = [
        ("layers.0.attn.q_proj", #".*\.(q_proj|v_proj)"#, true, "the regex matches the whole name"),
        ("layers.0.attn.k_proj", #".*\.(q_proj|v_proj)"#, false, "k_proj is not in the alternation"),
        ("layers.0.attn.q_proj", "q_proj", false, "a string target must match the WHOLE name (re.fullmatch), not a part"),
        ("layers.1.attn.q_proj", #"layers\.0\..*"#, false, "only layer 0"),
        ("layers.0.attn.q_proj", #"layers\.0\..*"#, true, "every module of layer 0"),
        ("layers.0.attn.q_proj", "([", false, "an invalid pattern matches nothing (and must not crash)"),
    ]
    for (name, pattern, want, why) in patterns {
        let got = impl.matchesTargetPattern(name, pattern)
        if got != want { return .failed(CheckFailure(checking: "matchesTargetPattern(\"\(name)\", \"\(pattern)\")", expected: "\(want)", got: "\(got)", why: why)) }
    }
    let linear: [(String, Bool, Bool, String)] = [
        ("layers.0.attn.q_proj", true, true, "every linear layer"),
        ("layers.3.mlp.down_proj", true, true, "MLP layers are linear too"),
        ("lm_head", true, false, "all-linear excludes the output head"),
        ("layers.0.norm", false, false, "only linear layers"),
    ]
    for (name, isLinear, want, why) in linear {
        let got = impl.isAllLinearTarget(name, isLinear)
        if got != want { return .failed(CheckFailure(checking: "isAllLinearTarget(\"\(name)\", isLinear: \(isLinear))", expected: "\(want)", got: "\(got)", why: why)) }
    }
    return .passed
}

func checkAdapterFiles(_ impl: Implementations) -> CheckResult {
    let names: [(String, String)] = [
        ("model.layers.0.self_attn.q_proj", "base_model.model.model.layers.0.self_attn.q_proj"),
        ("layers.2.attn.v_proj", "base_model.model.layers.2.attn.v_proj"),
    ]
    for (path, prefix) in names {
        let got = impl.adapterTensorNames(path)
        let want = (prefix + ".lora_A.weight", prefix + ".lora_B.weight")
        if got.a != want.0 || got.b != want.1 {
            return .failed(CheckFailure(checking: "adapterTensorNames(\"\(path)\")", expected: "(\"\(want.0)\", \"\(want.1)\")", got: "(\"\(got.a)\", \"\(got.b)\")",
                                        why: "PEFT saves base_model.model.<module path>.lora_A.weight / .lora_B.weight, without the adapter name"))
        }
    }
    let prefixes: [(Int, [UInt8])] = [
        (0x0102, [0x02, 0x01, 0, 0, 0, 0, 0, 0]), (88, [88, 0, 0, 0, 0, 0, 0, 0]),
        (0x0123_4567_89AB, [0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0]), (0, [0, 0, 0, 0, 0, 0, 0, 0]),
    ]
    for (n, want) in prefixes {
        let got = impl.safetensorsLengthPrefix(n)
        if got != want {
            return .failed(CheckFailure(checking: "safetensorsLengthPrefix(\(n))", expected: hex(want), got: hex(got),
                                        why: "a safetensors file starts with the JSON header's length as an unsigned 64-bit little-endian integer"))
        }
    }
    return .passed
}
