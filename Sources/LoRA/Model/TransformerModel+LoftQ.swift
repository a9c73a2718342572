extension TransformerModel where Scalar == Float {
    /// QLoRA with LoftQ initialisation (``LoftQ``; PEFT's `LoraConfig(init_lora_weights="loftq",
    /// loftq_config=LoftQConfig(loftq_bits=4, loftq_iter=T))`): every target gets Q and A, B from
    /// T LoftQ iterations on its float weight; every other linear layer but the head is quantized
    /// to NF4 as ``injectQLoRA(targets:exclude:hyperparameters:blocksize:doubleQuantization:seed:override:)``
    /// does.
    ///
    /// `hyperparameters.initialization` is ignored (LoftQ decides A and B); a saved adapter
    /// says `init_lora_weights: true`, as PEFT's LoftQ example writes it, because the
    /// adapter must be loaded onto this model's own Q, not re-initialised.
    /// - Returns: the adapted paths and, per path, ‖W − Q_t − s·B_t·A_t‖_F for t = 1…T.
    /// - Throws: as `injectQLoRA`, and ``LinearAlgebraError`` from the SVDs. Nothing changes on error.
    @discardableResult
    public mutating func injectLoftQ(
        targets: TargetModules, exclude: ExcludeModules? = nil, hyperparameters: LoRAHyperparameters = LoRAHyperparameters(),
        iterations: Int = 1, blocksize: Int = 64, doubleQuantization: Bool = false, seed: UInt64
    ) throws -> (names: [String], errors: [String: [Double]]) {
        var h = hyperparameters
        h.initialization = .kaimingUniform
        let original = self
        var copy = self
        let names = try copy.injectQLoRA(targets: targets, exclude: exclude, hyperparameters: h, blocksize: blocksize,
                                         doubleQuantization: doubleQuantization, seed: seed)
        var errors: [String: [Double]] = [:]
        for path in names {
            guard let dense = original[linear: path] as? Linear<Float> else { continue }
            let result = try LoftQ.initialize(dense.weight, rank: h.rank, scale: h.scale, iterations: iterations,
                                              blocksize: blocksize, doubleQuantization: doubleQuantization)
            let base = try QuantizedLinear(weight: result.quantized, bias: dense.bias)
            copy[linear: path] = try LoRALinear(base: base, a: result.a, b: result.b, hyperparameters: h)
            errors[path] = result.errors
        }
        self = copy
        return (names, errors)
    }
}
