import LoRA

/// Naive triple loop: the independent oracle for GEMM.
func naiveProduct<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) -> Matrix<Double> {
    Matrix<Double>(rows: a.rows, columns: b.columns) { i, j in
        (0..<a.columns).reduce(0.0) { $0 + a[i, $1].doubleValue * b[$1, j].doubleValue }
    }
}

/// Σ y ⊙ R: a scalar loss whose gradient with respect to y is R.
func weightedSum(_ y: Matrix<Double>, _ r: Matrix<Double>) -> Double { (y .* r).sum }

extension TransformerModel {
    /// The model's dense LoRA layers by path (tests read and edit them as concrete layers).
    var loraLayers: [String: LoRALinear<Linear<Scalar>>] {
        Dictionary(uniqueKeysWithValues: adaptedLayers.compactMap { entry in
            (entry.layer as? LoRALinear<Linear<Scalar>>).map { (entry.path, $0) }
        })
    }

    /// Puts edited dense LoRA layers back (the same paths as ``loraLayers``).
    mutating func replaceLoRALayers(_ layers: [String: LoRALinear<Linear<Scalar>>]) {
        replaceAdaptedLayers(layers.mapValues { $0 as any AdaptedLayer<Scalar> })
    }
}
