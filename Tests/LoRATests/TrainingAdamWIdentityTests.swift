import LoRA
import Testing

/// The three AdamW front ends share one element-wise kernel: same gradients, same bits.
@Suite struct TrainingAdamWIdentityTests {
    /// Three tensors of different shapes and 30 steps of random gradients, some large, some tiny.
    func run<Scalar: BLASScalar>(_: Scalar.Type) -> (list: [Matrix<Scalar>], named: [Matrix<Scalar>], paged: [Matrix<Scalar>]) {
        let config = AdamWConfiguration(learningRate: 3e-3, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.05)
        var g = SeededGenerator(seed: 11)
        let start: [Matrix<Scalar>] = [.normal(3, 5, std: 1, using: &g), .normal(1, 7, std: 0.1, using: &g), .normal(4, 4, std: 2, using: &g)]
        var list = start, named = start, paged = start
        var plain = AdamW<Scalar>(configuration: config)
        var perName = AdamW<Scalar>(beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon, weightDecay: config.weightDecay)
        var pagedOptimizer = try! PagedAdamW<Scalar>(configuration: config, budgetBytes: 256, pagingThreshold: 1)  // forces paging
        for step in 0..<30 {
            let std = Scalar(step % 3 == 0 ? 10 : 1e-3)
            let grads = start.map { Matrix<Scalar>.normal($0.rows, $0.columns, std: std, using: &g) }
            plain.step(parameters: &list, gradients: grads)
            for i in named.indices { perName.update(&named[i], name: "t\(i)", gradient: grads[i], learningRate: config.learningRate) }
            try! pagedOptimizer.step(parameters: &paged, gradients: grads)
        }
        return (list, named, paged)
    }

    @Test func adamWAndAdamWAreBitIdentical() {
        let f = run(Float.self)
        #expect(f.list.map(\.storage) == f.named.map(\.storage))
        #expect(f.list.map(\.storage) == f.paged.map(\.storage))
        let d = run(Double.self)
        #expect(d.list.map(\.storage) == d.named.map(\.storage))
        // The tensors moved: the comparison is not between untouched starting points.
        var g = SeededGenerator(seed: 11)
        let start = Matrix<Double>.normal(3, 5, std: 1, using: &g)
        #expect(d.list[0].maxAbsDifference(start) > 1e-3)
    }
}
