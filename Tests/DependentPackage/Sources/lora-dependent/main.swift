// Calls the library as a dependent package would: a LoRA layer, its merge, and a QLoRA layer.
import LoRA

var generator = SeededGenerator(seed: 1)
let base = Linear<Float>(inFeatures: 16, outFeatures: 8, bias: false, using: &generator)
var layer = try LoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), using: &generator)
layer.b = .normal(8, 4, std: 0.1, using: &generator)
let x = Matrix<Float>.normal(3, 16, using: &generator)
let before = layer.forward(x)
try layer.merge()
let difference = layer.forward(x).maxAbsDifference(before)
let qlora = try QLoRALinear(base: base, hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8), using: &generator)
print("dependent: merged vs unmerged max difference \(difference), QLoRA output \(qlora.forward(x).shapeDescription)")
guard difference < 1e-5 else { fatalError("merge changed the output by \(difference)") }
