import Foundation
import LoRA
import Testing

/// DoRA over a 4-bit base against real PEFT on real bitsandbytes: `peft_written/dora_nf4`, written
/// by `make_fixtures.py` with PEFT 0.21.2's `lora.bnb.Linear4bit` over bitsandbytes 0.50.2's
/// `Linear4bit` (nf4, blocksize 64, compute dtype float32) on CPU. Two layers: `nf4_proj`
/// (32 × 128, plain absmax) and `nf4_dq_proj` (40 × 448, double-quantized absmax over two groups
/// of 256 blocks), each with a bias. The fixture holds the base exactly as bitsandbytes stores it
/// (packed codes and absmax; bytes written as float32 values because our reader has no U8),
/// bitsandbytes' own dequantization, PEFT's magnitude at creation, the adapter PEFT saved, an
/// input and PEFT's output.
@Suite struct DoRAOverNF4FixtureTests {
    static let folder = PEFTWrittenAdapterTests.root.appendingPathComponent("dora_nf4")
    static let modules: [(path: String, rows: Int, columns: Int, doubleQuantized: Bool)] =
        [("nf4_proj", 32, 128, false), ("nf4_dq_proj", 40, 448, true)]

    static func expected() throws -> SafetensorsDocument {
        try SafetensorsReader.read(contentsOf: folder.appendingPathComponent("expected.safetensors"))
    }

    static func tensor(_ document: SafetensorsDocument, _ key: String) throws -> SafetensorsTensor {
        try #require(document.tensors[key], "missing \(key)")
    }

    /// Byte values stored as float32 → the bytes, refusing anything that is not one.
    static func bytes(_ t: SafetensorsTensor) throws -> [UInt8] {
        try t.values.map { v in
            let byte = try #require(UInt8(exactly: v), "not a byte: \(v)")
            return byte
        }
    }

    /// The layer as bitsandbytes stores it, assembled from its parts (no re-quantizing).
    static func quantizedLayer(_ e: SafetensorsDocument, _ m: (path: String, rows: Int, columns: Int, doubleQuantized: Bool)) throws -> QuantizedLinear {
        let p = m.path
        let scales: QuantizationScales
        if m.doubleQuantized {
            scales = .doubleQuantized(DoubleQuantizedScales(
                codes: try bytes(tensor(e, p + ".absmax_codes")), absmax2: try tensor(e, p + ".absmax2").values,
                offset: try tensor(e, p + ".absmax_offset").values[0]))
        } else {
            scales = .float(try tensor(e, p + ".absmax").values)
        }
        let weight = try QuantizedTensor(rows: m.rows, columns: m.columns, blocksize: Int(try tensor(e, p + ".blocksize").values[0]),
                                         codebook: .nf4, packed: try bytes(tensor(e, p + ".weight_packed")), scales: scales)
        let bias = Matrix(rows: 1, columns: m.rows, storage: try tensor(e, p + ".bias").values)
        return try QuantizedLinear(weight: weight, bias: bias)
    }

    /// Our reading of bitsandbytes' storage is bitsandbytes' own: the NF4 table, the 8-bit
    /// dynamic map of double quantization, and the dequantized weight, bit for bit.
    @Test func dequantizationIsBitsandbytesOwn() throws {
        let e = try Self.expected()
        for m in Self.modules {
            #expect(try Self.tensor(e, m.path + ".code").values == FourBitCodebook.nf4.values, "\(m.path) NF4 table")
            if m.doubleQuantized {
                #expect(try Self.tensor(e, m.path + ".nested_code").values == DynamicMap.values, "\(m.path) dynamic map")
            }
            let layer = try Self.quantizedLayer(e, m)
            #expect(layer.weight.isDoubleQuantized == m.doubleQuantized)
            let theirs = try Self.tensor(e, m.path + ".dequantized")
            #expect(theirs.shape == [m.rows, m.columns])
            let ours = layer.weight.dequantized().storage
            let differing = zip(ours, theirs.values).filter { $0 != $1 }.count
            #expect(differing == 0, "\(m.path): \(differing) of \(ours.count) dequantized entries differ")
        }
    }

