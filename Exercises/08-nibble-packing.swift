// Exercise 08 · chapter 06 (ch06-nf4): packing two 4-bit codes into a byte
//
// bitsandbytes stores NF4 codes two per byte: byte k = (q[2k] << 4) | q[2k+1], so the FIRST
// code goes in the HIGH nibble. With an odd number of codes the last low nibble is padded
// with 0x7, NF4's code for 0.0. Example: the codes of [1.0, −1.0, 0.0] are [15, 0, 7] and pack
// to the bytes F0 77.
//
// What to do: pack codes into bytes, and unpack `count` codes from bytes.
// Check: swift run exercises 8          Stuck? swift run exercises 8 --hint

/// ⌈n/2⌉ bytes holding n codes (each 0…15), first code in the high nibble.
public func packNibbles(_ codes: [UInt8]) -> [UInt8] {
    // TODO: two codes per byte, high nibble first, pad an odd tail with 0x7.
    return []
}

/// The first `count` codes stored in `bytes`.
public func unpackNibbles(_ bytes: [UInt8], count: Int) -> [UInt8] {
    // TODO: high nibble, then low nibble, byte after byte; stop after `count` codes.
    return []
}
