/// The loops of the model's element-wise and row-wise functions.
///
/// The maths sits in the concept files (`GELU.value`, `CausalSoftmax.softmax(row:position:)`,
/// `CrossEntropy.lossAndGradient(row:…)`); here it is applied to every element or row, in a Float
/// and a Double instance of each loop (``ConcreteScalar``), where the per-element maths is inlined
/// and the GELU loops vectorize.
extension GELU {
    static func valueOfEachElement<Scalar: BLASScalar>(_ x: Matrix<Scalar>) -> Matrix<Scalar> {
        ConcreteScalar.map(x, float: valueLoop, double: valueLoop)
    }

    static func gradientTimesDerivative<Scalar: BLASScalar>(_ dy: Matrix<Scalar>, at x: Matrix<Scalar>) -> Matrix<Scalar> {
        ConcreteScalar.map(dy, x, float: derivativeLoop, double: derivativeLoop)
    }

    /// t = tanh(u(x)) for every element: u in one pass, tanh in place in another (the Float one
    /// runs in C with AVX2 when the CPU has it).
    @inline(__always)
    static func tanhOfArguments<S: BLASScalar>(_ x: Matrix<S>) -> [S] {
        x.storage.withUnsafeBufferPointer { xp in
            [S](unsafeUninitializedCapacity: xp.count) { t, count in
                for i in xp.indices { t[i] = argument(xp[i]) }
                count = xp.count
                S.tanh(inPlace: UnsafeMutableBufferPointer(rebasing: t[0..<count]))
            }
        }
    }

    /// y[i] = gelu(x[i]).
    @inline(__always)
    static func valueLoop<S: BLASScalar>(_ x: Matrix<S>) -> Matrix<S> {
        let t = tanhOfArguments(x)
        let y = x.storage.withUnsafeBufferPointer { xp in
            t.withUnsafeBufferPointer { tp in
                [S](unsafeUninitializedCapacity: xp.count) { y, count in
                    for i in xp.indices { y[i] = value(xp[i], tanh: tp[i]) }
                    count = xp.count
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: y)
    }

    /// dx[i] = dy[i]·gelu′(x[i]).
    @inline(__always)
    static func derivativeLoop<S: BLASScalar>(_ dy: Matrix<S>, _ x: Matrix<S>) -> Matrix<S> {
        let t = tanhOfArguments(x)
        let dx = x.storage.withUnsafeBufferPointer { xp in
            t.withUnsafeBufferPointer { tp in
                dy.storage.withUnsafeBufferPointer { gp in
                    [S](unsafeUninitializedCapacity: xp.count) { dx, count in
                        for i in xp.indices { dx[i] = gp[i] * derivative(xp[i], tanh: tp[i]) }
                        count = xp.count
                    }
                }
            }
        }
        return Matrix(rows: x.rows, columns: x.columns, storage: dx)
    }
}

extension CausalSoftmax {
    static func forwardEachRow<Scalar: BLASScalar>(_ scores: inout Matrix<Scalar>) {
        ConcreteScalar.update(&scores, float: forwardLoop, double: forwardLoop)
    }

    static func backwardEachRow<Scalar: BLASScalar>(probabilities: Matrix<Scalar>, gradient: inout Matrix<Scalar>) {
        ConcreteScalar.update(&gradient, reading: probabilities, float: backwardLoop, double: backwardLoop)
    }

    @inline(__always)
    static func forwardLoop<S: BLASScalar>(_ scores: inout Matrix<S>) {
        let t = scores.columns
        scores.storage.withUnsafeMutableBufferPointer { p in
            for row in 0..<(p.count / t) {
                softmax(row: UnsafeMutableBufferPointer(rebasing: p[(row * t)..<((row + 1) * t)]), position: row % t)
            }
        }
    }

    @inline(__always)
    static func backwardLoop<S: BLASScalar>(_ probabilities: Matrix<S>, _ gradient: inout Matrix<S>) {
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
