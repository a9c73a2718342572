import Foundation
import LoRA
import Testing

/// A crafted file cannot make an error message of megabytes: values in messages are cut.
@Suite struct MessageLengthTests {
    @Test("a shape of a million entries whose product overflows: a short message naming the count")
    func hugeShapeMessageIsShort() throws {
        let dims = Array(repeating: "65536", count: 1_000_000).joined(separator: ",")
        let header = #"{"w":{"dtype":"F32","shape":[\#(dims)],"data_offsets":[0,0]}}"#
        do {
            _ = try SafetensorsReader.parse(handMadeSafetensors(header: header, data: []), fileName: "huge.safetensors")
            Issue.record("an overflowing shape was accepted")
        } catch {
            #expect(error.kind == .sizeMismatch)
            #expect("\(error)".utf8.count < 1000, "the message holds \("\(error)".utf8.count) bytes")
            #expect("\(error)".contains("1000000 values"))
        }
    }

    @Test("a tensor name of 100,000 characters is cut in the message")
    func hugeNameIsCut() {
        let error = SafetensorsError(file: "x.safetensors", tensor: String(repeating: "n", count: 100_000), kind: .invalidEntry, problem: "bad")
        #expect("\(error)".utf8.count < 1000)
        #expect("\(error)".contains("100000 characters in all"))
    }
}
