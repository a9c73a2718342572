/// One parameter tensor of a model, by its full name.
public struct NamedParameter<Scalar: BLASScalar>: Sendable {
    /// Full name, e.g. `layers.0.self_attn.q_proj.lora_A.weight`.
    public let name: String
    /// The tensor.
    public let value: Matrix<Scalar>
    /// Whether the optimizer updates it.
    public let isTrainable: Bool
}

extension TransformerModel {
    /// Every parameter tensor in module order, with whether it is trained.
    public var namedParameters: [NamedParameter<Scalar>] {
        var out = [NamedParameter(name: "embed_tokens.weight", value: embedTokens.weight, isTrainable: embedTokens.isTrainable),
                   NamedParameter(name: "embed_positions.weight", value: embedPositions.weight, isTrainable: embedPositions.isTrainable)]
        for (l, layer) in layers.enumerated() {
            let p = "layers.\(l)."
            out.append(NamedParameter(name: p + "input_layernorm.weight", value: layer.inputLayernorm.weight, isTrainable: layer.inputLayernorm.isTrainable))
            for name in TransformerBlock<Scalar>.linearNames {
                if name == "mlp.up_proj" {
                    out.append(NamedParameter(name: p + "post_attention_layernorm.weight", value: layer.postAttentionLayernorm.weight,
                                              isTrainable: layer.postAttentionLayernorm.isTrainable))
                }
                out += layer[linear: name].parameters.map { NamedParameter(name: p + name + "." + $0.name, value: $0.value, isTrainable: $0.isTrainable) }
            }
        }
        out.append(NamedParameter(name: "norm.weight", value: norm.weight, isTrainable: norm.isTrainable))
        out += lmHead.parameters.map { NamedParameter(name: "lm_head." + $0.name, value: $0.value, isTrainable: $0.isTrainable) }
        return out
    }

    /// Trainable and frozen element counts over all parameters (4-bit weights count as frozen).
    public var parameterCount: ParameterCount {
        let dense = namedParameters.reduce(ParameterCount()) {
            $0 + ($1.isTrainable ? ParameterCount(trainable: $1.value.count) : ParameterCount(frozen: $1.value.count))
        }
        return dense + ParameterCount(frozen: namedQuantizedWeights.reduce(0) { $0 + $1.value.count })
    }

    /// Lets `body` change every trainable tensor in place, by full name (the optimizer's entry).
    public mutating func updateTrainableParameters(_ body: (String, inout Matrix<Scalar>) -> Void) {
        if embedTokens.isTrainable { body("embed_tokens.weight", &embedTokens.weight) }
        if embedPositions.isTrainable { body("embed_positions.weight", &embedPositions.weight) }
        for l in layers.indices {
            let p = "layers.\(l)."
            if layers[l].inputLayernorm.isTrainable { body(p + "input_layernorm.weight", &layers[l].inputLayernorm.weight) }
            if layers[l].postAttentionLayernorm.isTrainable { body(p + "post_attention_layernorm.weight", &layers[l].postAttentionLayernorm.weight) }
            for name in TransformerBlock<Scalar>.linearNames {
                layers[l][linear: name].updateTrainable { local, tensor in body(p + name + "." + local, &tensor) }
            }
        }
        if norm.isTrainable { body("norm.weight", &norm.weight) }
        lmHead.updateTrainable { local, tensor in body("lm_head." + local, &tensor) }
    }

    /// Makes every non-adapter parameter trainable (`true`, full fine-tuning) or frozen (`false`).
    /// Adapters (A, B) stay trainable; adapted base weights stay frozen.
    public mutating func setBaseParametersTrainable(_ trainable: Bool) {
        embedTokens.isTrainable = trainable
        embedPositions.isTrainable = trainable
        for l in layers.indices {
            layers[l].inputLayernorm.isTrainable = trainable
            layers[l].postAttentionLayernorm.isTrainable = trainable
            for name in TransformerBlock<Scalar>.linearNames { layers[l][linear: name].setTrainable(trainable) }
        }
        norm.isTrainable = trainable
        lmHead.setTrainable(trainable)
    }

    /// The same model in another precision (e.g. a Float model checked in Double).
    ///
    /// A `.qlora` layer becomes a `.lora` layer over dequant(W4) (same A, B, hyper-parameters)
    /// and a `.quantized` layer a frozen `.linear` layer over dequant(W4): the model computes the
    /// same function, with the 4-bit rounding kept and the storage lost.
    public func converted<Other: BLASScalar>(to _: Other.Type) -> TransformerModel<Other> {
        TransformerModel<Other>(converting: self)
    }
}

extension TransformerModel {
    init<Source: BLASScalar>(converting m: TransformerModel<Source>) {
        func lin(_ a: AdaptableLinear<Source>) -> AdaptableLinear<Scalar> {
            switch a {
            case .linear(let l):
                return .linear(Linear(weight: l.weight.converted(), bias: l.bias?.converted(), isTrainable: l.isTrainable))
            case .lora(let l):
                var lora = try! LoRALinear<Scalar>(
                    base: Linear(weight: l.base.weight.converted(), bias: l.base.bias?.converted()),
                    a: l.a.converted(), b: l.b.converted(), hyperparameters: l.hyperparameters, adapterName: l.adapterName)
                if l.isMerged { lora.setMerged(true) }
                return .lora(lora)
            case .qlora(let q):
                return .lora(TransformerModel<Scalar>.dequantizedLoRA(q))
            case .quantized(let q):
                return .linear(Linear(weight: q.weight.dequantized().converted(), bias: q.bias?.converted(), isTrainable: false))
            }
        }
        func emb(_ e: Embedding<Source>) -> Embedding<Scalar> {
            var g = SeededGenerator(seed: 0)
            var out = Embedding<Scalar>(count: 1, dimension: 1, std: 1, using: &g)
            out.weight = e.weight.converted()
            out.isTrainable = e.isTrainable
            return out
        }
        func rms(_ n: RMSNorm<Source>) -> RMSNorm<Scalar> {
            var out = RMSNorm<Scalar>(dimension: 1, epsilon: n.epsilon)
            out.weight = n.weight.converted()
            out.isTrainable = n.isTrainable
            return out
        }
        configuration = m.configuration
        embedTokens = emb(m.embedTokens)
        embedPositions = emb(m.embedPositions)
        layers = m.layers.map { b in
            var g = SeededGenerator(seed: 0)
            var out = TransformerBlock<Scalar>(configuration: m.configuration, using: &g)
            out.inputLayernorm = rms(b.inputLayernorm)
            out.postAttentionLayernorm = rms(b.postAttentionLayernorm)
            for name in TransformerBlock<Scalar>.linearNames { out[linear: name] = lin(b[linear: name]) }
            return out
        }
        norm = rms(m.norm)
        lmHead = lin(m.lmHead)
    }
}
