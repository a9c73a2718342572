// Exercise 21 · chapter 06 (ch06-nf4): one Lloyd–Max step
//
// NF4's levels give equal probability to each code; they are not the levels with the smallest
// squared error. Those come from Lloyd's algorithm (Lloyd 1982; Max 1960), which repeats two
// steps until nothing moves:
//
//   1. each value goes to its nearest level:  cell k = { x : tₖ₋₁ < x ≤ tₖ },  tₖ = (cₖ + cₖ₊₁)/2
//      (a value exactly on a midpoint goes to the LOWER level)
//   2. each level moves to the mean of the values in its cell (an empty cell's level stays)
//
// Each step can only lower the mean squared error. The check compares one step of yours with
// the library's LloydMax.fit(values, initial: levels, maxIterations: 1).
//
// What to do: return the levels after one step (same count, same order).
// Check: swift run exercises 21         Stuck? swift run exercises 21 --hint

/// One Lloyd–Max step for ascending `levels` on `values`.
public func lloydMaxStep(values: [Float], levels: [Double]) -> [Double] {
    // TODO: assign each value to its nearest level, then move each level to its cell's mean.
    return levels
}
