// Solution 29 · chapter 15 (ch15-combining-and-serving): several adapters in one batch
import LoRA

/// y for x (n, in) where row i uses adapters[adapterOfRow[i]], or the base alone when nil.
public func mixedBatchForward(x: Matrix<Float>, base: Linear<Float>, adapters: [LoRABranch<Float>], adapterOfRow: [Int?]) -> Matrix<Float> {
    // The expensive part, (n, in)·(in, out), once for every row whatever its adapter: this is
    // why serving many adapters on one base is cheap.
    var y = base.forward(x)
    for (k, adapter) in adapters.enumerated() {
        // The rows that asked for adapter k, gathered into one small batch so its two thin
        // products run once per adapter, not once per row (PEFT groups rows the same way).
        let rows = adapterOfRow.indices.filter { adapterOfRow[$0] == k }
        if rows.isEmpty { continue }
        let group = Matrix<Float>(rows: rows.count, columns: x.columns) { i, j in x[rows[i], j] }
        let down = group.matmul(adapter.a, transposeB: true)                        // (m, r)
        let branch = down.matmul(adapter.b, transposeB: true, alpha: adapter.scale)  // (m, out)
        // Scatter back: each row gets its own adapter's update and no other.
        for (i, row) in rows.enumerated() {
            for j in 0..<y.columns { y[row, j] += branch[i, j] }
        }
    }
    // Rows with nil were never gathered: they keep the base output, PEFT's "__base__".
    return y
}
