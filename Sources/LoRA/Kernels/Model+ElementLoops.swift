/// The loops of the model's element-wise and row-wise functions, compiled once per scalar type.
///
/// The maths sits in the concept files (`GELU.value`, `CausalSoftmax.softmax(row:position:)`,
/// `CrossEntropy.lossAndGradient(row:…)`); here it is applied to every element or row.
/// `@_specialize` makes the compiler emit Float and Double versions of each loop, in which the
/// per-element function (and `Float.tanh` inside it) is inlined, so the GELU loops vectorize;
/// generic code that calls them is routed to those versions at run time.
extension GELU {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func valueOfEachElement<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        var y = x
        y.storage.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = value(p[i]) }
        }
        return y
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func gradientTimesDerivative<Scalar: BLASScalar>(_ dy: Matrix<Scalar>, at x: Matrix<Scalar>) -> Matrix<Scalar> {
        var dx = dy
        x.storage.withUnsafeBufferPointer { xp in
            dx.storage.withUnsafeMutableBufferPointer { p in
                for i in p.indices { p[i] *= derivative(xp[i]) }
            }
        }
        return dx
    }
}

extension CausalSoftmax {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func forwardEachRow<Scalar: BLASScalar>(_ scores: inout Matrix<Scalar>) {
        let t = scores.columns
        scores.storage.withUnsafeMutableBufferPointer { p in
            for row in 0..<(p.count / t) {
                softmax(row: UnsafeMutableBufferPointer(rebasing: p[(row * t)..<((row + 1) * t)]), position: row % t)
            }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func backwardEachRow<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        let t = probabilities.columns
        probabilities.storage.withUnsafeBufferPointer { pp in
            gradient.storage.withUnsafeMutableBufferPointer { g in
                for row in 0..<(pp.count / t) {
                    let range = (row * t)..<((row + 1) * t)
                    backward(row: UnsafeBufferPointer(rebasing: pp[range]), gradient: UnsafeMutableBufferPointer(rebasing: g[range]),
                             position: row % t)
                }
            }
        }
    }
}

extension CrossEntropy {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func eachRow<Scalar: BLASScalar>(logits: Matrix<Scalar>, targets: [Int]) -> (loss: Double, gradient: Matrix<Scalar>, predictions: [Int]) {
        let (n, v) = (logits.rows, logits.columns)
        let counted = targets.filter { $0 != ignoreIndex }.count
        let weight = counted == 0 ? 0 : 1 / Double(counted)
        var gradient = [Scalar](repeating: 0, count: n * v)
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
