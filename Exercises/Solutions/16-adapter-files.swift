// Solution 16 · chapter 12 (ch12-best-practice): PEFT adapter files

/// The safetensors keys of a module's A and B.
public func adapterTensorNames(modulePath: String) -> (a: String, b: String) {
    // "base_model.model." is the path of the wrapped model inside PeftModel; PEFT strips the
    // adapter name ("default") before saving, so one file can be loaded under any name.
    let prefix = "base_model.model." + modulePath
    return (a: prefix + ".lora_A.weight", b: prefix + ".lora_B.weight")
}

/// The header length as 8 little-endian bytes.
public func safetensorsLengthPrefix(headerLength: Int) -> [UInt8] {
    // Little-endian: byte j holds bits 8j…8j+7, least significant first. A reader takes these
    // 8 bytes, then that many bytes of JSON, then the tensor data at the offsets it lists.
    let n = UInt64(headerLength)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
}
