import Foundation
import LoRA
import Testing

/// The hard-coded tables against independent statements of the same numbers: the spec's hex,
/// bitsandbytes' decimal literals, exact fractions, and the dynamic-map text file.
@Suite struct QuantizationCodebookTests {
    /// SPEC-QLORA.md's NF4 table, as text.
    static let nf4Hex = [
        "BF800000", "BF3239B1", "BF066B30", "BECA32A0", "BE91A24D", "BE3D353F", "BDBA7871", "00000000",
        "3DA2FAFF", "3E24CAE3", "3E7C04DD", "3EAD033A", "3EE1A4B8", "3F1007AB", "3F3913B3", "3F800000",
    ]
    /// bitsandbytes' decimal values of the same levels (`dDequantizeNF4`).
    static let nf4Decimal = [
        "-1.0", "-0.6961928009986877", "-0.5250730514526367", "-0.39491748809814453", "-0.28444138169288635",
        "-0.18477343022823334", "-0.09105003625154495", "0.0", "0.07958029955625534", "0.16093020141124725",
        "0.24611230194568634", "0.33791524171829224", "0.44070982933044434", "0.5626170039176941",
        "0.7229568362236023", "1.0",
    ]
    /// bitsandbytes' `dQuantizeNF4` decision-tree literals, ascending.
    static let nf4ThresholdDecimal = [
        "-0.8480964004993439", "-0.6106329262256622", "-0.4599952697753906", "-0.33967943489551544",
        "-0.23460740596055984", "-0.13791173323988914", "-0.045525018125772476", "0.03979014977812767",
        "0.1202552504837513", "0.2035212516784668", "0.2920137718319893", "0.3893125355243683",
        "0.5016634166240692", "0.6427869200706482", "0.8614784181118011",
    ]

    @Test func nf4LevelsAreTheSpecifiedBitPatterns() {
        #expect(NF4.levels.map { String(format: "%08X", $0.bitPattern) } == Self.nf4Hex)
        #expect(NF4.levels == Self.nf4Decimal.map { Float($0)! })
    }

    @Test func nf4ThresholdsAreTheCUDALiterals() {
        #expect(NF4.thresholds == Self.nf4ThresholdDecimal.map { Float($0)! })
        // Eleven equal the float32 mean of their neighbours; four sit one ulp away.
        let offByOne = (0..<15).filter { k in
            (NF4.levels[k] + NF4.levels[k + 1]) * 0.5 != NF4.thresholds[k]
        }
        #expect(offByOne == [0, 8, 12, 14])
        for k in offByOne {
            let mean = (NF4.levels[k] + NF4.levels[k + 1]) * 0.5
            #expect(mean.nextUp == NF4.thresholds[k] || mean.nextDown == NF4.thresholds[k])
        }
    }

    @Test func fp4MagnitudesAreExactFractions() {
        let expected: [Float] = [0, Float(1.0 / 192), Float(2.0 / 3), 1, Float(1.0 / 3), 0.5, Float(1.0 / 6), 0.25]
        #expect(FP4.magnitudes == expected)
        #expect(FP4.thresholds == ["0.00260417", "0.0859375", "0.20833333", "0.29166667", "0.4166667", "0.583333", "0.8333333"].map { Float($0)! })
        // Ranks map to bits in ascending magnitude.
        let ranked = FP4.bitsForRank.map { FP4.magnitudes[Int($0)] }
        #expect(ranked == ranked.sorted())
    }

    @Test func dynamicMapMatchesTheTextFile() throws {
        let url = try #require(Bundle.module.url(forResource: "dynamic-map-f32", withExtension: "txt"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ") }
        #expect(rows.count == 256)
        for (i, row) in rows.enumerated() {
            #expect(Int(row[0]) == i)
            #expect(DynamicMap.bits[i] == UInt32(row[1], radix: 16), "index \(i)")
            #expect(DynamicMap.values[i] == Float(String(row[2]))!, "index \(i)")
        }
        #expect(DynamicMap.values[127] == 0 && DynamicMap.values[255] == 1)
    }

