import LoRA

// Checks for exercises 07–11 (chapters 05–07). Oracles: the NF4 table and midpoints of
// SPEC-QLORA.md (hard-coded in SpecValues), bit-exact bytes, and the QLoRA paper's numbers.

func checkNF4Code(_ impl: Implementations) -> CheckResult {
    var cases: [(Float, UInt8, String)] = []
    for (code, level) in SpecValues.nf4Levels.enumerated() { cases.append((level, UInt8(code), "a level maps to its own code")) }
    for (i, m) in SpecValues.nf4Midpoints.enumerated() {
        cases.append((m, UInt8(i), "a value exactly on a midpoint goes to the LOWER code"))
        cases.append((m.nextUp, UInt8(i + 1), "just above a midpoint is the upper code"))
        cases.append((m.nextDown, UInt8(i), "just below a midpoint is the lower code"))
    }
    cases += [(-1.5, 0, "below −1 clamps to code 0"), (1.5, 15, "above 1 clamps to code 15"),
              (-0.0, 7, "−0.0 is zero"), (.nan, 0, "NaN gives code 0 (no midpoint is below NaN)")]
    for (x, want, why) in cases {
        let got = impl.nf4Code(x)
        if got != want {
            return .failed(CheckFailure(checking: "nf4Code(\(show(x)))", expected: "\(want)", got: "\(got)", why: why))
        }
    }
    return .passed
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

/// Expected codes and absmax by the spec's rule: x · (1/absmax), then "midpoints below".
private func referenceQuantize(_ values: [Float], blocksize: Int) -> (codes: [UInt8], absmax: [Float]) {
    var codes: [UInt8] = [], absmax: [Float] = []
    for start in stride(from: 0, to: values.count, by: blocksize) {
        let block = values[start..<min(start + blocksize, values.count)]
        let m = block.reduce(Float(0)) { max($0, abs($1)) }
        absmax.append(m)
        let inverse = 1 / m
        codes += block.map { SpecValues.nf4Code($0 * inverse) }
    }
    return (codes, absmax)
}

func checkBlockwiseQuantization(_ impl: Implementations) -> CheckResult {
    var g = SeededGenerator(seed: 901)
    let values = (0..<10).map { _ in Float(g.nextNormal()) }
    let reference = referenceQuantize(values, blocksize: 4)
    let withZeros: [Float] = [0, 0, 0, 0, 1, -1, 0.5, 0.25]
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
            let got = impl.dequantizeBlockwise(reference.codes, reference.absmax, 4)
            let want = reference.codes.indices.map { SpecValues.nf4Levels[Int(reference.codes[$0])] * reference.absmax[$0 / 4] }
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
            let want: [Float] = [0, 0, 0, 0, 1, -1, SpecValues.nf4Levels[12], SpecValues.nf4Levels[10]]
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
        let want = Double(p) * 4.126953125 / 8 + 12 * Double(l)
        let got = impl.qloraBytes(p, l)
        if !(abs(got - want) <= 1e-9 * want) {
            return .failed(CheckFailure(checking: "qloraBytes(baseParameters: \(p), loraParameters: \(l))", expected: show(want), got: show(got),
                                        why: "base at 4.126953125 bits (NF4 + DQ, blocksize 64) + 12 B per LoRA parameter"))
        }
    }
    let q65 = impl.qloraBytes(llama65, lora65)
    return q65 < 48e9 ? .passed
        : .failed(CheckFailure(checking: "qloraBytes for LLaMA-65B with r = 64 on all linear layers", expected: "< 48 GB (the paper fine-tunes 65B on one 48 GB GPU)", got: show(q65)))
}
