/// Element-wise reductions and scaling with a fixed summation order, so that their results
/// are the same on every run and every machine.
extension Matrix {
    /// Σ x² over every element, accumulated in Double.
    ///
    /// Four running sums (element i goes to sum i mod 4) let the loop vectorise; the order is
    /// fixed, so the result is deterministic: ((s₀ + s₁) + (s₂ + s₃)) + tail.
    public var sumOfSquares: Double { Self.sumOfSquares(storage) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func sumOfSquares(_ values: [Scalar]) -> Double {
        values.withUnsafeBufferPointer { p in
            var lanes = SIMD4<Double>(repeating: 0)
            let whole = p.count / 4 * 4
            var i = 0
            while i < whole {
                let v = SIMD4<Double>(p[i].doubleValue, p[i + 1].doubleValue, p[i + 2].doubleValue, p[i + 3].doubleValue)
                lanes += v * v
                i += 4
            }
            var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
            for j in whole..<p.count { total += p[j].doubleValue * p[j].doubleValue }
            return total
        }
    }

    /// Multiplies every element by `factor`, in place.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func scale(by factor: Scalar) {
        storage.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= factor } }
    }
}
