import LoRA

// Checks for exercises 07–11 (chapters 06–08). Oracles: the library's NF4 thresholds and
// blockwise quantizer (bit-exact with bitsandbytes), bit-exact bytes, and the QLoRA paper's numbers.

/// The thresholds k where bitsandbytes' literal differs from the float32 mean (cₖ + cₖ₊₁)/2
/// (chapter 06 shows k = 0, 8, 12, 14), computed from the library's tables.
func thresholdsOffTheFloatMidpoint() -> [Int] {
    (0..<15).filter { (NF4.levels[$0] + NF4.levels[$0 + 1]) * 0.5 != NF4.thresholds[$0] }
}

/// A Float with its bit pattern, so that one-ulp differences are visible.
func showBits(_ x: Float) -> String {
    let digits = Array("0123456789ABCDEF")
    let hexDigits = (0..<8).reversed().map { digits[Int((x.bitPattern >> (4 * UInt32($0))) & 0xF)] }
    return "\(show(x)) (bits 0x\(String(hexDigits)))"
}

func checkNF4Code(_ impl: Implementations) -> CheckResult {
    let offByOne = thresholdsOffTheFloatMidpoint()
    return firstFailure([
        {
            let got = impl.nf4Thresholds()
            guard got.count == 15 else {
                return CheckFailure(checking: "nf4Thresholds().count", expected: "15", got: "\(got.count)",
                                    why: "16 levels have 15 boundaries between neighbours")
            }
            for k in 0..<15 where got[k].bitPattern != NF4.thresholds[k].bitPattern {
                let mean32 = (NF4.levels[k] + NF4.levels[k + 1]) * 0.5
                let why = offByOne.contains(k)
                    ? "here the exact mean of c\(k) and c\(k + 1) is a tie between two floats: Float's (c\(k) + c\(k + 1))/2 = \(showBits(mean32)) rounds one way, bitsandbytes' literal (the Double mean as a decimal, read as float32) the other"
                    : "bitsandbytes' literal: the Double mean of c\(k) and c\(k + 1), written as a decimal and read as float32"
                return CheckFailure(checking: "nf4Thresholds()[\(k)]", expected: showBits(NF4.thresholds[k]), got: showBits(got[k]), why: why)
            }
            return nil
        },
        {
            // Inputs exactly on the four thresholds where a Float midpoint is one ulp away, and
            // on those midpoints: a midpoint solution gets one of each pair wrong.
            var cases: [(Float, String)] = []
            for k in offByOne {
                let mean32 = (NF4.levels[k] + NF4.levels[k + 1]) * 0.5
                cases.append((NF4.thresholds[k], "exactly on bitsandbytes' threshold t\(k): a value on a threshold goes to the LOWER code, \(k)"))
                cases.append((mean32, "the Float midpoint (c\(k) + c\(k + 1))/2, one ulp from bitsandbytes' threshold t\(k) = \(showBits(NF4.thresholds[k])): bitsandbytes compares with t\(k), not with the midpoint"))
            }
            for (k, t) in NF4.thresholds.enumerated() {
                cases.append((t, "a value exactly on threshold t\(k) goes to the LOWER code"))
                cases.append((t.nextUp, "just above threshold t\(k) is the upper code"))
                cases.append((t.nextDown, "just below threshold t\(k) is the lower code"))
            }
            for level in NF4.levels { cases.append((level, "a level maps to its own code")) }
            cases += [(-1.5, "below −1 clamps to code 0"), (1.5, "above 1 clamps to code 15"),
                      (-0.0, "−0.0 is zero, code 7"), (.nan, "NaN gives code 0 (no threshold is below NaN)")]
            for (x, why) in cases {
                let want = NF4.code(for: x), got = impl.nf4Code(x)
                if got != want {
                    return CheckFailure(checking: "nf4Code(\(x.isNaN ? "nan" : showBits(x)))", expected: "\(want)", got: "\(got)", why: why)
                }
            }
            return nil
        },
    ])
}

