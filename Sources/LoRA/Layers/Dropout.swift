/// Inverted dropout masks, drawn from the seeded generator.
public enum Dropout {
    /// A mask whose entries are 0 with probability p and 1/(1 − p) otherwise, so that
    /// E[mask ⊙ x] = x; `nil` when p = 0 (identity, no draw).
    public static func mask<Scalar: BLASScalar>(
        rows: Int, columns: Int, p: Double, _: Scalar.Type, using generator: inout SeededGenerator
    ) -> Matrix<Scalar>? {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        guard p > 0 else { return nil }
        let keep = Scalar(1 / (1 - p))
        var storage = [Scalar](repeating: 0, count: rows * columns)
        for i in storage.indices where generator.nextUnit() >= p { storage[i] = keep }
        return Matrix(rows: rows, columns: columns, storage: storage)
    }
}
