import LoRA
import Testing

/// The blockwise quantizer against a plain per-element reference written from the spec.
@Suite struct QuantizationBlockwiseTests {
    /// Reference: loops, no SIMD, the spec's steps one by one.
    static func reference(_ x: [Float], blocksize b: Int, codebook: FourBitCodebook) -> (bytes: [UInt8], absmax: [Float]) {
        let n = x.count
        var codes = [UInt8]()
        var absmax = [Float]()
        for start in stride(from: 0, to: n, by: b) {
            let block = Array(x[start..<min(start + b, n)])
            let m = block.map(abs).max()!
            absmax.append(m)
            for v in block {
                // bitsandbytes: v · (1/absmax), which is NaN when absmax = 0.
                let xhat = m == 0 ? Float.nan : v * (1 / m)
                codes.append(codebook.code(for: xhat))
            }
        }
        if n % 2 == 1 {
            let m = absmax.last!
            codes.append(codebook.code(for: m == 0 ? .nan : 0 * (1 / m)))
        }
        let bytes = stride(from: 0, to: codes.count, by: 2).map { codes[$0] << 4 | codes[$0 + 1] }
        return (bytes, absmax)
    }

    static func normal(_ n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(g.nextNormal()) }
    }

    @Test func threeValuesPackToF077() throws {
        let q = try QuantizedTensor(quantizing: Matrix([[1.0, -1.0, 0.0]]))
        #expect(q.packed == [0xF0, 0x77])
        #expect(q.scales == .float([1]))
        #expect(q.dequantized().storage == [1, -1, 0])
        let fp4 = try QuantizedTensor(quantizing: Matrix([[1.0, -1.0, 0.0]]), codebook: .fp4)
        #expect(fp4.packed == [0x3B, 0x00])
    }

    @Test(arguments: [32, 64, 128, 256, 512, 1024, 2048, 4096])
    func everyBlocksizeMatchesReference(blocksize: Int) throws {
        // Odd length, a partial last block, and an all-zero block in the middle.
        let n = 3 * blocksize + 17
        var x = Self.normal(n, seed: UInt64(blocksize))
        for i in blocksize..<(2 * blocksize) { x[i] = 0 }
        for codebook in FourBitCodebook.allCases {
            let q = try QuantizedTensor(quantizing: Matrix(rows: 1, columns: n, storage: x), blocksize: blocksize, codebook: codebook)
            let ref = Self.reference(x, blocksize: blocksize, codebook: codebook)
            #expect(q.packed == ref.bytes, "\(codebook) blocksize \(blocksize)")
            #expect(q.scales == .float(ref.absmax))
            let values = codebook.values
            let expected = (0..<n).map { values[Int(q.code(at: $0))] * ref.absmax[$0 / blocksize] }
            let got = q.dequantized().storage
            #expect(got == expected)
            #expect(got[blocksize..<(2 * blocksize)].allSatisfy { $0 == 0 && !$0.isNaN })
        }
    }

    @Test func allZeroTensorsAreSafe() throws {
        for codebook in FourBitCodebook.allCases {
            let q = try QuantizedTensor(quantizing: .zeros(3, 37), codebook: codebook)
            #expect(q.dequantized().storage.allSatisfy { $0 == 0 })
            #expect(q.scales == .float([0, 0]))
            let dq = try QuantizedTensor(quantizing: .zeros(3, 37), codebook: codebook, doubleQuantization: true)
            #expect(dq.dequantized().storage.allSatisfy { $0 == 0 })
        }
        // NF4: bitsandbytes' NaN path gives code 0 everywhere, including the padding nibble.
        let q = try QuantizedTensor(quantizing: .zeros(1, 3))
        #expect(q.packed == [0x00, 0x00])
    }

    @Test func roundTripIsExactOnCodeValues() throws {
        var g = SeededGenerator(seed: 3)
        for codebook in [FourBitCodebook.nf4, .fp4] {
            for blocksize in [32, 64, 256] {
                let blocks = 9
                var x = [Float]()
                for _ in 0..<blocks {
                    let a = Float(g.nextUniform(0.01, 10))
                    var block = (0..<blocksize).map { _ in codebook.values[g.nextInt(below: 16)] * a }
                    block[g.nextInt(below: blocksize)] = a  // absmax = a exactly (level 1.0)
                    x += block
                }
                let q = try QuantizedTensor(quantizing: Matrix(rows: blocks, columns: blocksize, storage: x), blocksize: blocksize, codebook: codebook)
                #expect(q.dequantized().storage == x, "\(codebook) \(blocksize)")
            }
        }
    }

    @Test func rowTilesEqualTheWholeDequantization() throws {
        // 7 × 45 = 315 elements: rows start on odd elements and blocks straddle rows.
        let m = Matrix(rows: 7, columns: 45, storage: Self.normal(315, seed: 5))
        for dq in [false, true] {
            let q = try QuantizedTensor(quantizing: m, blocksize: 32, doubleQuantization: dq)
            let whole = q.dequantized()
            var scratch = [Float]()
            for range in [0..<1, 1..<4, 3..<7, 6..<7] {
                var tile = [Float](repeating: .nan, count: range.count * 45)
                tile.withUnsafeMutableBufferPointer { q.dequantizeRows(range, into: $0.baseAddress!, absmaxScratch: &scratch) }
                #expect(tile == Array(whole.storage[(range.lowerBound * 45)..<(range.upperBound * 45)]))
            }
        }
    }

    static func meanAbsError(_ codebook: FourBitCodebook, blocksize: Int, dq: Bool = false) throws -> Double {
        let x = normal(1 << 20, seed: 2023)
        let q = try QuantizedTensor(quantizing: Matrix(rows: 1024, columns: 1024, storage: x), blocksize: blocksize, codebook: codebook, doubleQuantization: dq)
        let y = q.dequantized().storage
        return zip(x, y).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(x.count)
    }

    @Test(arguments: [(FourBitCodebook.nf4, 64, 0.0728), (.fp4, 64, 0.0966), (.nf4, 32, 0.0677), (.nf4, 256, 0.0803)])
    func meanErrorOnGaussianWeights(codebook: FourBitCodebook, blocksize: Int, expected: Double) throws {
        let error = try Self.meanAbsError(codebook, blocksize: blocksize)
        #expect(abs(error - expected) / expected < 0.02, "\(codebook) blocksize \(blocksize): \(error)")
    }

    @Test func doubleQuantizationBarelyChangesTheError() throws {
        let plain = try Self.meanAbsError(.nf4, blocksize: 64)
        let dq = try Self.meanAbsError(.nf4, blocksize: 64, dq: true)
        #expect(dq != plain)
        #expect(abs(dq - plain) / plain < 0.005, "NF4 \(plain) vs DQ \(dq)")
        let int4 = try Self.meanAbsError(.int4, blocksize: 64)
        #expect(int4 > plain, "INT4 \(int4) should be worse than NF4 \(plain)")
    }

    @Test func doubleQuantizedAbsmaxFollowsTheFormula() throws {
        let x = Self.normal(64 * 600, seed: 11)
        let q = try QuantizedTensor(quantizing: Matrix(rows: 600, columns: 64, storage: x), doubleQuantization: true)
        let plain = try QuantizedTensor(quantizing: Matrix(rows: 600, columns: 64, storage: x))
        guard case .doubleQuantized(let d) = q.scales, case .float(let absmax) = plain.scales else {
            Issue.record("wrong scale kinds"); return
        }
        #expect(q.packed == plain.packed)  // DQ touches only the constants
        #expect(d.codes.count == 600 && d.absmax2.count == 3)
        let offset = Float(absmax.reduce(0.0) { $0 + Double($1) } / 600)
        #expect(d.offset == offset)
        let centred = absmax.map { $0 - offset }
        for g in 0..<3 {
            let group = centred[(g * 256)..<min(g * 256 + 256, 600)]
            #expect(d.absmax2[g] == group.map(abs).max()!)
        }
        let restored = d.dequantized()
        for j in 0..<600 {
            let expected = DynamicMap.values[Int(d.codes[j])] * d.absmax2[j / 256] + offset
            #expect(restored[j] == expected)
            #expect(abs(restored[j] - absmax[j]) <= 0.02)
        }
    }

    @Test func storageMatchesThePaperFormula() throws {
        #expect(abs(QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: false) - 4.5) < 1e-12)
        #expect(abs(QuantizationStorage.formulaBitsPerParameter(blocksize: 64, doubleQuantization: true) - 4.126953) < 1e-6)
        #expect(abs(QuantizationStorage.formulaBitsPerParameter(blocksize: 256, doubleQuantization: true) - 4.031738) < 1e-6)
        let m = Matrix(rows: 1024, columns: 1024, storage: Self.normal(1 << 20, seed: 1))
        for (b, dq) in [(64, false), (64, true), (256, true), (32, false)] {
            let s = try QuantizedTensor(quantizing: m, blocksize: b, doubleQuantization: dq).storage
            #expect(abs(s.bitsPerParameter - QuantizationStorage.formulaBitsPerParameter(blocksize: b, doubleQuantization: dq)) < 0.001)
        }
        let s = QuantizationStorage(parameters: 1 << 20, blocksize: 64, doubleQuantization: true)
        #expect(s.codeBytes == 1 << 19 && s.constantBytes == 16384 + 4 * 64 + 4)
    }

    @Test func badInputsThrow() throws {
        let m = Matrix<Float>.zeros(4, 16)
        for b in [16, 48, 8192, 0, -64] {
            #expect(throws: QuantizationError.invalidBlocksize(b)) { try QuantizedTensor(quantizing: m, blocksize: b) }
        }
        var bad = m
        bad[2, 3] = .nan
        do {
            _ = try QuantizedTensor(quantizing: bad)
            Issue.record("NaN weight was accepted")
        } catch QuantizationError.nonFiniteValue(let index, let value) {
            #expect(index == 35 && value.isNaN)
        }
        bad[2, 3] = 0
        bad[3, 0] = -.infinity
        #expect(throws: QuantizationError.nonFiniteValue(index: 48, value: -.infinity)) { try QuantizedTensor(quantizing: bad) }
        #expect(throws: QuantizationError.packedLengthMismatch(expected: 32, found: 31)) {
            try QuantizedTensor(rows: 4, columns: 16, blocksize: 64, codebook: .nf4, packed: [UInt8](repeating: 0, count: 31), scales: .float([1]))
        }
        #expect(throws: QuantizationError.scaleCountMismatch(name: "absmax", expected: 1, found: 2)) {
            try QuantizedTensor(rows: 4, columns: 16, blocksize: 64, codebook: .nf4, packed: [UInt8](repeating: 0, count: 32), scales: .float([1, 1]))
        }
        #expect(QuantizationError.invalidBlocksize(48).description.contains("48"))
        #expect(QuantizationError.nonFiniteValue(index: 35, value: .nan).description.contains("element 35 is nan"))
    }
}
