// Solution 28 · chapter 15 (ch15-combining-and-serving): combining adapters as PEFT does
import LoRA

/// PEFT's "cat" combination: (A, B) with scale 1.
public func combineCat(_ adapters: [LoRABranch<Float>], weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>) {
    guard let first = adapters.first else { return (a: .zeros(0, 0), b: .zeros(0, 0)) }
    let totalRank = adapters.reduce(0) { $0 + $1.rank }
    // Stacking row blocks of a row-major matrix is concatenating their storage. Each block
    // carries its adapter's weight and scale, so the new adapter's scale can be 1.
    var stackedA: [Float] = []
    for (adapter, w) in zip(adapters, weights) {
        let c = Float(w * adapter.hyperparameters.scale)
        stackedA += adapter.a.storage.map { c * $0 }
    }
    // Column j of the new B is column (j − offset) of the adapter whose block holds j.
    var owner: [(adapter: Int, column: Int)] = []
    for (i, adapter) in adapters.enumerated() { owner += (0..<adapter.rank).map { (i, $0) } }
    let sideBySide = Matrix<Float>(rows: first.b.rows, columns: totalRank) { i, j in
        adapters[owner[j].adapter].b[i, owner[j].column]
    }
    // B·A = Σ over blocks of Bᵢ·(wᵢsᵢAᵢ): block i of B only ever meets block i of A, so there are
    // no cross terms. The price: the rank grows to Σrᵢ.
    return (a: Matrix(rows: totalRank, columns: first.a.columns, storage: stackedA), b: sideBySide)
}

/// PEFT's "linear" combination: (A, B) with scale 1, or nil when the ranks differ.
public func combineLinear(_ adapters: [LoRABranch<Float>], weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>)? {
    // Adding factors needs equal shapes; PEFT refuses otherwise.
    guard let first = adapters.first, adapters.allSatisfy({ $0.rank == first.rank }) else { return nil }
    var a = Matrix<Float>.zeros(first.a.rows, first.a.columns)
    var b = Matrix<Float>.zeros(first.b.rows, first.b.columns)
    for (adapter, w) in zip(adapters, weights) {
        // √|c| on each factor gives |c| in the product; the sign rides on A alone, so a
        // negative weight subtracts that adapter's own term.
        let c = w * adapter.hyperparameters.scale
        let root = abs(c).squareRoot()
        a.add(adapter.a, scaledBy: Float(c < 0 ? -root : root))
        b.add(adapter.b, scaledBy: Float(root))
    }
    // B·A = Σᵢ cᵢ·BᵢAᵢ + Σ_{i≠j} sign(cᵢ)·√|cᵢcⱼ|·BⱼAᵢ: the cross terms pair one adapter's B with
    // another's A, directions neither was trained for. Cheap (rank stays r), but not the sum.
    return (a: a, b: b)
}