    /// PEFT initialises m from the dequantized weight's row norms (B = 0); so do we.
    /// Tolerance 1e-6 relative (measured 1.2e-7): PEFT sums squares in float32, we in Double.
    @Test func initialMagnitudeIsTheDequantizedRowNorms() throws {
        let e = try Self.expected()
        for m in Self.modules {
            var rng = SeededGenerator(seed: 9)
            let dora = try DoRALinear(base: try Self.quantizedLayer(e, m), hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8, useDoRA: true), using: &rng)
            let theirs = try Self.tensor(e, m.path + ".init_magnitude").values
            #expect(theirs.count == m.rows)
            for (i, (a, b)) in zip(dora.magnitude.storage, theirs).enumerated() {
                #expect(abs(Double(a) - Double(b)) <= 1e-6 * Double(b), "\(m.path) m[\(i)]: ours \(a), PEFT \(b)")
            }
        }
    }

    /// The adapter PEFT saved (A, B and `lora_magnitude_vector` under PEFT's names) over the
    /// 4-bit base computes PEFT's output: inference and training forward (no dropout).
    ///
    /// Tolerance 1e-5 absolute (outputs reach about 3.2; measured 1.4e-6): both sides multiply the
    /// same float32 dequantized weight, but sum in a different order over up to 448 inputs.
    @Test func outputMatchesPEFTOnBitsandbytes() throws {
        let e = try Self.expected()
        let saved = try SafetensorsReader.read(contentsOf: Self.folder.appendingPathComponent("adapter_model.safetensors"))
        #expect(saved.tensors.count == 3 * Self.modules.count)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("adapter_config.json"))) as? [String: Any]
        #expect(config?["use_dora"] as? Bool == true)
        for m in Self.modules {
            let key = "base_model.model.\(m.path)."
            let a = try Self.tensor(saved, key + "lora_A.weight"), b = try Self.tensor(saved, key + "lora_B.weight")
            let magnitude = try Self.tensor(saved, key + DoRA.magnitudeName)
            #expect(magnitude.shape == [m.rows])
            #expect(magnitude.values == (try Self.tensor(e, m.path + ".magnitude")).values)
            let branch = try LoRABranch(a: Matrix(rows: a.shape[0], columns: a.shape[1], storage: a.values),
                                        b: Matrix(rows: b.shape[0], columns: b.shape[1], storage: b.values),
                                        hyperparameters: LoRAHyperparameters(rank: 4, alpha: 8, useDoRA: true),
                                        inFeatures: m.columns, outFeatures: m.rows)
            #expect(Double(branch.scale) == Double(try Self.tensor(e, m.path + ".scaling").values[0]))
            let dora = try DoRALinear(base: try Self.quantizedLayer(e, m), branch: branch,
                                      magnitude: Matrix(rows: 1, columns: m.rows, storage: magnitude.values))
            let xt = try Self.tensor(e, m.path + ".input"), yt = try Self.tensor(e, m.path + ".output")
            let x = Matrix(rows: xt.shape[0], columns: m.columns, storage: xt.values)
            let y = Matrix(rows: yt.shape[0], columns: m.rows, storage: yt.values)
            #expect(y.maxAbs > 0.5, "\(m.path): the output must not be trivially small")
            #expect(dora.forward(x).maxAbsDifference(y) <= 1e-5, "\(m.path) output: \(dora.forward(x).maxAbsDifference(y))")
            var rng = SeededGenerator(seed: 1)
            let training = dora.forward(x, training: &rng).output
            #expect(training.maxAbsDifference(y) <= 1e-5, "\(m.path) training output: \(training.maxAbsDifference(y))")
        }
    }
}
