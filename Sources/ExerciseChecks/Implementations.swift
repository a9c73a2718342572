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
    /// bitsandbytes' 15 NF4 thresholds, ascending.
    public var nf4Thresholds: () -> [Float]
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

    // 17 Eckart–Young (predict, then run)
    /// The learner's prediction of the rank-2 residual for σ = 4, 3, 2, 1.
    public var predictedRank2Residual: Double
    /// The truncated SVD: the best rank-r approximation.
    public var bestRankApproximation: (_ m: Matrix<Double>, _ rank: Int) throws -> Matrix<Double>
    /// √(Σ_{i>r} σᵢ²).
    public var eckartYoungResidual: (_ singularValues: [Double], _ rank: Int) -> Double
    // 18 scale exponent (predict, then run)
    /// The learner's prediction of p in ‖ΔW‖ ∝ sᵖ after one SGD step.
    public var predictedSGDExponent: Double
    /// The same for one Adam step.
    public var predictedAdamExponent: Double
    /// ΔW after one SGD step from B = 0.
    public var sgdFirstStepDeltaWeight: (_ x: Matrix<Double>, _ a: Matrix<Double>, _ dy: Matrix<Double>, _ scale: Double, _ learningRate: Double) -> Matrix<Double>
    // 19 PiSSA
    /// A, B from the top-r SVD and the residual weight.
    public var pissaInitialization: (_ weight: Matrix<Float>, _ rank: Int, _ scale: Float) throws -> (a: Matrix<Float>, b: Matrix<Float>, residual: Matrix<Float>)
    // 20 NF levels from normal quantiles
    /// The NormalFloat levels for `positive` and `negative` counts and the end offset δ.
    public var normalFloatLevels: (_ positive: Int, _ negative: Int, _ offset: Double) -> [Double]
    // 21 Lloyd–Max step
    /// One Lloyd–Max round: each level to the mean of its cell.
    public var lloydMaxStep: (_ values: [Float], _ levels: [Double]) -> [Double]
    // 22 safe merge
    /// W ← W + s·B·A unless the result is not finite; whether it merged.
    public var safeMerge: (_ weight: inout Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float) -> Bool
    // 23 merged-adapter interference
    /// W0 + ΔW₁ + ΔW₂.
    public var mergeBoth: (_ weight: Matrix<Float>, _ first: LoRABranch<Float>, _ second: LoRABranch<Float>) -> Matrix<Float>
    /// How far `own`'s task outputs move when `other` is merged too, relative to `own`'s effect.
    public var interference: (_ weight: Matrix<Float>, _ own: LoRABranch<Float>, _ other: LoRABranch<Float>, _ x: Matrix<Float>) -> Double
    // 24 LoftQ step
    /// Q = dequant(NF4(W − s·B·A)), then A, B from the rank-r SVD of W − Q.
    public var loftqStep: (_ weight: Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float) throws -> (quantized: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>)
    // 25 LoftQ initialisation
    /// T alternations from A = B = 0, as a QLoRA layer.
    public var loftqInitialization: (_ weight: Matrix<Float>, _ rank: Int, _ alpha: Double, _ iterations: Int) throws -> QLoRALinear
    // 26 DoRA
    /// ‖row i of W0‖, shape (out,).
    public var doraInitialMagnitude: (_ w0: Matrix<Float>) -> [Float]
    /// x·W'ᵀ with W' = m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖ (row-wise).
    public var doraForward: (_ x: Matrix<Float>, _ w0: Matrix<Float>, _ a: Matrix<Float>, _ b: Matrix<Float>, _ scale: Float, _ magnitude: [Float]) -> Matrix<Float>
    // 27 LoRA+
    /// One AdamW step: A at η, B at λ·η.
    public var loraPlusStep: (_ a: inout Matrix<Float>, _ b: inout Matrix<Float>, _ gradientA: Matrix<Float>, _ gradientB: Matrix<Float>, _ optimizer: inout AdamW<Float>, _ learningRate: Double, _ ratio: Double) -> Void
    // 28 combining adapters
    /// PEFT's `cat` combination (scale 1).
    public var combineCat: (_ adapters: [LoRABranch<Float>], _ weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>)
    /// PEFT's `linear` combination (scale 1); nil unless the ranks are equal.
    public var combineLinear: (_ adapters: [LoRABranch<Float>], _ weights: [Double]) -> (a: Matrix<Float>, b: Matrix<Float>)?
    // 29 mixed-adapter batch
    /// Row i uses adapters[adapterOfRow[i]], or the base alone for nil.
    public var mixedBatchForward: (_ x: Matrix<Float>, _ base: Linear<Float>, _ adapters: [LoRABranch<Float>], _ adapterOfRow: [Int?]) -> Matrix<Float>
    // 30 bits per byte
    /// meanLoss · tokens / bytes / ln 2.
    public var bitsPerByte: (_ meanLoss: Double, _ tokens: Int, _ bytes: Int) -> Double
    // 31 temperature and top-p
    /// Each token's probability after temperature, softmax and top-p (0 for removed tokens).
    public var samplingProbabilities: (_ logits: [Double], _ temperature: Double, _ topP: Double) -> [Double]
    // 32 paired ratio
    /// exp(mean of ln aᵢ − ln bᵢ) and its 95% interval, given t₀.₉₇₅(n − 1).
    public var pairedRatio: (_ a: [Double], _ b: [Double], _ t975: Double) -> (ratio: Double, low: Double, high: Double)
    // 33 RoPE
    /// x ⊙ cos + rotate_half(x) ⊙ sin at `position`, ωᵢ = θ^(−2i/d).
    public var rotaryEmbedding: (_ x: [Double], _ position: Int, _ theta: Double) -> [Double]
    // 34 one BPE merge step
    /// The most frequent adjacent pair (ties: smaller ids), its count, the words with it joined; nil without pairs.
    public var bpeMergeStep: (_ words: [[Int]], _ counts: [Int], _ newToken: Int) -> (left: Int, right: Int, count: Int, words: [[Int]])?
    // 35 one decoding step with a KV cache
    /// Appends key and value to the cache, returns the query's attention output over every cached row.
    public var decodingStep: (_ keys: inout [[Double]], _ values: inout [[Double]], _ key: [Double], _ value: [Double], _ query: [Double],
                              _ heads: Int, _ keyValueHeads: Int) -> [Double]

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
        nf4Thresholds: @escaping () -> [Float],
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
        safetensorsLengthPrefix: @escaping (Int) -> [UInt8],
        predictedRank2Residual: Double,
        bestRankApproximation: @escaping (Matrix<Double>, Int) throws -> Matrix<Double>,
        eckartYoungResidual: @escaping ([Double], Int) -> Double,
        predictedSGDExponent: Double,
        predictedAdamExponent: Double,
        sgdFirstStepDeltaWeight: @escaping (Matrix<Double>, Matrix<Double>, Matrix<Double>, Double, Double) -> Matrix<Double>,
        pissaInitialization: @escaping (Matrix<Float>, Int, Float) throws -> (a: Matrix<Float>, b: Matrix<Float>, residual: Matrix<Float>),
        normalFloatLevels: @escaping (Int, Int, Double) -> [Double],
        lloydMaxStep: @escaping ([Float], [Double]) -> [Double],
        safeMerge: @escaping (inout Matrix<Float>, Matrix<Float>, Matrix<Float>, Float) -> Bool,
        mergeBoth: @escaping (Matrix<Float>, LoRABranch<Float>, LoRABranch<Float>) -> Matrix<Float>,
        interference: @escaping (Matrix<Float>, LoRABranch<Float>, LoRABranch<Float>, Matrix<Float>) -> Double,
        loftqStep: @escaping (Matrix<Float>, Matrix<Float>, Matrix<Float>, Float) throws -> (quantized: Matrix<Float>, a: Matrix<Float>, b: Matrix<Float>),
        loftqInitialization: @escaping (Matrix<Float>, Int, Double, Int) throws -> QLoRALinear,
        doraInitialMagnitude: @escaping (Matrix<Float>) -> [Float],
        doraForward: @escaping (Matrix<Float>, Matrix<Float>, Matrix<Float>, Matrix<Float>, Float, [Float]) -> Matrix<Float>,
        loraPlusStep: @escaping (inout Matrix<Float>, inout Matrix<Float>, Matrix<Float>, Matrix<Float>, inout AdamW<Float>, Double, Double) -> Void,
        combineCat: @escaping ([LoRABranch<Float>], [Double]) -> (a: Matrix<Float>, b: Matrix<Float>),
        combineLinear: @escaping ([LoRABranch<Float>], [Double]) -> (a: Matrix<Float>, b: Matrix<Float>)?,
        mixedBatchForward: @escaping (Matrix<Float>, Linear<Float>, [LoRABranch<Float>], [Int?]) -> Matrix<Float>,
        bitsPerByte: @escaping (Double, Int, Int) -> Double,
        samplingProbabilities: @escaping ([Double], Double, Double) -> [Double],
        pairedRatio: @escaping ([Double], [Double], Double) -> (ratio: Double, low: Double, high: Double),
        rotaryEmbedding: @escaping ([Double], Int, Double) -> [Double],
        bpeMergeStep: @escaping ([[Int]], [Int], Int) -> (left: Int, right: Int, count: Int, words: [[Int]])?,
        decodingStep: @escaping (inout [[Double]], inout [[Double]], [Double], [Double], [Double], Int, Int) -> [Double]
    ) {
        self.lowRankUpdate = lowRankUpdate
        self.updateRankBound = updateRankBound
        self.loraScale = loraScale
        self.loraForward = loraForward
        self.loraGradients = loraGradients
        self.defaultInitialization = defaultInitialization
        self.loraParameterCount = loraParameterCount
        self.compressionRatio = compressionRatio
        self.nf4Thresholds = nf4Thresholds
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
        self.predictedRank2Residual = predictedRank2Residual
        self.bestRankApproximation = bestRankApproximation
        self.eckartYoungResidual = eckartYoungResidual
        self.predictedSGDExponent = predictedSGDExponent
        self.predictedAdamExponent = predictedAdamExponent
        self.sgdFirstStepDeltaWeight = sgdFirstStepDeltaWeight
        self.pissaInitialization = pissaInitialization
        self.normalFloatLevels = normalFloatLevels
        self.lloydMaxStep = lloydMaxStep
        self.safeMerge = safeMerge
        self.mergeBoth = mergeBoth
        self.interference = interference
        self.loftqStep = loftqStep
        self.loftqInitialization = loftqInitialization
        self.doraInitialMagnitude = doraInitialMagnitude
        self.doraForward = doraForward
        self.loraPlusStep = loraPlusStep
        self.combineCat = combineCat
        self.combineLinear = combineLinear
        self.mixedBatchForward = mixedBatchForward
        self.bitsPerByte = bitsPerByte
        self.samplingProbabilities = samplingProbabilities
        self.pairedRatio = pairedRatio
        self.rotaryEmbedding = rotaryEmbedding
        self.bpeMergeStep = bpeMergeStep
        self.decodingStep = decodingStep
    }
}
