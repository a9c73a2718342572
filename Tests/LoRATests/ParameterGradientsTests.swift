import LoRA
import Testing

@Suite struct ParameterGradientsTests {
    /// The global norm sums tensors in the order the backward pass produced them, every time.
    /// With a Dictionary the order (and the last bit of the norm, the clip factor and every
    /// later number) depended on the process's hash seed.
    @Test func globalNormSumsInEntryOrder() {
        // 1 then seven squares of 4.9e-17, each below half an ulp of 1: added to 1 one by one they
        // vanish, added together first they do not, so the sum depends on the order.
        let values: [Double] = [1, 0.7e-8, 0.7e-8, 0.7e-8, 0.7e-8, 0.7e-8, 0.7e-8, 0.7e-8]
        let entries = values.enumerated().map { NamedTensor("t\($0.offset)", Matrix<Double>(rows: 1, columns: 1, storage: [$0.element])) }
        let gradients = ParameterGradients(entries)
        let inOrder = values.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        #expect(gradients.globalNorm.bitPattern == inOrder.bitPattern)
        #expect(gradients.names == entries.map(\.name))
        var orders = Set<UInt64>()
        for permutation in [values, values.reversed(), values.sorted()] { orders.insert(permutation.reduce(0.0) { $0 + $1 * $1 }.squareRoot().bitPattern) }
        #expect(orders.count > 1, "the test values must make the order matter")
    }
}
