// Exercise 15 · chapter 11 (ch11-rank-targets-limits): which modules get LoRA
//
// PEFT's `target_modules` picks modules by their dotted names (e.g. "layers.0.attn.q_proj"):
// - a LIST matches a name equal to an item or ending in "." + item — whole components only,
//   so "proj" does not match "q_proj";
// - a single STRING is a regular expression that must match the WHOLE name;
// - the string "all-linear" selects every linear layer except the output head "lm_head".
//
// What to do: implement the three rules. An invalid regex matches nothing.
// Check: swift run exercises 15         Stuck? swift run exercises 15 --hint

/// The list form of target_modules.
public func matchesTargetList(_ moduleName: String, targets: [String]) -> Bool {
    // TODO: exact name or "." + target suffix.
    return false
}

/// The string (regex) form of target_modules.
public func matchesTargetPattern(_ moduleName: String, pattern: String) -> Bool {
    // TODO: a full match of the whole name; false if the pattern does not compile.
    return false
}

/// "all-linear": linear layers other than the output head.
public func isAllLinearTarget(_ moduleName: String, isLinear: Bool) -> Bool {
    // TODO: linear, and not lm_head.
    return false
}
