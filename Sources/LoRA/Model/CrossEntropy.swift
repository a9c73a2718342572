/// Softmax cross-entropy over the rows whose target is not ``ignoreIndex`` (PyTorch's
/// `ignore_index`), averaged over those rows.
///
/// ```
/// L = −(1/M) · Σ_{n : yₙ ≠ ignore} log softmax(zₙ)[yₙ]        M = number of counted rows
/// log softmax(z)[y] = (z_y − m) − log Σⱼ exp(zⱼ − m)            m = maxⱼ zⱼ (cancels; keeps exp ≤ 1)
/// ∂L/∂zₙ = (softmax(zₙ) − onehot(yₙ)) / M   for counted rows, 0 for ignored ones
/// ```
/// In a fine-tuning task only the answer tokens carry a target, so only they count. The sums
/// run in `Double` with the package's `Double.exp` and `Double.log`.
public enum CrossEntropy {
    /// The target that marks a row as not counted (PyTorch uses −100).
    public static let ignoreIndex = -100

    /// The loss, its gradient with respect to the logits, and the arg-max prediction per row.
    ///
    /// - Parameters:
    ///   - logits: z, (N, V).
    ///   - targets: N class indices in 0..<V or ``ignoreIndex``.
    /// - Returns: the mean loss (0 when no row counts), ∂L/∂z (N, V), the arg-max of each row.
    public static func lossAndGradient<Scalar: BLASScalar>(
        logits: Matrix<Scalar>, targets: [Int]
    ) -> (loss: Double, gradient: Matrix<Scalar>, predictions: [Int]) {
        precondition(targets.count == logits.rows, "CrossEntropy: \(targets.count) targets for logits \(logits.shapeDescription)")
        return eachRow(logits: logits, targets: targets)  // the loop over rows: below
    }

    /// One row z (V logits) with target y and weight w = 1/M: writes g = w·(softmax(z) − onehot(y))
    /// and returns the row's share of the loss, −w·log softmax(z)[y].
    @inline(__always)
    static func lossAndGradient<Scalar: BLASScalar>(
        row z: UnsafeBufferPointer<Scalar>, target y: Int, weight w: Double, gradient g: UnsafeMutableBufferPointer<Scalar>
    ) -> Double {
        let m = z[argmax(z)]
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: z.count) { e in
            var total = 0.0
            for j in z.indices {
                e[j] = Double.exp((z[j] - m).doubleValue)
                total += e[j]
            }
            for j in z.indices {
                let p = e[j] / total
                g[j] = Scalar((p - (j == y ? 1 : 0)) * w)
            }
            return -((z[y] - m).doubleValue - Double.log(total)) * w
        }
    }

    /// The index of the largest logit (the first one on ties).
    @inline(__always)
    static func argmax<Scalar: BLASScalar>(_ z: UnsafeBufferPointer<Scalar>) -> Int {
        var best = 0
        for j in z.indices.dropFirst() where z[j] > z[best] { best = j }
        return best
    }
}

// MARK: - The loops
// The formulas above, applied to every element (row), in a Float and a Double instance of each
// loop (``ConcreteScalar``, Kernels/): there the per-element maths is inlined and the loops
// vectorize, where generic code would call through the protocol for every + and ×. They sit in
// this file because the compiler inlines across files only in optimised whole-module builds.

extension CrossEntropy {
    static func eachRow<Scalar: BLASScalar>(logits: Matrix<Scalar>, targets: [Int]) -> (loss: Double, gradient: Matrix<Scalar>, predictions: [Int]) {
        ConcreteScalar.apply(logits, returning: (loss: Double, gradient: Matrix<Scalar>, predictions: [Int]).self,
                             float: { rowLoop($0, targets) }, double: { rowLoop($0, targets) })
    }

    @inline(__always)
    static func rowLoop<S: BLASScalar>(_ logits: Matrix<S>, _ targets: [Int]) -> (loss: Double, gradient: Matrix<S>, predictions: [Int]) {
        let (n, v) = (logits.rows, logits.columns)
        let counted = targets.filter { $0 != ignoreIndex }.count
        let weight = counted == 0 ? 0 : 1 / Double(counted)
        var gradient = [S](repeating: 0, count: n * v)
        var predictions = [Int](repeating: 0, count: n)
        var loss = 0.0
        logits.storage.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    let range = (i * v)..<((i + 1) * v)
                    let row = UnsafeBufferPointer(rebasing: z[range])
                    predictions[i] = argmax(row)
                    let target = targets[i]
                    guard target != ignoreIndex else { continue }
                    precondition(target >= 0 && target < v, "CrossEntropy: target \(target) outside 0..<\(v)")
                    loss += lossAndGradient(row: row, target: target, weight: weight, gradient: UnsafeMutableBufferPointer(rebasing: g[range]))
                }
            }
        }
        return (loss, Matrix(rows: n, columns: v, storage: gradient), predictions)
    }
}