func checkNibblePacking(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 801)
    let random33 = (0..<33).map { _ in UInt8(g.nextInt(below: 16)) }
    let packCases: [([UInt8], [UInt8], String)] = [
        ([15, 0, 7], [0xF0, 0x77], "NF4 of [1.0, −1.0, 0.0]: first code in the HIGH nibble; odd length padded with 0x7, NF4's code for 0.0"),
        ([1, 2, 3, 4], [0x12, 0x34], "byte k = (q[2k] << 4) | q[2k+1]"),
        ([0xA], [0xA7], "one code: high nibble, then the pad 0x7"),
        ([], [], "no codes, no bytes"),
    ]
    for (codes, want, why) in packCases {
        let got = impl.packNibbles(codes)
        if got != want { return .failed(CheckFailure(checking: "packNibbles(\(codes))", expected: hex(want), got: hex(got), why: why)) }
    }
    let unpackCases: [([UInt8], Int, [UInt8])] = [([0xF0, 0x77], 3, [15, 0, 7]), ([0x12, 0x34], 4, [1, 2, 3, 4]), ([0x12, 0x34], 3, [1, 2, 3])]
    for (bytes, count, want) in unpackCases {
        let got = impl.unpackNibbles(bytes, count)
        if got != want {
            return .failed(CheckFailure(checking: "unpackNibbles(\(hex(bytes)), count: \(count))", expected: "\(want)", got: "\(got)", why: "the high nibble is the earlier code"))
        }
    }
    let packed = impl.packNibbles(random33)
    if packed.count != 17 { return .failed(CheckFailure(checking: "packNibbles(33 codes).count", expected: "17", got: "\(packed.count)", why: "⌈n/2⌉ bytes")) }
    let back = impl.unpackNibbles(packed, 33)
    if back != random33 {
        return .failed(CheckFailure(checking: "unpackNibbles(packNibbles(codes), 33) for 33 random codes", expected: "\(random33)", got: "\(back)"))
    }
    return .passed
}

/// Codes and absmax from the library's blockwise quantizer (bit-exact with bitsandbytes), for
/// any blocksize (QuantizedTensor only accepts bitsandbytes' blocksizes, ≥ 32).
private func libraryQuantize(_ values: [Float], blocksize: Int) -> (codes: [UInt8], absmax: [Float]) {
    var packed = [UInt8](repeating: 0, count: (values.count + 1) / 2)
    var absmax = [Float](repeating: 0, count: (values.count + blocksize - 1) / blocksize)
    values.withUnsafeBufferPointer { source in
        packed.withUnsafeMutableBufferPointer { p in
            absmax.withUnsafeMutableBufferPointer { a in
                Blockwise4Bit.quantize(source, blocksize: blocksize, codebook: .nf4, packed: p, absmax: a)
            }
        }
    }
    let codes = values.indices.map { i in i % 2 == 0 ? packed[i / 2] >> 4 : packed[i / 2] & 0x0F }
    return (codes, absmax)
}

func checkBlockwiseQuantization(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 901)
    let values = (0..<10).map { _ in Float(g.nextNormal()) }
    let reference = libraryQuantize(values, blocksize: 4)
    let withZeros: [Float] = [0, 0, 0, 0, 1, -1, 0.5, 0.25]
    // A block whose absmax is 1, so x·(1/absmax) = x exactly: values on bitsandbytes' thresholds
    // and on the Float midpoints one ulp away from them. Then a short last block.
    let offByOne = thresholdsOffTheFloatMidpoint()
    let onThresholds: [Float] = [1] + offByOne.map { NF4.thresholds[$0] } + offByOne.prefix(3).map { (NF4.levels[$0] + NF4.levels[$0 + 1]) * 0.5 }
        + [-0.3, 0.7, 0.1]
    let exact = libraryQuantize(onThresholds, blocksize: 8)
    let gaussian = (0..<4096).map { _ in Float(g.nextNormal()) }
    return firstFailure([
        {
            let got = impl.quantizeBlockwise(values, 4)
            if got.absmax != reference.absmax {
                return CheckFailure(checking: "absmax of 10 values in blocks of 4 (the last block has 2)", expected: show(reference.absmax) { show($0) },
                                    got: show(got.absmax) { show($0) }, why: "one float32 max |x| per block, including the partial last block")
            }
            if got.codes != reference.codes {
                return CheckFailure(checking: "codes of 10 values in blocks of 4", expected: "\(reference.codes)", got: "\(got.codes)",
                                    why: "code = nf4Code(x · (1/absmax[block])), a multiply by the reciprocal as bitsandbytes does")
            }
            return nil
        },
        {
            let got = impl.quantizeBlockwise(onThresholds, 8)
            return got.codes == exact.codes && got.absmax == exact.absmax ? nil
                : CheckFailure(checking: "codes of a block with absmax 1 holding values exactly on bitsandbytes' thresholds t\(offByOne.map(String.init).joined(separator: ", t")) and on Float midpoints next to them",
                               expected: "\(exact.codes), absmax \(show(exact.absmax) { show($0) })", got: "\(got.codes), absmax \(show(got.absmax) { show($0) })",
                               why: "the codes must be bitsandbytes' to the bit: your nf4Code from exercise 07, with bitsandbytes' thresholds")
        },
        {
            let got = impl.dequantizeBlockwise(reference.codes, reference.absmax, 4)
            let want = reference.codes.indices.map { NF4.levels[Int(reference.codes[$0])] * reference.absmax[$0 / 4] }
            return got == want ? nil : CheckFailure(checking: "dequantizeBlockwise(codes, absmax, blocksize: 4)", expected: show(want) { show($0) },
                                                     got: show(got) { show($0) }, why: "value = level[code] · absmax[i / blocksize], one float32 multiply")
        },
        {
            let q = impl.quantizeBlockwise(withZeros, 4)
            if q.codes.count != 8 || q.absmax.count != 2 || q.codes.contains(where: { $0 > 15 }) {
                return CheckFailure(checking: "quantizeBlockwise([0, 0, 0, 0, 1, −1, 0.5, 0.25], 4)", expected: "8 codes in 0…15, 2 absmax",
                                    got: "\(q.codes.count) codes, \(q.absmax.count) absmax")
            }
            let back = impl.dequantizeBlockwise(q.codes, q.absmax, 4)
            let want: [Float] = [0, 0, 0, 0, 1, -1, NF4.levels[12], NF4.levels[10]]
            return back == want ? nil : CheckFailure(checking: "round trip of a block of zeros then [1, −1, 0.5, 0.25]", expected: show(want) { show($0) },
                                                      got: show(back) { show($0) }, why: "an all-zero block has absmax 0 and must come back as zeros, never NaN")
        },
        {
            let q = impl.quantizeBlockwise(gaussian, 64)
            let back = impl.dequantizeBlockwise(q.codes, q.absmax, 64)
            guard back.count == gaussian.count else {
                return CheckFailure(checking: "round trip of 4096 values, blocksize 64", expected: "4096 values", got: "\(back.count) values")
            }
            let error = zip(gaussian, back).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(gaussian.count)
            return (0.068...0.078).contains(error) ? nil
                : CheckFailure(checking: "mean |x − dequant(quant(x))| on 4096 N(0, 1) values, blocksize 64", expected: "≈ 0.0728 (bitsandbytes' own test), within [0.068, 0.078]",
                               got: show(error))
        },
    ])
}

