// Exercise 35 · chapter 18 (ch18-inside-the-llama-block): one decoding step with a KV cache
//
// Decoding token by token, the new token's query attends over the keys and values of every
// position so far, its own included. Those of earlier positions never change (causal
// attention), so each layer keeps them in a cache and only appends the new token's row:
//
//   keys.append(key); values.append(value)                 rows of width KV·d_h each
//   for each query head h = 0 … H − 1, with its key/value head j = h / (H/KV):
//     sₜ = (q_h · k_{t,j}) / √d_h          for every cached row t (the new one included)
//     pₜ = exp(sₜ − max s) / Σ exp(sᵤ − max s)
//     o_h = Σₜ pₜ · v_{t,j}
//   output = [o_0 | o_1 | … | o_{H−1}]                     width H·d_h
//
// q_h is columns h·d_h ..< (h+1)·d_h of `query`; k_{t,j} and v_{t,j} are columns
// j·d_h ..< (j+1)·d_h of row t. With H = KV this is ordinary multi-head attention; with
// fewer key/value heads (grouped-query attention) H/KV consecutive query heads share one.
// Subtract the largest score before exp: a score of 800 overflows exp in Double. The check
// compares with the library's cached attention, `ScaledDotProductAttention.forward(query:
// cachedKeys:cachedValues:heads:keyValueHeads:)`, which chapter 18 decodes with.
//
// What to do: append the new key and value, then return the attention output of the query.
// Check: swift run exercises 35         Stuck? swift run exercises 35 --hint
import LoRA

/// Appends `key` and `value` (width KV·d_h) to the cache `keys`, `values` (one row per earlier
/// position) and returns the attention output (width H·d_h) of `query` (width H·d_h, the new
/// position's) over every cached row, with `heads` query heads and `keyValueHeads` key/value heads.
public func decodingStep(keys: inout [[Double]], values: inout [[Double]], key: [Double], value: [Double], query: [Double],
                         heads: Int, keyValueHeads: Int) -> [Double] {
    // TODO: append, then per query head: scores, softmax, weighted sum of values. This
    // placeholder leaves the cache as it is and returns zeros.
    return Array(repeating: 0, count: query.count)
}
