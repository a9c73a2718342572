/// The element types a safetensors file can declare, and which of them this package reads.
///
/// The names are the format's own (`"F32"`, `"F16"`, `"BF16"`, …). Only the three float
/// formats LoRA adapters are shipped in are converted to `Float`; the others are recognised so
/// that an error can say "not supported" rather than "not a dtype".
public enum SafetensorsDType: String, Sendable, CaseIterable, Codable {
    /// IEEE 754 binary32, 4 bytes.
    case f32 = "F32"
    /// IEEE 754 binary16, 2 bytes.
    case f16 = "F16"
    /// bfloat16 (the top half of a binary32), 2 bytes.
    case bf16 = "BF16"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        }
    }

    /// Other dtype names the safetensors format defines, which this reader rejects as unsupported.
    static let otherFormatNames: Set<String> = [
        "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    ]
}

/// One tensor of a safetensors file, converted to `Float`.
///
/// ```
/// values.count = shape[0] · shape[1] · …     (row-major; a shape [] is a scalar, 1 value)
/// ```
public struct SafetensorsTensor: Equatable, Sendable {
    /// The dtype in the file it was read from (the writer always writes ``SafetensorsDType/f32``).
    public var dtype: SafetensorsDType
    /// The dimensions, outermost first.
    public var shape: [Int]
    /// The elements in row-major order.
    public var values: [Float]

    /// Creates a tensor; `values.count` must equal the product of `shape`.
    public init(dtype: SafetensorsDType = .f32, shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsTensor: negative dimension in shape \(shape)")
        precondition(
            shape.reduce(1, *) == values.count,
            "SafetensorsTensor: shape \(shape) holds \(shape.reduce(1, *)) values but \(values.count) were given")
        self.dtype = dtype
        self.shape = shape
        self.values = values
    }

    /// A (rows, columns) matrix as a 2-D tensor.
    public init<Scalar: BLASScalar>(_ matrix: Matrix<Scalar>) {
        self.init(shape: [matrix.rows, matrix.columns], values: matrix.converted(to: Float.self).storage)
    }

    /// The number of elements, the product of the shape.
    public var elementCount: Int { values.count }

    /// The shape in the format `[2, 3]`, for messages.
    public var shapeDescription: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}

/// The contents of a safetensors file: named tensors and the optional string metadata.
///
/// ```
/// file = N (8 bytes, little-endian u64) ‖ header (N bytes of UTF-8 JSON) ‖ data
/// header = { "<name>": {"dtype": "F32", "shape": [r, c], "data_offsets": [begin, end]}, …,
///            "__metadata__": {"<key>": "<value>", …} }
/// ```
/// Offsets count from the start of the data section; tensors are contiguous, do not overlap and
/// cover the data section exactly. Format described by Hugging Face's `safetensors` project.
public struct SafetensorsDocument: Equatable, Sendable {
    /// The tensors by name.
    public var tensors: [String: SafetensorsTensor]
    /// The header's `__metadata__` map (PEFT writes `["format": "pt"]`).
    public var metadata: [String: String]

    /// Creates a document from tensors and metadata.
    public init(tensors: [String: SafetensorsTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}