func checkDoubleQuantizationBits(_ impl: Implementations) -> CheckResult {
    // QLoRA paper §3: 4 + 32/64 = 4.5 bits without DQ, 4 + 8/64 + 32/(64·256) ≈ 4.127 with DQ.
    let cases: [(Int, Bool, Double)] = [(64, false, 4.5), (64, true, 4.126953125), (256, true, 4.03173828125), (128, false, 4.25), (32, true, 4.25390625)]
    for (bs, dq, want) in cases {
        let got = impl.bitsPerParameter(bs, dq)
        if !(abs(got - want) <= 1e-12) {
            return .failed(CheckFailure(checking: "bitsPerParameter(blocksize: \(bs), doubleQuantization: \(dq))", expected: show(want), got: show(got),
                                        why: dq ? "4 bits + one 8-bit constant per block + one float32 per 256 blocks" : "4 bits + one float32 absmax per block"))
        }
    }
    // 0.373046875 bits × 65e9 / 8 bits per byte ≈ 3.03 GB: the paper's "approximately 3 GB for a 65B model".
    for (n, want) in [(65_000_000_000, 3_031_005_859.375), (7_000_000_000, 326_416_015.625)] {
        let got = impl.doubleQuantizationSavings(n, 64)
        if !(abs(got - want) <= 1e-9 * want) {
            return .failed(CheckFailure(checking: "doubleQuantizationSavings(parameters: \(n), blocksize: 64) in bytes", expected: show(want), got: show(got),
                                        why: "(4.5 − 4.126953125) bits per parameter × parameters / 8"))
        }
    }
    return .passed
}

func checkQLoRAMemory(_ impl: Implementations) -> CheckResult {
    // LLaMA-65B: 80 layers, hidden 8192, MLP 22016; LoRA r = 64 on all 7 linear layers per block.
    let llama65 = 65_000_000_000
    let lora65 = 80 * 64 * (4 * (8192 + 8192) + 3 * (8192 + 22016))
    let full = impl.fullFineTuningBytes(llama65)
    if !(abs(full - 780e9) <= 1e-9 * 780e9) {
        return .failed(CheckFailure(checking: "fullFineTuningBytes(65e9)", expected: "780000000000 (the QLoRA paper's \"more than 780 GB\")", got: show(full),
                                    why: "16-bit weights 2 B + 16-bit gradients 2 B + AdamW's two float32 moments 8 B = 12 B per parameter"))
    }
    let cases = [(llama65, lora65), (6_738_415_616, 4_194_304), (1_000, 0)]
    for (p, l) in cases {
        let want = Double(p) * 4.126953125 / 8 + 16 * Double(l)
        let got = impl.qloraBytes(p, l)
        if !(abs(got - want) <= 1e-9 * want) {
            return .failed(CheckFailure(checking: "qloraBytes(baseParameters: \(p), loraParameters: \(l))", expected: show(want), got: show(got),
                                        why: "base at 4.126953125 bits (NF4 + DQ, blocksize 64) + 16 B per LoRA parameter (float32 weight, gradient and two moments)"))
        }
    }
    let q65 = impl.qloraBytes(llama65, lora65)
    return q65 < 48e9 ? .passed
        : .failed(CheckFailure(checking: "qloraBytes for LLaMA-65B with r = 64 on all linear layers", expected: "< 48 GB (the paper fine-tunes 65B on one 48 GB GPU)", got: show(q65)))
}
