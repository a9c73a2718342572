import ExerciseChecks
import ExerciseStubs

/// The learner's stubs (`Exercises/NN-*.swift`), collected for the checks.
func stubImplementations() -> Implementations {
    Implementations(
        lowRankUpdate: { ExerciseStubs.lowRankUpdate(a: $0, b: $1) },
        updateRankBound: { ExerciseStubs.updateRankBound(rank: $0, outFeatures: $1, inFeatures: $2) },
        loraScale: { ExerciseStubs.loraScale(alpha: $0, rank: $1, rankStabilized: $2) },
        loraForward: { ExerciseStubs.loraForward(x: $0, w0: $1, a: $2, b: $3, scale: $4) },
        loraGradients: { ExerciseStubs.loraGradients(x: $0, a: $1, b: $2, scale: $3, outputGradient: $4) },
        defaultInitialization: { ExerciseStubs.defaultInitialization(rank: $0, inFeatures: $1, outFeatures: $2, using: &$3) },
        loraParameterCount: { ExerciseStubs.loraParameterCount(rank: $0, outFeatures: $1, inFeatures: $2) },
        compressionRatio: { ExerciseStubs.compressionRatio(rank: $0, outFeatures: $1, inFeatures: $2) },
        nf4Code: { ExerciseStubs.nf4Code($0) },
        packNibbles: { ExerciseStubs.packNibbles($0) },
        unpackNibbles: { ExerciseStubs.unpackNibbles($0, count: $1) },
        quantizeBlockwise: { ExerciseStubs.quantizeBlockwise($0, blockSize: $1) },
        dequantizeBlockwise: { ExerciseStubs.dequantizeBlockwise(codes: $0, absmax: $1, blockSize: $2) },
        bitsPerParameter: { ExerciseStubs.bitsPerParameter(blockSize: $0, doubleQuantization: $1) },
        doubleQuantizationSavings: { ExerciseStubs.doubleQuantizationSavings(parameters: $0, blockSize: $1) },
        fullFineTuningBytes: { ExerciseStubs.fullFineTuningBytes(parameters: $0) },
        qloraBytes: { ExerciseStubs.qloraBytes(baseParameters: $0, loraParameters: $1) },
        merge: { ExerciseStubs.merge(weight: $0, a: $1, b: $2, scale: $3) },
        unmerge: { ExerciseStubs.unmerge(weight: $0, a: $1, b: $2, scale: $3) },
        learningRate: { ExerciseStubs.learningRate(step: $0, peak: $1, warmupSteps: $2, totalSteps: $3, minimumFactor: $4) },
        clipGradients: { ExerciseStubs.clipGradients($0, maxNorm: $1) },
        matchesTargetList: { ExerciseStubs.matchesTargetList($0, targets: $1) },
        matchesTargetPattern: { ExerciseStubs.matchesTargetPattern($0, pattern: $1) },
        isAllLinearTarget: { ExerciseStubs.isAllLinearTarget($0, isLinear: $1) },
        adapterTensorNames: { ExerciseStubs.adapterTensorNames(modulePath: $0) },
        safetensorsLengthPrefix: { ExerciseStubs.safetensorsLengthPrefix(headerLength: $0) })
}
