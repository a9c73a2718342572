import Foundation
import LoRA

/// A fresh empty directory under the system temp directory, unique per call.
func makeTemporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lora-tests-\(label)-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A safetensors file built by hand, independent of `SafetensorsWriter`: header text as given,
/// padded to 8, followed by `data`.
func handMadeSafetensors(header: String, data: [UInt8]) -> [UInt8] {
    var h = Array(header.utf8)
    while h.count % 8 != 0 { h.append(0x20) }
    var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(h.count) >> (8 * UInt64($0))) }
    out += h
    out += data
    return out
}

/// Little-endian bytes of Float values.
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } }
}

/// A small document with three tensors of different shapes and metadata.
func sampleDocument(seed: UInt64 = 7) -> SafetensorsDocument {
    var rng = SeededGenerator(seed: seed)
    func values(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.nextNormal()) } }
    return SafetensorsDocument(
        tensors: [
            "layers.0.q.lora_A.weight": SafetensorsTensor(shape: [2, 3], values: values(6)),
            "layers.0.q.lora_B.weight": SafetensorsTensor(shape: [4, 2], values: values(8)),
            "bias": SafetensorsTensor(shape: [3], values: values(3)),
        ],
        metadata: ["format": "pt"])
}
