// Solution 08 · chapter 06 (ch06-nf4): packing two 4-bit codes into a byte

/// ⌈n/2⌉ bytes holding n codes (each 0…15), first code in the high nibble.
public func packNibbles(_ codes: [UInt8]) -> [UInt8] {
    // bitsandbytes' kernel writes (q[2k] << 4) | q[2k+1]: element order is nibble order read
    // from the most significant end. The pad is 0x7 because that is NF4's code for 0.0, so a
    // dequantized pad is harmless; it is never read back anyway (unpack stops at `count`).
    var bytes: [UInt8] = []
    bytes.reserveCapacity((codes.count + 1) / 2)
    for k in stride(from: 0, to: codes.count, by: 2) {
        let low = k + 1 < codes.count ? codes[k + 1] : 0x7
        bytes.append((codes[k] << 4) | (low & 0x0F))
    }
    return bytes
}

/// The first `count` codes stored in `bytes`.
public func unpackNibbles(_ bytes: [UInt8], count: Int) -> [UInt8] {
    // Code i sits in byte i/2: the high nibble for even i, the low one for odd i.
    (0..<min(count, 2 * bytes.count)).map { i in
        i % 2 == 0 ? bytes[i / 2] >> 4 : bytes[i / 2] & 0x0F
    }
}
