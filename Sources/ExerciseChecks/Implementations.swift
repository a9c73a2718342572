import LoRA

/// The learner's functions, one field per function an exercise asks for.
///
/// The checker fills it from the stubs (`Exercises/NN-*.swift`, module `ExerciseStubs`), the
/// tests fill it from both the stubs and the reference solutions (`Exercises/Solutions/`,
/// module `ExerciseSolutions`). Both modules define functions with the same names and types;
/// the checks only ever see this struct, so they cannot tell which one they are checking.
public struct Implementations {
    // 01 low-rank update
    /// ΔW = B·A for A (r, in) and B (out, r).
    public var lowRankUpdate: (_ a: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float>
    /// The largest rank B·A can have.
    public var updateRankBound: (_ rank: Int, _ outFeatures: Int, _ inFeatures: Int) -> Int
    // 02 scaling
    /// s = α/r, or α/√r with rsLoRA.
    public var loraScale: (_ alpha: Double, _ rank: Int, _ rankStabilized: Bool) -> Double
    // 03 forward
    /// y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ.
    public var loraForward: (_ x: Matrix<Float>, _ w0: Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float) -> Matrix<Float>
    // 04 gradients
    /// (∂L/∂A, ∂L/∂B) for L with ∂L/∂y = dy.
    public var loraGradients: (_ x: Matrix<Double>, _ a: Matrix<Double>, _ b: Matrix<Double>, _ scale: Double, _ dy: Matrix<Double>) -> (a: Matrix<Double>, b: Matrix<Double>)
    // 05 initialisation
    /// PEFT's default A and B.
    public var defaultInitialization: (_ rank: Int, _ inFeatures: Int, _ outFeatures: Int, _ generator: inout SeededGenerator) -> (a: Matrix<Float>, b: Matrix<Float>)
    // 06 parameter counts
    /// r·(d + k).
    public var loraParameterCount: (_ rank: Int, _ outFeatures: Int, _ inFeatures: Int) -> Int
    /// r·(d + k) / (d·k).
    public var compressionRatio: (_ rank: Int, _ outFeatures: Int, _ inFeatures: Int) -> Double
    // 07 NF4 code
    /// The NF4 code (0…15) of a normalised value.
    public var nf4Code: (_ x: Float) -> UInt8
    // 08 nibble packing
    /// Two 4-bit codes per byte, first in the high nibble.
    public var packNibbles: (_ codes: [UInt8]) -> [UInt8]
    /// The inverse of packing: `count` codes.
    public var unpackNibbles: (_ bytes: [UInt8], _ count: Int) -> [UInt8]
    // 09 blockwise absmax
    /// One NF4 code per value and one absmax per block.
    public var quantizeBlockwise: (_ values: [Float], _ blocksize: Int) -> (codes: [UInt8], absmax: [Float])
    /// level[code] · absmax[block].
    public var dequantizeBlockwise: (_ codes: [UInt8], _ absmax: [Float], _ blocksize: Int) -> [Float]
    // 10 double quantization
    /// Storage bits per parameter of 4-bit blockwise quantization.
    public var bitsPerParameter: (_ blocksize: Int, _ doubleQuantization: Bool) -> Double
    /// Bytes double quantization saves on a model.
    public var doubleQuantizationSavings: (_ parameters: Int, _ blocksize: Int) -> Double
    // 11 QLoRA memory
    /// 16-bit full fine-tuning with AdamW, in bytes.
    public var fullFineTuningBytes: (_ parameters: Int) -> Double
    /// QLoRA (NF4 + DQ base, 16-bit LoRA, 32-bit AdamW states), in bytes.
    public var qloraBytes: (_ baseParameters: Int, _ loraParameters: Int) -> Double
    // 12 merge
    /// W0 + s·B·A.
    public var merge: (_ weight: Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float) -> Matrix<Float>
    /// W − s·B·A.
    public var unmerge: (_ weight: Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float) -> Matrix<Float>
    // 13 learning-rate schedule
    /// Linear warm-up, then cosine decay to minimumFactor · peak.
    public var learningRate: (_ step: Int, _ peak: Double, _ warmupSteps: Int, _ totalSteps: Int, _ minimumFactor: Double) -> Double
    // 14 gradient clipping
    /// Global-norm clipping: the clipped gradients and the norm before clipping.
    public var clipGradients: (_ gradients: [Matrix<Double>], _ maxNorm: Double) -> (gradients: [Matrix<Double>], norm: Double)
    // 15 target modules
    /// PEFT's list form of `target_modules`.
    public var matchesTargetList: (_ moduleName: String, _ targets: [String]) -> Bool
    /// PEFT's string (regex) form of `target_modules`.
    public var matchesTargetPattern: (_ moduleName: String, _ pattern: String) -> Bool
    /// PEFT's "all-linear".
    public var isAllLinearTarget: (_ moduleName: String, _ isLinear: Bool) -> Bool
    // 16 adapter files
    /// The safetensors keys of a module's A and B.
    public var adapterTensorNames: (_ modulePath: String) -> (a: String, b: String)
    /// The 8-byte little-endian header length that starts a safetensors file.
    public var safetensorsLengthPrefix: (_ headerLength: Int) -> [UInt8]

    /// Collects one implementation of every exercise.
    public init(
        lowRankUpdate: @escaping (Matrix<Float>, Matrix<Float>) -> Matrix<Float>,
        updateRankBound: @escaping (Int, Int, Int) -> Int,
        loraScale: @escaping (Double, Int, Bool) -> Double,
        loraForward: @escaping (Matrix<Float>, Matrix<Float>, Matrix<Float>, Matrix<Float>, Float) -> Matrix<Float>,
        loraGradients: @escaping (Matrix<Double>, Matrix<Double>, Matrix<Double>, Double, Matrix<Double>) -> (a: Matrix<Double>, b: Matrix<Double>),
        defaultInitialization: @escaping (Int, Int, Int, inout SeededGenerator) -> (a: Matrix<Float>, b: Matrix<Float>),
        loraParameterCount: @escaping (Int, Int, Int) -> Int,
        compressionRatio: @escaping (Int, Int, Int) -> Double,
        nf4Code: @escaping (Float) -> UInt8,
        packNibbles: @escaping ([UInt8]) -> [UInt8],
        unpackNibbles: @escaping ([UInt8], Int) -> [UInt8],
        quantizeBlockwise: @escaping ([Float], Int) -> (codes: [UInt8], absmax: [Float]),
        dequantizeBlockwise: @escaping ([UInt8], [Float], Int) -> [Float],
        bitsPerParameter: @escaping (Int, Bool) -> Double,
        doubleQuantizationSavings: @escaping (Int, Int) -> Double,
        fullFineTuningBytes: @escaping (Int) -> Double,
        qloraBytes: @escaping (Int, Int) -> Double,
        merge: @escaping (Matrix<Float>, Matrix<Float>, Matrix<Float>, Float) -> Matrix<Float>,
        unmerge: @escaping (Matrix<Float>, Matrix<Float>, Matrix<Float>, Float) -> Matrix<Float>,
        learningRate: @escaping (Int, Double, Int, Int, Double) -> Double,
        clipGradients: @escaping ([Matrix<Double>], Double) -> (gradients: [Matrix<Double>], norm: Double),
        matchesTargetList: @escaping (String, [String]) -> Bool,
        matchesTargetPattern: @escaping (String, String) -> Bool,
        isAllLinearTarget: @escaping (String, Bool) -> Bool,
        adapterTensorNames: @escaping (String) -> (a: String, b: String),
        safetensorsLengthPrefix: @escaping (Int) -> [UInt8]
    ) {
        self.lowRankUpdate = lowRankUpdate
        self.updateRankBound = updateRankBound
        self.loraScale = loraScale
        self.loraForward = loraForward
        self.loraGradients = loraGradients
        self.defaultInitialization = defaultInitialization
        self.loraParameterCount = loraParameterCount
        self.compressionRatio = compressionRatio
        self.nf4Code = nf4Code
        self.packNibbles = packNibbles
        self.unpackNibbles = unpackNibbles
        self.quantizeBlockwise = quantizeBlockwise
        self.dequantizeBlockwise = dequantizeBlockwise
        self.bitsPerParameter = bitsPerParameter
        self.doubleQuantizationSavings = doubleQuantizationSavings
        self.fullFineTuningBytes = fullFineTuningBytes
        self.qloraBytes = qloraBytes
        self.merge = merge
        self.unmerge = unmerge
        self.learningRate = learningRate
        self.clipGradients = clipGradients
        self.matchesTargetList = matchesTargetList
        self.matchesTargetPattern = matchesTargetPattern
        self.isAllLinearTarget = isAllLinearTarget
        self.adapterTensorNames = adapterTensorNames
        self.safetensorsLengthPrefix = safetensorsLengthPrefix
    }
}
