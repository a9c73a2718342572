import LoRA
import Testing

/// The Float fast paths of element-wise model ops against their Double versions (libm's tanh).
@Suite struct ModelFloatKernelTests {
    @Test func floatGELUMatchesDouble() {
        // x from −20 to 20 in steps of 1/512, plus the extremes that clamp the exponent.
        var values = stride(from: -20.0, through: 20.0, by: 1.0 / 512).map { $0 }
        values += [-1e4, -100, -44, 44, 100, 1e4, 0]
        let xd = Matrix<Double>(rows: 1, columns: values.count, storage: values)
        let xf = xd.converted(to: Float.self)
        var g = SeededGenerator(seed: 8)
        let dyd = Matrix<Double>.uniform(1, values.count, low: -1, high: 1, using: &g)
        let yf = GELU.forward(xf).converted(to: Double.self), yd = GELU.forward(xd)
        let bf = GELU.backward(input: xf, outputGradient: dyd.converted(to: Float.self)).converted(to: Double.self)
        let bd = GELU.backward(input: xd, outputGradient: dyd)
        // Tolerance: 1e-6 · max(1, |x|) for the output (Float rounding of x and of ½·x·(1 + t)),
        // 2e-6 · max(1, x²) for the derivative (its x·(1 − t²)·(1 + 3k·x²) term grows with x³
        // until 1 − t² underflows).
        var worstForward = 0.0, worstBackward = 0.0
        for i in values.indices {
            let x = Double(xf[0, i])
            worstForward = max(worstForward, abs(yf[0, i] - GELU.forward(Matrix<Double>([[x]]))[0, 0]) / max(1, abs(x)))
            worstBackward = max(worstBackward, abs(bf[0, i] - bd[0, i]) / max(1, x * x))
        }
        #expect(worstForward <= 1e-6, "forward error \(worstForward)")
        #expect(worstBackward <= 2e-6, "backward error \(worstBackward)")
        #expect(yf.storage.allSatisfy(\.isFinite) && bf.storage.allSatisfy(\.isFinite))
        #expect(yd.maxAbs > 19)  // the grid reached the large inputs
    }
}
