import Foundation
import LoRA
import Testing

/// A bad multi-gigabyte file is refused from its first bytes: quickly and without reading (or
/// allocating) the gigabytes. The files are sparse, so they take no disk space.
@Suite struct SafetensorsLargeFileTests {
    static let size: Int64 = 3 << 30  // 3 GiB

    /// A sparse file of `size` bytes starting with `prefix`.
    func sparseFile(_ prefix: [UInt8], size: Int64 = size) throws -> URL {
        let dir = try makeTemporaryDirectory("sparse")
        let url = dir.appendingPathComponent("adapter_model.safetensors")
        try Data(prefix).write(to: url)
        guard truncate(url.path, off_t(size)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    /// Peak resident memory of this process so far, in bytes.
    func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }

    /// Reads `url`, expecting a refusal of `kind`; checks time and memory.
    func expectCheapRefusal(_ url: URL, _ kind: SafetensorsError.Kind) {
        let memoryBefore = peakResidentBytes()
        let start = Date()
        do {
            _ = try SafetensorsReader.read(contentsOf: url)
            Issue.record("a bad 3 GiB file was read")
        } catch {
            #expect(error.kind == kind, "\(error)")
            #expect(error.path == url.path)
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 0.5, "refusing took \(seconds) s")
        let grown = peakResidentBytes() - memoryBefore
        #expect(grown < 64 << 20, "peak memory grew by \(grown >> 20) MiB")
    }

    @Test("a header length beyond the limit is refused from the first 8 bytes")
    func hugeHeaderLength() throws {
        let url = try sparseFile((0..<8).map { UInt8(truncatingIfNeeded: (2_000_000_000 as UInt64) >> (8 * UInt64($0))) })
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        expectCheapRefusal(url, .headerTooLarge)
    }

    @Test("a valid header describing less data than the file holds is refused before the data is read")
    func sizeDisagreesWithHeader() throws {
        let header = #"{"base_model.model.x.lora_A.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        let url = try sparseFile(handMadeSafetensors(header: header, data: Array(repeating: 0, count: 16)))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        expectCheapRefusal(url, .badOffsets)
    }

    @Test("a header promising more data than the file holds is refused before any data is read")
    func headerPromisesTooMuch() throws {
        // 1 Gi floats = 4 GiB promised; the sparse file holds 3 GiB.
        let header = #"{"w":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,4294967296]}}"#
        let url = try sparseFile(handMadeSafetensors(header: header, data: []))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        expectCheapRefusal(url, .badOffsets)
    }

    @Test("a consistent header declaring a tensor larger than memory is refused by name and size, not a crash",
          .timeLimit(.minutes(5)))
    func tensorLargerThanMemory() async throws {
        // A tensor needing at least 64 GiB, and more than the machine's memory, as Float; the file
        // is sparse and its header is consistent (offsets tile the data section exactly).
        let count = max(16 << 30, Int(ProcessInfo.processInfo.physicalMemory / 4) + (1 << 28))
        let name = "base_model.model.x.lora_A.weight"
        let header = #"{"\#(name)":{"dtype":"F32","shape":[\#(count)],"data_offsets":[0,\#(count * 4)]}}"#
        let prefix = handMadeSafetensors(header: header, data: [])
        let url = try sparseFile(prefix, size: Int64(prefix.count) + Int64(count) * 4)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        // In a child process: the code before this fix aborted ("failed to allocate … bytes").
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [url = url as URL, count = count as Int] in
            do throws(SafetensorsError) {
                _ = try SafetensorsReader.read(contentsOf: url)
                exit(3)
            } catch {
                let text = "\(error)"
                guard error.kind == .tooLarge, error.tensor == "base_model.model.x.lora_A.weight",
                      text.contains("\(count) values"), text.contains("\(count * 4) bytes") else {
                    FileHandle.standardError.write(Data("unexpected: \(text)\n".utf8))
                    exit(4)
                }
            }
        }
        #expect(result?.standardErrorContent.isEmpty ?? true, "\(String(decoding: result?.standardErrorContent ?? [], as: UTF8.self))")
        // The same file through the adapter loader: a typed error, kind corruptFile, naming the tensor.
        await #expect(processExitsWith: .success) { [directory = url.deletingLastPathComponent() as URL] in
            try Data(#"{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":["x"]}"#.utf8)
                .write(to: directory.appendingPathComponent("adapter_config.json"))
            do throws(AdapterError) {
                _ = try AdapterFiles.read(from: directory)
                exit(3)
            } catch {
                exit(error.subject == "base_model.model.x.lora_A.weight" && "\(error)".contains("too large") ? 0 : 4)
            }
        }
    }
}
