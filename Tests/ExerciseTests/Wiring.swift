import ExerciseChecks
import ExerciseSolutions
@testable import exercise_runner

// The reference solutions wired into the checks, as Sources/exercise-runner/Wiring.swift wires the
// stubs (the tests use that wiring itself, through `@testable import exercise_runner`). Both modules
// define the same function names, so every call is qualified with its module.


/// The reference solutions in Exercises/Solutions/ (module ExerciseSolutions).
func solutionImplementations() -> Implementations {
    Implementations(
        lowRankUpdate: { ExerciseSolutions.lowRankUpdate(a: $0, b: $1) },
        updateRankBound: { ExerciseSolutions.updateRankBound(rank: $0, outFeatures: $1, inFeatures: $2) },
        loraScale: { ExerciseSolutions.loraScale(alpha: $0, rank: $1, rankStabilized: $2) },
        loraForward: { ExerciseSolutions.loraForward(x: $0, w0: $1, a: $2, b: $3, scale: $4) },
        loraGradients: { ExerciseSolutions.loraGradients(x: $0, a: $1, b: $2, scale: $3, outputGradient: $4) },
        defaultInitialization: { ExerciseSolutions.defaultInitialization(rank: $0, inFeatures: $1, outFeatures: $2, using: &$3) },
        loraParameterCount: { ExerciseSolutions.loraParameterCount(rank: $0, outFeatures: $1, inFeatures: $2) },
        compressionRatio: { ExerciseSolutions.compressionRatio(rank: $0, outFeatures: $1, inFeatures: $2) },
        nf4Thresholds: { ExerciseSolutions.nf4Thresholds() },
        nf4Code: { ExerciseSolutions.nf4Code($0) },
        packNibbles: { ExerciseSolutions.packNibbles($0) },
        unpackNibbles: { ExerciseSolutions.unpackNibbles($0, count: $1) },
        quantizeBlockwise: { ExerciseSolutions.quantizeBlockwise($0, blocksize: $1) },
        dequantizeBlockwise: { ExerciseSolutions.dequantizeBlockwise(codes: $0, absmax: $1, blocksize: $2) },
        bitsPerParameter: { ExerciseSolutions.bitsPerParameter(blocksize: $0, doubleQuantization: $1) },
        doubleQuantizationSavings: { ExerciseSolutions.doubleQuantizationSavings(parameters: $0, blocksize: $1) },
        fullFineTuningBytes: { ExerciseSolutions.fullFineTuningBytes(parameters: $0) },
        qloraBytes: { ExerciseSolutions.qloraBytes(baseParameters: $0, loraParameters: $1) },
        merge: { ExerciseSolutions.merge(weight: $0, a: $1, b: $2, scale: $3) },
        unmerge: { ExerciseSolutions.unmerge(weight: $0, a: $1, b: $2, scale: $3) },
        learningRate: { ExerciseSolutions.learningRate(step: $0, peak: $1, warmupSteps: $2, totalSteps: $3, minimumFactor: $4) },
        clipGradients: { ExerciseSolutions.clipGradients($0, maxNorm: $1) },
        matchesTargetList: { ExerciseSolutions.matchesTargetList($0, targets: $1) },
        matchesTargetPattern: { ExerciseSolutions.matchesTargetPattern($0, pattern: $1) },
        isAllLinearTarget: { ExerciseSolutions.isAllLinearTarget($0, isLinear: $1) },
        adapterTensorNames: { ExerciseSolutions.adapterTensorNames(modulePath: $0) },
        safetensorsLengthPrefix: { ExerciseSolutions.safetensorsLengthPrefix(headerLength: $0) },
        predictedRank2Residual: ExerciseSolutions.predictedRank2Residual,
        bestRankApproximation: { try ExerciseSolutions.bestRankApproximation($0, rank: $1) },
        eckartYoungResidual: { ExerciseSolutions.eckartYoungResidual(singularValues: $0, rank: $1) },
        predictedSGDExponent: ExerciseSolutions.predictedSGDExponent,
        predictedAdamExponent: ExerciseSolutions.predictedAdamExponent,
        sgdFirstStepDeltaWeight: { ExerciseSolutions.sgdFirstStepDeltaWeight(x: $0, a: $1, outputGradient: $2, scale: $3, learningRate: $4) },
        pissaInitialization: { try ExerciseSolutions.pissaInitialization(weight: $0, rank: $1, scale: $2) },
        normalFloatLevels: { ExerciseSolutions.normalFloatLevels(positive: $0, negative: $1, offset: $2) },
        lloydMaxStep: { ExerciseSolutions.lloydMaxStep(values: $0, levels: $1) },
        safeMerge: { ExerciseSolutions.safeMerge(&$0, a: $1, b: $2, scale: $3) },
        mergeBoth: { ExerciseSolutions.mergeBoth(weight: $0, first: $1, second: $2) },
        interference: { ExerciseSolutions.interference(weight: $0, own: $1, other: $2, inputs: $3) },
        loftqStep: { try ExerciseSolutions.loftqStep(weight: $0, a: $1, b: $2, scale: $3) },
        loftqInitialization: { try ExerciseSolutions.loftqInitialization(weight: $0, rank: $1, alpha: $2, iterations: $3) },
        doraInitialMagnitude: { ExerciseSolutions.doraInitialMagnitude($0) },
        doraForward: { ExerciseSolutions.doraForward(x: $0, w0: $1, a: $2, b: $3, scale: $4, magnitude: $5) },
        loraPlusStep: { ExerciseSolutions.loraPlusStep(a: &$0, b: &$1, gradientA: $2, gradientB: $3, optimizer: &$4, learningRate: $5, ratio: $6) },
        combineCat: { ExerciseSolutions.combineCat($0, weights: $1) },
        combineLinear: { ExerciseSolutions.combineLinear($0, weights: $1) },
        mixedBatchForward: { ExerciseSolutions.mixedBatchForward(x: $0, base: $1, adapters: $2, adapterOfRow: $3) },
        bitsPerByte: { ExerciseSolutions.bitsPerByte(meanLoss: $0, tokens: $1, bytes: $2) },
        samplingProbabilities: { ExerciseSolutions.samplingProbabilities(logits: $0, temperature: $1, topP: $2) },
        pairedRatio: { ExerciseSolutions.pairedRatio($0, $1, t975: $2) },
        rotaryEmbedding: { ExerciseSolutions.rotaryEmbedding($0, position: $1, theta: $2) },
        bpeMergeStep: { ExerciseSolutions.bpeMergeStep(words: $0, counts: $1, newToken: $2) },
        decodingStep: { ExerciseSolutions.decodingStep(keys: &$0, values: &$1, key: $2, value: $3, query: $4, heads: $5, keyValueHeads: $6) })
}
