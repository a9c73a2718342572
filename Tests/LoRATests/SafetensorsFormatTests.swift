import Foundation
import LoRA
import Testing

@Suite struct SafetensorsFormatTests {
    @Test func roundTripThroughAFileKeepsValuesShapesAndMetadata() throws {
        let dir = try makeTemporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = sampleDocument()
        let url = dir.appendingPathComponent("x.safetensors")
        try SafetensorsWriter.write(document, to: url)
        let read = try SafetensorsReader.read(contentsOf: url)
        #expect(read == document)
        #expect(read.metadata == ["format": "pt"])
    }

    @Test func writerIsDeterministicAlignedAndSorted() throws {
        let bytes = SafetensorsWriter.serialize(sampleDocument())
        #expect(bytes == SafetensorsWriter.serialize(sampleDocument()))
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        // Sorted byte-wise: "__metadata__" (0x5F) sorts before lowercase names, after none here.
        let order = ["__metadata__", "bias", "layers.0.q.lora_A.weight", "layers.0.q.lora_B.weight"]
        let positions = order.map { header.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
        // The data section holds the tensors in that (sorted) order.
        let doc = sampleDocument()
        let expectedData = littleEndianBytes(doc.tensors["bias"]!.values)
            + littleEndianBytes(doc.tensors["layers.0.q.lora_A.weight"]!.values)
            + littleEndianBytes(doc.tensors["layers.0.q.lora_B.weight"]!.values)
        #expect(Array(bytes[(8 + n)...]) == expectedData)
    }

    @Test func headerKeyOrderAndPaddingDoNotMatter() throws {
        let a: [Float] = [1, -2.5]
        let b: [Float] = [0.125, 3, 4]
        let data = littleEndianBytes(a) + littleEndianBytes(b)
        let headers = [
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[8,20]}}"#,
            #"{"__metadata__":{"k":"v"},"b":{"data_offsets":[8,20],"shape":[3],"dtype":"F32"},"a":{"shape":[2],"data_offsets":[0,8],"dtype":"F32"}}"#,
            #" { "b" : { "shape" : [ 3 ] , "dtype" : "F32" , "data_offsets" : [ 8 , 20 ] } , "a" : { "dtype" : "F32" , "shape" : [ 2 ] , "data_offsets" : [ 0 , 8 ] } }      "#,
        ]
        for header in headers {
            let doc = try SafetensorsReader.parse(handMadeSafetensors(header: header, data: data), fileName: "h.safetensors")
            #expect(doc.tensors["a"] == SafetensorsTensor(shape: [2], values: a))
            #expect(doc.tensors["b"] == SafetensorsTensor(shape: [3], values: b))
        }
    }

    @Test func readsF16AndBF16FromHandMadeBytes() throws {
        // F16 0x3C00 = 1, 0xC000 = −2, 0x0001 = 2⁻²⁴; BF16 0x3F80 = 1, 0x4049 = 3.140625.
        let header = #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0x80, 0x3F, 0x49, 0x40]
        let doc = try SafetensorsReader.parse(handMadeSafetensors(header: header, data: data), fileName: "m.safetensors")
        #expect(doc.tensors["h"] == SafetensorsTensor(dtype: .f16, shape: [3], values: [1, -2, 0x1p-24]))
        #expect(doc.tensors["b"] == SafetensorsTensor(dtype: .bf16, shape: [2], values: [1, 3.140625]))
    }

    @Test func scalarsAndEmptyTensorsAreAccepted() throws {
        let header = #"{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}}"#
        let doc = try SafetensorsReader.parse(handMadeSafetensors(header: header, data: littleEndianBytes([7])), fileName: "s")
        #expect(doc.tensors["s"]?.values == [7])
        #expect(doc.tensors["e"]?.shape == [0, 5])
        #expect(doc.tensors["e"]?.values == [])
    }

    @Test func allHalfBitPatternsMatchSwiftFloat16() {
        #if arch(x86_64) || arch(arm64)
        for raw in 0...UInt16.max {
            let ours = HalfPrecision.float(fromHalfBits: raw)
            let oracle = Float(Float16(bitPattern: raw))
            #expect(ours.bitPattern == oracle.bitPattern, "F16 0x\(String(raw, radix: 16))")
        }
        #endif
    }

    /// Oracle independent of bit tricks: (−1)ˢ · 2^e · significand computed in Double.
    @Test func allHalfAndBFloat16BitPatternsMatchTheirDefinitions() {
        func reference(_ raw: UInt16, exponentBits: Int, mantissaBits: Int) -> Double {
            let sign: Double = raw >> 15 == 1 ? -1 : 1
            let e = Int(raw >> UInt16(mantissaBits)) & ((1 << exponentBits) - 1)
            let m = Double(Int(raw) & ((1 << mantissaBits) - 1))
            let bias = (1 << (exponentBits - 1)) - 1
            let scale = Double(1 << mantissaBits)
            if e == (1 << exponentBits) - 1 { return m == 0 ? sign * .infinity : .nan }
            if e == 0 { return sign * Double(sign: .plus, exponent: 1 - bias, significand: m / scale) }
            return sign * Double(sign: .plus, exponent: e - bias, significand: 1 + m / scale)
        }
        var mismatches = 0
        for raw in 0...UInt16.max {
            for (ours, ref) in [
                (HalfPrecision.float(fromHalfBits: raw), reference(raw, exponentBits: 5, mantissaBits: 10)),
                (HalfPrecision.float(fromBFloat16Bits: raw), reference(raw, exponentBits: 8, mantissaBits: 7)),
            ] {
                let same = ref.isNaN ? ours.isNaN : (Double(ours) == ref && ours.sign == (ref.sign))
                if !same { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        // NaN payload and sign survive (quieted for F16).
        #expect(HalfPrecision.float(fromHalfBits: 0xFC01).bitPattern == 0xFFC0_2000)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x7F81).bitPattern == 0x7F81_0000)
    }

    @Test func atomicWriteLeavesNoTemporaryFilesAndReplacesTheOld() throws {
        let dir = try makeTemporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.safetensors")
        try AtomicFile.write([1, 2, 3], to: url)
        try SafetensorsWriter.write(sampleDocument(), to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.safetensors"])
        #expect(try SafetensorsReader.read(contentsOf: url) == sampleDocument())
    }

    @Test func failedAtomicWriteLeavesTheDestinationAndNoTemporaryFile() throws {
        let dir = try makeTemporaryDirectory("atomic-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The destination is a non-empty directory: rename(2) must fail.
        let target = dir.appendingPathComponent("busy.safetensors")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data([9]).write(to: target.appendingPathComponent("keep"))
        #expect(throws: SafetensorsError.self) { try SafetensorsWriter.write(sampleDocument(), to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["busy.safetensors"])
        #expect(try Data(contentsOf: target.appendingPathComponent("keep")) == Data([9]))
        // A directory that does not exist: the error names the file by its full path.
        let missing = dir.appendingPathComponent("no/such/dir/f.safetensors")
        do {
            try SafetensorsWriter.write(sampleDocument(), to: missing)
            Issue.record("writing into a missing directory succeeded")
        } catch {
            #expect(error.kind == .io)
            #expect(error.description.hasPrefix("safetensors file '\(missing.path)'"), "\(error)")
            #expect(error.description.contains("does not exist"), "\(error)")
        }
    }
}
