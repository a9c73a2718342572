/// One tensor's header entry, validated on its own: dtype, shape and offsets that agree with
/// each other and fit inside the data section. (Tiling with the other tensors is checked by
/// ``SafetensorsReader``.)
struct TensorEntry {
    var dtype: SafetensorsDType
    var shape: [Int]
    var begin: Int
    var end: Int

    /// Validates `{"dtype": …, "shape": […], "data_offsets": [begin, end]}` for tensor `name`.
    static func parse(name: String, value: HeaderJSON, fileName: String, dataLength: Int) throws(SafetensorsError) -> TensorEntry {
        func error(_ kind: SafetensorsError.Kind, _ problem: String, expected: String? = nil, found: String? = nil) -> SafetensorsError {
            SafetensorsError(file: fileName, tensor: name, kind: kind, problem: problem, expected: expected, found: found)
        }
        guard case .object(let fields) = value else {
            throw error(.invalidEntry, "entry is not an object", expected: "{\"dtype\", \"shape\", \"data_offsets\"}", found: value.typeName)
        }
        var dtypeValue: HeaderJSON?, shapeValue: HeaderJSON?, offsetsValue: HeaderJSON?
        for (key, item) in fields {
            switch key {
            case "dtype": dtypeValue = item
            case "shape": shapeValue = item
            case "data_offsets": offsetsValue = item
            default:
                throw error(.invalidEntry, "unknown field '\(key)'", expected: "only dtype, shape and data_offsets")
            }
        }
        guard let dtypeValue, let shapeValue, let offsetsValue else {
            let missing = [("dtype", dtypeValue), ("shape", shapeValue), ("data_offsets", offsetsValue)]
                .filter { $0.1 == nil }.map(\.0).joined(separator: ", ")
            throw error(.invalidEntry, "missing field(s) \(missing)")
        }

        // dtype
        guard case .string(let dtypeName) = dtypeValue else {
            throw error(.invalidEntry, "dtype is not a string", expected: "a string such as \"F32\"", found: dtypeValue.typeName)
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            let supported = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            let what = SafetensorsDType.otherFormatNames.contains(dtypeName)
                ? "dtype not supported by this reader" : "unknown dtype"
            throw error(.unsupportedDType, what, expected: supported, found: "\"\(dtypeName)\"")
        }

        // shape: non-negative integers whose product × size fits in Int
        guard case .array(let dims) = shapeValue else {
            throw error(.invalidEntry, "shape is not a list", expected: "a list of non-negative integers", found: shapeValue.typeName)
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        var elements = 1
        var overflowed = false
        for dim in dims {
            guard let n = dim.nonNegativeInt else {
                throw error(.invalidEntry, "shape entry is not a non-negative integer",
                            expected: "a non-negative integer", found: dim.typeName)
            }
            shape.append(n)
            let (product, o) = elements.multipliedReportingOverflow(by: n)
            overflowed = overflowed || o
            elements = product
        }
        // A partial product that overflows is rejected even if a later dimension is 0.
        let (byteCount, o2) = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflowed, !o2 else {
            throw error(.sizeMismatch, "element count overflows", expected: "a shape whose byte size fits in 64 bits",
                        found: "shape " + FileProblem.shortList(shape))
        }

        // data_offsets: [begin, end], begin ≤ end ≤ data length, end − begin = byte count
        guard case .array(let offsets) = offsetsValue, offsets.count == 2 else {
            throw error(.invalidEntry, "data_offsets is not a pair", expected: "[begin, end]", found: offsetsValue.typeName)
        }
        guard let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
            throw error(.badOffsets, "data_offsets are not non-negative integers",
                        expected: "two integers in 0...\(dataLength)", found: "[\(offsets[0].typeName), \(offsets[1].typeName)]")
        }
        guard begin <= end, end <= dataLength else {
            throw error(.badOffsets, "data_offsets outside the data section",
                        expected: "0 ≤ begin ≤ end ≤ \(dataLength)", found: "[\(begin), \(end)]")
        }
        guard end - begin == byteCount else {
            throw error(.sizeMismatch, "byte size does not match shape × dtype size",
                        expected: "\(byteCount) bytes (\(elements) × \(dtype.size))", found: "\(end - begin)")
        }
        return TensorEntry(dtype: dtype, shape: shape, begin: begin, end: end)
    }
}
