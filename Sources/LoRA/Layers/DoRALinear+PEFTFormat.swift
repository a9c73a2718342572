// DoRA in PEFT's adapter format: the magnitude's tensor name, and swapping in a loaded adapter.

extension DoRALinear {
    /// The on-disk and parameter name of m (PEFT's saved key drops the `.weight` its module has).
    public static var magnitudeName: String { "lora_magnitude_vector" }
}

extension DoRALinear: AdaptedLayer {
    public func replacingBranch(_ branch: LoRABranch<Scalar>) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !isMerged else { throw .merged(adapter: adapterName) }
        return try DoRALinear(base: base, branch: branch, magnitude: magnitude, adapterName: adapterName)
    }

    /// m, saved by PEFT as the 1-D `lora_magnitude_vector` of length out.
    public var extraAdapterTensors: [NamedTensor<Scalar>] { [NamedTensor(Self.magnitudeName, magnitude)] }

    public func replacingAdapter(branch: LoRABranch<Scalar>, extraTensors: [NamedTensor<Scalar>]) throws(LoRAError) -> any AdaptedLayer<Scalar> {
        guard !isMerged else { throw .merged(adapter: adapterName) }
        guard extraTensors.count == 1, let m = extraTensors.first, m.name == Self.magnitudeName else {
            throw .factorShape(factor: Self.magnitudeName, expected: [1, outFeatures], found: [])
        }
        return try DoRALinear(base: base, branch: branch, magnitude: m.value, adapterName: adapterName)
    }
}

extension LoRAHyperparameters {
    /// The tensors an adapter with these hyper-parameters saves besides A and B, by their
    /// on-disk local name: `lora_magnitude_vector` with `use_dora`, none otherwise.
    public var extraAdapterTensorNames: [String] {
        useDoRA ? [DoRALinear<Linear<Float>>.magnitudeName] : []
    }
}
