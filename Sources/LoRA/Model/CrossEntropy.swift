#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax cross-entropy over the rows whose target is not ``ignoreIndex`` (PyTorch's
/// `ignore_index`), averaged over those rows.
///
/// ```
/// L = −(1/M) · Σ_{n : yₙ ≠ ignore} log softmax(zₙ)[yₙ]        M = number of counted rows
/// ∂L/∂zₙ = (softmax(zₙ) − onehot(yₙ)) / M   for counted rows, 0 for ignored ones
/// ```
/// In a fine-tuning task only the answer tokens carry a target, so only they count.
public enum CrossEntropy {
    /// The target that marks a row as not counted (PyTorch uses −100).
    public static let ignoreIndex = -100

    /// The loss, its gradient with respect to the logits, and the arg-max prediction per row.
    ///
    /// - Parameters:
    ///   - logits: z, (N, V).
    ///   - targets: N class indices in 0..<V or ``ignoreIndex``.
    /// - Returns: the mean loss (0 when no row counts), ∂L/∂z (N, V), the arg-max of each row.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func lossAndGradient<Scalar: BLASScalar>(
        logits: Matrix<Scalar>, targets: [Int]
    ) -> (loss: Double, gradient: Matrix<Scalar>, predictions: [Int]) {
        let (n, v) = (logits.rows, logits.columns)
        precondition(targets.count == n, "CrossEntropy: \(targets.count) targets for logits \(logits.shapeDescription)")
        let counted = targets.filter { $0 != ignoreIndex }.count
        var grad = [Scalar](repeating: 0, count: n * v)
        var predictions = [Int](repeating: 0, count: n)
        var loss = 0.0
        let weight = counted == 0 ? 0 : 1 / Double(counted)
        logits.storage.withUnsafeBufferPointer { z in
            grad.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    let base = i * v
                    var m = z[base], best = 0
                    for j in 1..<v where z[base + j] > m { m = z[base + j]; best = j }
                    predictions[i] = best
                    let target = targets[i]
                    guard target != ignoreIndex else { continue }
                    precondition(target >= 0 && target < v, "CrossEntropy: target \(target) outside 0..<\(v)")
                    var total = 0.0
                    for j in 0..<v { total += exp((z[base + j] - m).doubleValue) }
                    loss -= ((z[base + target] - m).doubleValue - log(total)) * weight
                    for j in 0..<v {
                        let p = exp((z[base + j] - m).doubleValue) / total
                        g[base + j] = Scalar((p - (j == target ? 1 : 0)) * weight)
                    }
                }
            }
        }
        return (loss, Matrix(rows: n, columns: v, storage: grad), predictions)
    }
}
