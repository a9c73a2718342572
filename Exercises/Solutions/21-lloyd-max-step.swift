// Solution 21 · chapter 06 (ch06-nf4): one Lloyd–Max step

/// One Lloyd–Max step for ascending `levels` on `values`.
public func lloydMaxStep(values: [Float], levels: [Double]) -> [Double] {
    // The cell boundaries: midpoints between neighbouring levels. Nearest-level rounding is
    // "which interval between midpoints contains x".
    let midpoints = zip(levels, levels.dropFirst()).map { ($0 + $1) / 2 }
    var sums = [Double](repeating: 0, count: levels.count)
    var counts = [Int](repeating: 0, count: levels.count)
    for value in values {
        let x = Double(value)
        // Midpoints strictly below x: a value exactly on a midpoint goes to the lower level.
        var cell = 0
        while cell < midpoints.count && midpoints[cell] < x { cell += 1 }
        sums[cell] += x
        counts[cell] += 1
    }
    // The mean of a cell minimises Σ (x − c)² over that cell, so moving each level there can
    // only lower the total error; the next step's midpoints then move too, and so on. A level
    // nobody is nearest to has no mean and stays.
    return levels.indices.map { k in counts[k] > 0 ? sums[k] / Double(counts[k]) : levels[k] }
}
