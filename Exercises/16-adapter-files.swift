// Exercise 16 · chapter 12 (ch12-best-practice): PEFT adapter files
//
// PEFT saves an adapter as adapter_model.safetensors + adapter_config.json. In the safetensors
// file each module's factors are stored under
//   base_model.model.<module path>.lora_A.weight   (r, in)
//   base_model.model.<module path>.lora_B.weight   (out, r)
// (no adapter name in the key). The file starts with 8 bytes: the length N of its JSON header
// as an unsigned 64-bit little-endian integer; then N bytes of JSON; then the raw tensors.
//
// What to do: the two key names for a module, and the 8-byte length prefix.
// Check: swift run exercises 16         Stuck? swift run exercises 16 --hint

/// The safetensors keys of a module's A and B.
public func adapterTensorNames(modulePath: String) -> (a: String, b: String) {
    // TODO: build both keys from the module path.
    return (a: "", b: "")
}

/// The header length as 8 little-endian bytes.
public func safetensorsLengthPrefix(headerLength: Int) -> [UInt8] {
    // TODO: least significant byte first.
    return []
}
