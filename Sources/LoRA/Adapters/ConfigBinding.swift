/// The tie between an adapter's two files: the weights file's `__metadata__` records a digest
/// of the exact `adapter_config.json` bytes saved with it.
///
/// ```
/// adapter_model.safetensors  __metadata__ = {"format": "pt", "lora_adapter_config_fnv1a64": "9c3f…"}
/// adapter_config.json        bytes whose FNV-1a 64 digest is 9c3f…
/// ```
/// A save renames the two files into place one after the other (see the internal
/// `AtomicFolder`), so a reader racing it, or a crash between the renames, can meet the new
/// weights beside the old config. The digest tells a matched pair from a mixed one. PEFT and
/// `safetensors` ignore metadata keys they do not know; files without the key (written by PEFT or
/// by older versions) are read as before. FNV-1a is not a cryptographic hash: it tells two saves
/// apart, it does not stop someone who writes both files by hand.
enum ConfigBinding {
    /// The `__metadata__` key holding the config's digest.
    static let metadataKey = "lora_adapter_config_fnv1a64"

    /// FNV-1a (64-bit) of `bytes`, as 16 lowercase hexadecimal digits.
    static func digest(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV offset basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3  // FNV prime
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
