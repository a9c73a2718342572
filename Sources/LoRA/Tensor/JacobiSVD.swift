/// One-sided Jacobi SVD of p columns of equal length L (p ≤ L), in `Double` (see ``Matrix/svd()``).
struct JacobiSVD {
    /// σ, descending (ties keep column order).
    let singularValues: [Double]
    /// U: p orthonormal columns of length L, column after column.
    let leftVectors: [Double]
    /// V: p orthonormal columns of length p, column after column.
    let rightVectors: [Double]

    /// At most this many sweeps (convergence takes 5–10 on well-scaled matrices).
    static let maximumSweeps = 60

    init(columns: [Double], count p: Int, length: Int) {
        var w = columns
        var v = [Double](repeating: 0, count: p * p)
        for i in 0..<p { v[i * p + i] = 1 }
        let tolerance = Double(length).squareRoot() * Double.ulpOfOne
        w.withUnsafeMutableBufferPointer { w in
            v.withUnsafeMutableBufferPointer { v in
                for _ in 0..<Self.maximumSweeps {
                    var rotated = false
                    for i in 0..<(p - 1) {
                        for j in (i + 1)..<p {
                            let wi = w.baseAddress! + i * length, wj = w.baseAddress! + j * length
                            var (alpha, beta, gamma) = (0.0, 0.0, 0.0)
                            for r in 0..<length {
                                alpha += wi[r] * wi[r]
                                beta += wj[r] * wj[r]
                                gamma += wi[r] * wj[r]
                            }
                            guard gamma.magnitude > tolerance * (alpha * beta).squareRoot() else { continue }
                            rotated = true
                            let zeta = (beta - alpha) / (2 * gamma)
                            let t = zeta.magnitude > 1e100
                                ? 0.5 / zeta
                                : (zeta < 0 ? -1.0 : 1.0) / (zeta.magnitude + (1 + zeta * zeta).squareRoot())
                            let c = 1 / (1 + t * t).squareRoot()
                            let s = c * t
                            Self.rotate(wi, wj, count: length, c: c, s: s)
                            Self.rotate(v.baseAddress! + i * p, v.baseAddress! + j * p, count: p, c: c, s: s)
                        }
                    }
                    if !rotated { break }
                }
            }
        }
        // σᵢ = ‖wᵢ‖, sorted descending; the sort is stable, so equal σ keep their column order.
        let norms = (0..<p).map { i in
            (0..<length).reduce(0.0) { $0 + w[i * length + $1] * w[i * length + $1] }.squareRoot()
        }
        let order = (0..<p).sorted { norms[$0] > norms[$1] || (norms[$0] == norms[$1] && $0 < $1) }
        var u = [Double](repeating: 0, count: p * length)
        var right = [Double](repeating: 0, count: p * p)
        var missing: [Int] = []
        for (k, i) in order.enumerated() {
            for r in 0..<p { right[k * p + r] = v[i * p + r] }
            if norms[i] > 0 {
                for r in 0..<length { u[k * length + r] = w[i * length + r] / norms[i] }
            } else {
                missing.append(k)
            }
        }
        Self.completeBasis(&u, length: length, filled: (0..<p).filter { !missing.contains($0) }, missing: missing)
        singularValues = order.map { norms[$0] }
        leftVectors = u
        rightVectors = right
    }

    /// (x, y) ← (c·x − s·y, s·x + c·y), element by element.
    @inline(__always)
    static func rotate(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int, c: Double, s: Double) {
        for r in 0..<count {
            let (a, b) = (x[r], y[r])
            x[r] = c * a - s * b
            y[r] = s * a + c * b
        }
    }

    /// Fills the columns `missing` of u with unit vectors orthogonal to every other column:
    /// e₁, e₂, … in turn, minus their projections (twice, for accuracy), the first that keeps
    /// more than half its length.
    static func completeBasis(_ u: inout [Double], length: Int, filled: [Int], missing: [Int]) {
        var basis = filled
        var candidate = 0
        for k in missing {
            while candidate < length {
                var e = [Double](repeating: 0, count: length)
                e[candidate] = 1
                candidate += 1
                for _ in 0..<2 {
                    for b in basis {
                        let dot = (0..<length).reduce(0.0) { $0 + u[b * length + $1] * e[$1] }
                        for r in 0..<length { e[r] -= dot * u[b * length + r] }
                    }
                }
                let norm = e.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                if norm > 0.5 {
                    for r in 0..<length { u[k * length + r] = e[r] / norm }
                    basis.append(k)
                    break
                }
            }
        }
    }
}