    @Test func nf4FromNormalQuantilesMatchesTable() {
        let differences = NF4Construction.differencesFromTable()
        #expect(differences.count == 16)
        #expect(differences.map(abs).max()! <= 1.2e-7)
        // Φ⁻¹ itself: known quantiles to 1e-12.
        #expect(abs(NF4Construction.inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(NF4Construction.inverseNormalCDF(0.001) + 3.090232306167814) < 1e-12)
        #expect(NF4Construction.inverseNormalCDF(0.5) == 0)
    }

    @Test func nf4TiesGoToTheLowerCodeOnEveryThreshold() throws {
        for k in 0..<15 {
            let t = NF4.thresholds[k]
            #expect(NF4.code(for: t) == UInt8(k), "on threshold \(k)")
            #expect(NF4.code(for: t.nextUp) == UInt8(k + 1), "just above threshold \(k)")
            // Through the blockwise quantizer (absmax 1, so x̂ = x exactly), in the SIMD path.
            var block = [Float](repeating: 0, count: 64)
            block[0] = 1
            block[1] = t
            block[2] = t.nextUp
            let q = try QuantizedTensor(quantizing: Matrix(rows: 1, columns: 64, storage: block))
            #expect(q.code(at: 1) == UInt8(k) && q.code(at: 2) == UInt8(k + 1), "blockwise, threshold \(k)")
        }
        #expect(NF4.code(for: .nan) == 0)
    }

    /// Oracle: the number of float32 midpoints below x, moved up on an exact tie at an odd k.
    static func dynamicIndexOracle(_ x: Float) -> Int {
        let v = DynamicMap.values
        var index = 0
        for k in 0..<255 {
            let m = (v[k] + v[k + 1]) * 0.5
            if m < x { index += 1 } else if m == x && k % 2 == 1 { index += 1 }
        }
        return index
    }

    @Test func eightBitRoundsToNearestWithTiesToEven() {
        let v = DynamicMap.values
        for k in 0..<255 {
            let m = (v[k] + v[k + 1]) * 0.5
            #expect(Int(DynamicMap.index(for: m)) == (k % 2 == 0 ? k : k + 1), "tie between \(k) and \(k + 1)")
            #expect(Int(DynamicMap.index(for: m.nextUp)) == k + 1)
            #expect(Int(DynamicMap.index(for: m.nextDown)) == k)
            #expect(Int(DynamicMap.index(for: v[k])) == k)
        }
        var g = SeededGenerator(seed: 8)
        for _ in 0..<20_000 {
            let x = Float(g.nextUniform(-1.05, 1.05))
            #expect(Int(DynamicMap.index(for: x)) == Self.dynamicIndexOracle(x))
        }
        #expect(DynamicMap.index(for: .nan) == 0)
        #expect(DynamicMap.index(for: 2) == 255 && DynamicMap.index(for: -2) == 0)
    }

    @Test func fp4AndInt4Codes() {
        #expect(FP4.code(for: 1) == 0b0011 && FP4.code(for: -1) == 0b1011)
        #expect(FP4.code(for: 0) == 0 && FP4.code(for: -0.001) == 0b1000)
        #expect(FP4.code(for: 0.26) == 0b0111 && FP4.values[0b0111] == 0.25)
        #expect(FP4.code(for: FP4.thresholds[3]) == 0b0111 && FP4.code(for: FP4.thresholds[3].nextUp) == 0b0100)
        #expect(INT4.code(for: 1) == 14 && INT4.code(for: -1) == 0 && INT4.code(for: 0) == 7)
        #expect(INT4.code(for: 0.5 / 7) == 7 && INT4.code(for: 1.5 / 7) == 9)  // half to even
        #expect(INT4.values[9] == Float(2) / 7)
    }
}
