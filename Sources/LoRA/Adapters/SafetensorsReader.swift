import Foundation

/// Reads safetensors files, validating every number in the header against the bytes actually
/// present before allocating anything sized by it.
///
/// ```
/// read 8 bytes → N          refuse N > 100 MB or N > file size − 8      (nothing else read yet)
/// read N bytes → header     validate it against the data section's size (file size − 8 − N)
/// read each tensor's bytes  straight into its Float storage (F32) or a 16-bit buffer (F16, BF16)
/// ```
/// A file whose header disagrees with its size is refused before any data byte is read, so a
/// multi-gigabyte file with a bad header costs a few hundred bytes of reading, not gigabytes.
/// The checks themselves are listed on the internal `SafetensorsLayout`.
public enum SafetensorsReader {
    /// The largest header accepted: 100,000,000 bytes, the limit Hugging Face's `safetensors`
    /// applies (`MAX_HEADER_SIZE`).
    public static let maximumHeaderLength = 100_000_000

    /// Reads and validates the file at `url`.
    ///
    /// A directory, a FIFO, a device (`/dev/zero`), a socket or a symbolic link loop is refused
    /// before it is opened for reading.
    /// - Complexity: reads 8 + N header bytes, then exactly the data the header describes;
    ///   allocates the values (4 bytes per element) plus, for F16/BF16, one tensor's raw bytes.
    ///   A file whose values would need more than the machine's memory (or this process's
    ///   `RLIMIT_AS`/`RLIMIT_DATA`) is refused from its header (``SafetensorsError/Kind/tooLarge``),
    ///   before anything is allocated.
    /// - Throws: ``SafetensorsError`` naming the file, its full path (``SafetensorsError/path``),
    ///   the tensor and the problem.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> SafetensorsDocument {
        do {
            return try readFile(url)
        } catch {
            var located = error
            located.path = url.path
            throw located
        }
    }

    private static func readFile(_ url: URL) throws(SafetensorsError) -> SafetensorsDocument {
        let name = url.lastPathComponent
        func ioError(_ problem: RegularFile.Problem) -> SafetensorsError {
            SafetensorsError(file: name, kind: .io, problem: "cannot read the file: \(problem.reason)")
        }
        let file: RegularFile
        do { file = try RegularFile(openingForReading: url) } catch { throw ioError(error) }
        do {
            let prefix = try file.bytes(at: 0, count: min(8, file.size))
            let headerLength = try SafetensorsLayout.headerLength(prefix: prefix, fileSize: file.size, fileName: name)
            let header = try file.bytes(at: 8, count: headerLength)
            let layout = try SafetensorsLayout.parse(header: header, dataLength: file.size - 8 - headerLength, fileName: name)
            try checkBudget(layout, fileName: name)
            var tensors: [String: SafetensorsTensor] = [:]
            tensors.reserveCapacity(layout.placements.count)
            for p in layout.placements {
                let count = (p.end - p.begin) / p.dtype.size
                let values = try readValues(file, at: layout.dataStart + p.begin, count: count, dtype: p.dtype)
                tensors[p.name] = SafetensorsTensor(dtype: p.dtype, shape: p.shape, values: values)
            }
            return SafetensorsDocument(tensors: tensors, metadata: layout.metadata)
        } catch let problem as RegularFile.Problem {
            throw ioError(problem)
        } catch let error as SafetensorsError {
            throw error
        } catch {
            throw SafetensorsError(file: name, kind: .io, problem: "\(error)")
        }
    }

    /// Refuses a file whose values (4 bytes each as `Float`) would exceed ``MemoryBudget``,
    /// naming the tensor that crosses it and its size, before anything is allocated.
    private static func checkBudget(_ layout: SafetensorsLayout, fileName: String) throws(SafetensorsError) {
        let budget = MemoryBudget.current
        var total = 0
        for p in layout.placements {
            let count = (p.end - p.begin) / p.dtype.size
            let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
            let (sum, overflowSum) = total.addingReportingOverflow(bytes)
            guard !overflow, !overflowSum, sum <= budget.bytes else {
                let size = overflow ? "more than \(Int.max) bytes" : MemoryBudget.describe(bytes)
                throw SafetensorsError(
                    file: fileName, tensor: p.name, kind: .tooLarge,
                    problem: "too large to load: its \(count) values need \(size) as Float"
                        + (total > 0 ? " on top of the \(MemoryBudget.describe(total)) of the tensors before it" : ""),
                    expected: "at most \(MemoryBudget.describe(budget.bytes)) in all (\(budget.source))")
            }
            total = sum
        }
    }

    /// `count` little-endian values of `dtype` at byte `offset`, as Floats.
    private static func readValues(_ file: RegularFile, at offset: Int, count: Int, dtype: SafetensorsDType) throws(RegularFile.Problem) -> [Float] {
        switch dtype {
        case .f32:
            var values = [Float](repeating: 0, count: count)
            try file.read(into: &values, at: offset)
            #if _endian(big)
            for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            #endif
            return values
        case .f16, .bf16:
            var halves = [UInt16](repeating: 0, count: count)
            try file.read(into: &halves, at: offset)
            return halves.map { bits in
                let h = UInt16(littleEndian: bits)
                return dtype == .f16 ? HalfPrecision.float(fromHalfBits: h) : HalfPrecision.float(fromBFloat16Bits: h)
            }
        }
    }

    /// Parses the bytes of a safetensors file; `fileName` is only used in error messages.
    /// - Complexity: O(bytes); allocates at most about 2 × the input size (F16 → Float doubles it).
    public static func parse(_ bytes: [UInt8], fileName: String) throws(SafetensorsError) -> SafetensorsDocument {
        let headerLength = try SafetensorsLayout.headerLength(prefix: Array(bytes.prefix(8)), fileSize: bytes.count, fileName: fileName)
        let header = Array(bytes[8..<(8 + headerLength)])
        let layout = try SafetensorsLayout.parse(header: header, dataLength: bytes.count - 8 - headerLength, fileName: fileName)
        // Every range is now known to lie inside `bytes`: allocate and convert.
        var tensors: [String: SafetensorsTensor] = [:]
        tensors.reserveCapacity(layout.placements.count)
        for p in layout.placements {
            let values = decode(bytes, from: layout.dataStart + p.begin, to: layout.dataStart + p.end, dtype: p.dtype)
            tensors[p.name] = SafetensorsTensor(dtype: p.dtype, shape: p.shape, values: values)
        }
        return SafetensorsDocument(tensors: tensors, metadata: layout.metadata)
    }

    /// Little-endian bytes [from, to) to Float values; the range was validated by the caller.
    private static func decode(_ bytes: [UInt8], from: Int, to: Int, dtype: SafetensorsDType) -> [Float] {
        let count = (to - from) / dtype.size
        return bytes.withUnsafeBufferPointer { buffer in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                var p = from
                for i in 0..<count {
                    switch dtype {
                    case .f32:
                        let bits = UInt32(buffer[p]) | UInt32(buffer[p + 1]) << 8
                            | UInt32(buffer[p + 2]) << 16 | UInt32(buffer[p + 3]) << 24
                        out[i] = Float(bitPattern: bits)
                    case .f16:
                        out[i] = HalfPrecision.float(fromHalfBits: UInt16(buffer[p]) | UInt16(buffer[p + 1]) << 8)
                    case .bf16:
                        out[i] = HalfPrecision.float(fromBFloat16Bits: UInt16(buffer[p]) | UInt16(buffer[p + 1]) << 8)
                    }
                    p += dtype.size
                }
                initialized = count
            }
        }
    }
}
