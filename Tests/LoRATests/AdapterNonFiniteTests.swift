import Foundation
import LoRA
import Testing

/// NaN and ±Inf in a LoRA factor are refused by default, naming the tensor and the first bad
/// element, and accepted only when the caller asks for it.
@Suite struct AdapterNonFiniteTests {
    let q = "layers.0.self_attn.q_proj"

    /// An adapter folder whose q_proj `factor` has `value` at flat index `index`.
    func folder(_ factor: LoRAFactor, _ value: Float, at index: Int) throws -> URL {
        let dir = try makeTemporaryDirectory("non-finite")
        var layers = try sampleLayers()
        if factor == .a { layers[q]!.a[index / layers[q]!.a.columns, index % layers[q]!.a.columns] = value } else { layers[q]!.b[index / layers[q]!.b.columns, index % layers[q]!.b.columns] = value }
        try AdapterFiles.save(layers, to: dir)
        return dir
    }

    @Test("NaN, +Inf and -Inf are refused with the tensor and the first bad index",
          arguments: [(LoRAFactor.a, Float.nan, "NaN"), (.b, .infinity, "+Inf"), (.a, -.infinity, "-Inf")])
    func refusedByDefault(factor: LoRAFactor, value: Float, shown: String) throws {
        // lora_A is (2, 8) and lora_B (6, 2): index 11 is row 5 / column 3 of A, row 5 / column 1 of B.
        let dir = try folder(factor, value, at: 11)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try AdapterFiles.read(from: dir)
            Issue.record("\(shown) accepted")
        } catch {
            #expect(error.kind == .nonFiniteValue)
            #expect(error.subject == AdapterFiles.tensorName(module: q, factor: factor))
            #expect(error.found == shown)
            let position = factor == .a ? "[1, 3]" : "[5, 1]"
            #expect(error.problem == "element \(position) (index 11 in row-major order) is not finite", "\(error)")
            #expect(error.path == dir.appendingPathComponent(AdapterFiles.weightsFileName).path)
        }
        var layers = try sampleLayers(seed: 8)
        let before = layers
        #expect(throws: AdapterError.self) { try AdapterFiles.load(from: dir, into: &layers) }
        #expect(layers[q]!.a == before[q]!.a, "a refused load left the layers as they were")
    }

    @Test("the first bad element is named when there are several")
    func firstOfSeveral() throws {
        let dir = try folder(.a, .nan, at: 14)
        defer { try? FileManager.default.removeItem(at: dir) }
        var layers = try sampleLayers()
        layers[q]!.a[14 / layers[q]!.a.columns, 14 % layers[q]!.a.columns] = .nan
        layers[q]!.a[2 / layers[q]!.a.columns, 2 % layers[q]!.a.columns] = .infinity
        try AdapterFiles.save(layers, to: dir)
        do { _ = try AdapterFiles.read(from: dir); Issue.record("accepted") } catch {
            #expect(error.problem.hasPrefix("element [0, 2] (index 2"), "\(error)")
        }
    }

    @Test("an explicit option accepts them")
    func allowedWhenAsked() throws {
        let dir = try folder(.b, .nan, at: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        let adapter = try AdapterFiles.read(from: dir, allowNonFinite: true)
        #expect(adapter.factors[q]!.b.storage[3].isNaN)
        var layers = try sampleLayers(seed: 8)
        try AdapterFiles.load(from: dir, into: &layers, allowNonFinite: true)
        #expect(layers[q]!.b.storage[3].isNaN)
    }
}
