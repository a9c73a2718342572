// Solution 15 · chapter 11 (ch11-rank-targets-limits): which modules get LoRA

/// The list form of target_modules.
public func matchesTargetList(_ moduleName: String, targets: [String]) -> Bool {
    // Whole components only: "layers.0.attn.q_proj" ends with ".q_proj" and with
    // ".attn.q_proj", but "proj" would need ".proj" — so it does not match q_proj.
    targets.contains { moduleName == $0 || moduleName.hasSuffix("." + $0) }
}

/// The string (regex) form of target_modules.
public func matchesTargetPattern(_ moduleName: String, pattern: String) -> Bool {
    // PEFT uses Python's re.fullmatch: the pattern must cover the whole name, so "q_proj"
    // alone matches no nested module. A pattern that does not compile selects nothing here.
    guard let regex = try? Regex(pattern) else { return false }
    return moduleName.wholeMatch(of: regex) != nil
}

/// "all-linear": linear layers other than the output head.
public func isAllLinearTarget(_ moduleName: String, isLinear: Bool) -> Bool {
    // The output head maps to the vocabulary; adapting it is rarely wanted and PEFT leaves it
    // out. (The seed article writes "all_linear" with an underscore: PEFT would treat that as
    // an ordinary name and match nothing.)
    isLinear && moduleName != "lm_head"
}
