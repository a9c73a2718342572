import LoRA
import Testing

@Suite struct LinearTests {
    @Test(arguments: [true, false])
    func gradientsMatchCentralDifferences(withBias: Bool) {
        var g = SeededGenerator(seed: 21)
        let layer = Linear<Double>(inFeatures: 5, outFeatures: 4, bias: withBias, using: &g)
        let x = Matrix<Double>.normal(3, 5, using: &g)
        let r = Matrix<Double>.normal(3, 4, using: &g)
        let grads = layer.backward(r, cache: InputCache(input: x))
        var inputs = [x, layer.weight]
        var analytic = [grads.input, grads.weight!]
        if withBias { inputs.append(layer.bias!); analytic.append(grads.bias!) }
        let report = GradientCheck.check({ p in
            let l = Linear(weight: p[1], bias: withBias ? p[2] : nil)
            return weightedSum(l.forward(p[0]), r)
        }, at: inputs, analytic: analytic)
        #expect(report.passes(), "\(report)")
    }

    @Test func frozenLayerGivesOnlyInputGradient() {
        var g = SeededGenerator(seed: 1)
        var layer = Linear<Float>(inFeatures: 3, outFeatures: 2, using: &g)
        layer.isTrainable = false
        let grads = layer.backward(.normal(4, 2, using: &g), cache: InputCache(input: .normal(4, 3, using: &g)))
        #expect(grads.weight == nil && grads.bias == nil)
        #expect(grads.input.shape == (4, 3))
        #expect(layer.parameterCount == ParameterCount(trainable: 0, frozen: 8))
    }

    @Test func forwardAddsBias() {
        let layer = Linear<Double>(weight: Matrix([[1, 0], [0, 2]]), bias: Matrix([[10, 20]]))
        #expect(layer.forward(Matrix([[1, 1], [2, 3]])) == Matrix([[11, 22], [12, 26]]))
    }
}
