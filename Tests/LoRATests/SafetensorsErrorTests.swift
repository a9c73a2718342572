import LoRA
import Testing

@Suite struct SafetensorsErrorTests {
    static let data = littleEndianBytes([1, 2, 3, 4, 5, 6])

    func failure(_ header: String, data: [UInt8] = data) -> SafetensorsError? {
        do {
            _ = try SafetensorsReader.parse(handMadeSafetensors(header: header, data: data), fileName: "bad.safetensors")
            return nil
        } catch { return error }
    }

    @Test func sizeMismatchNamesTheTensorAndBothSizes() throws {
        let e = try #require(failure(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,24]}}"#))
        #expect(e.kind == .sizeMismatch)
        #expect(e.tensor == "w")
        #expect(e.description == "safetensors file 'bad.safetensors', tensor 'w': byte size does not match shape × dtype size: expected 16 bytes (4 × 4), found 24")
    }

    @Test func truncatedFilesSayHowManyBytesWereExpected() throws {
        let full = handMadeSafetensors(header: #"{"w":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}"#, data: Self.data)
        for cut in [0, 5, 8, 20, full.count - 1] {
            do {
                _ = try SafetensorsReader.parse(Array(full.prefix(cut)), fileName: "cut.safetensors")
                Issue.record("a file cut to \(cut) bytes loaded")
            } catch {
                #expect(error.description.hasPrefix("safetensors file 'cut.safetensors'"))
                #expect(error.expected != nil && error.found != nil)
                #expect([.truncated, .badOffsets].contains(error.kind))
            }
        }
    }

    @Test func offsetProblemsAreRejected() throws {
        let overlap = try #require(failure(
            #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#))
        #expect(overlap.kind == .badOffsets && overlap.tensor == "b" && overlap.problem.contains("overlaps"))
        let gap = try #require(failure(
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[3],"data_offsets":[12,24]}}"#))
        #expect(gap.kind == .badOffsets && gap.problem.contains("gap"))
        let outside = try #require(failure(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[8,32]}}"#))
        #expect(outside.kind == .badOffsets && outside.found == "[8, 32]")
        let leftover = try #require(failure(#"{"a":{"dtype":"F32","shape":[5],"data_offsets":[0,20]}}"#))
        #expect(leftover.kind == .badOffsets && leftover.expected == "20 data bytes" && leftover.found == "24")
        let negative = try #require(failure(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[-4,20]}}"#))
        #expect(negative.kind == .badOffsets)
    }

    @Test func headerProblemsAreRejected() throws {
        #expect(failure(#"{"a":{"dtype":"I64","shape":[3],"data_offsets":[0,24]}}"#)?.kind == .unsupportedDType)
        #expect(failure(#"{"a":{"dtype":"Q7","shape":[3],"data_offsets":[0,24]}}"#)?.problem == "unknown dtype")
        #expect(failure(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},"a":{"dtype":"F32","shape":[0],"data_offsets":[24,24]}}"#)?.kind == .invalidJSON)
        #expect(failure(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,24]}}"#)?.kind == .sizeMismatch)
        #expect(failure(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24],"extra":1}}"#)?.kind == .invalidEntry)
        #expect(failure(#"{"__metadata__":{"format":1},"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}"#)?.kind == .invalidEntry)
        #expect(failure(#"[1,2]"#)?.kind == .invalidJSON)
        #expect(failure(#"{"a":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}} x"#)?.kind == .invalidJSON)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure(#"{"a":"# + deep + "}")?.kind == .invalidJSON)
    }

    @Test func lengthPrefixAndEncodingAreChecked() throws {
        var huge = handMadeSafetensors(header: "{}", data: [])
        for k in 0..<8 { huge[k] = 0xFF }
        #expect(throws: SafetensorsError.self) { try SafetensorsReader.parse(huge, fileName: "h") }
        do { _ = try SafetensorsReader.parse(huge, fileName: "h") } catch { #expect(error.kind == .headerTooLarge) }
        var latin = handMadeSafetensors(header: #"{"__metadata__":{"k":"caf_"}}"#, data: [])
        latin[latin.firstIndex(of: UInt8(ascii: "_"))!] = 0xE9  // 'é' in Latin-1, invalid UTF-8
        do { _ = try SafetensorsReader.parse(latin, fileName: "l"); Issue.record("Latin-1 header loaded") } catch {
            #expect(error.kind == .invalidUTF8)
        }
    }
}
