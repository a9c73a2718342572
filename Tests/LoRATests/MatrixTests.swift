import LoRA
import Testing

@Suite struct MatrixTests {
    @Test func productMatchesHandComputation() {
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        #expect(a.matmul(b) == Matrix([[58, 64], [139, 154]]))
    }
}
