// swift-tools-version:6.0
// A literate Swift package that teaches LoRA and QLoRA by running code.
// Read it as a table of contents: the library, the chapters, the tools, the tests.
import Foundation
import PackageDescription

// MARK: - Settings

/// Whether this package is being built as another package's dependency fetched by URL
/// (SwiftPM checks those out under `.build/checkouts/`, Xcode under `SourcePackages/checkouts/`).
/// SwiftPM refuses unsafe flags in such a dependency, so there the library is built with the
/// dependent's own settings (a dependent's release build optimises it anyway).
let isCheckedOutDependency = Context.packageDirectory.contains("/checkouts/")

/// The numeric library is compiled with optimisation even in debug builds, so that
/// `swift run chNN-...` (a debug build) runs the chapters in seconds, not minutes. Only when
/// this package is the root or a local (path) dependency: see ``isCheckedOutDependency``.
let optimisedEvenInDebug: [SwiftSetting] = isCheckedOutDependency ? [] : [
    .unsafeFlags(["-O"], .when(configuration: .debug))
]

/// The C kernels are compiled with -O2 even in debug builds (the GEMM loops are most of a
/// chapter's time), under the same condition. Their bits do not depend on it: multiply-add
/// contraction is switched off in the source (`#pragma STDC FP_CONTRACT OFF` and
/// `#pragma clang fp contract(off)` in `GEMMKernels.c`), so no flag is needed for that.
let optimisedCEvenInDebug: [CSetting] = isCheckedOutDependency ? [] : [
    .unsafeFlags(["-O2"])
]

/// BLAS: OpenBLAS through the `CBLAS` system module on Linux, Accelerate on Apple platforms.
let blasDependency: Target.Dependency = .target(
    name: "CBLAS", condition: .when(platforms: [.linux]))

// MARK: - Chapters (executables `chNN-name`, sources in Chapters/NN-name/main.swift)

/// The chapters are the folders of `Chapters/` named `NN-name` that hold a `main.swift`: the one
/// chapter list. `tour` runs the `chNN-*` executables it finds beside itself and `lora-docs` reads
/// the same folders, so adding a chapter is adding its folder. (SwiftPM caches the evaluated
/// manifest by its text: after adding a folder, `touch Package.swift` once.)
let chapters: [String] = {
    let folder = Context.packageDirectory + "/Chapters"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { name in
        let digits = name.prefix(2)
        return name.count > 3 && digits.allSatisfy(\.isNumber) && name.dropFirst(2).first == "-"
            && FileManager.default.fileExists(atPath: folder + "/" + name + "/main.swift")
    }.sorted()
}()

/// Every chapter executable, as a dependency: `tour`, `lora-docs` and the chapter tests run them.
let chapterDependencies: [Target.Dependency] = chapters.map { .target(name: "ch" + $0) }

let chapterTargets: [Target] = chapters.map { name in
    .executableTarget(
        name: "ch" + name,
        dependencies: ["LoRA", "Notebook", "Experiments", "Corpus", "TinyLlama"],
        path: "Chapters/" + name)
}

// MARK: - Package

let package = Package(
    name: "LoRAByCode",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LoRA", targets: ["LoRA"]),
        .library(name: "Notebook", targets: ["Notebook"]),
    ],
    targets: [
        // MARK: - Library
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"]), .brew(["openblas"])]),
        .target(
            name: "LoRA",
            dependencies: [blasDependency, "CKernels"],
            exclude: ["Kernels/C"],
            swiftSettings: optimisedEvenInDebug),
        // The deterministic GEMM kernels (C, so one source serves AVX2, SSE2 and NEON; -O2 even
        // in debug builds, and no multiply-add contraction: see Sources/LoRA/Kernels/C).
        .target(
            name: "CKernels",
            path: "Sources/LoRA/Kernels/C",
            cSettings: optimisedCEvenInDebug),
        .target(
            name: "Notebook",
            swiftSettings: optimisedEvenInDebug),
        // Fine-tuning experiments at tuned learning rates over seeds (the training chapters).
        .target(
            name: "Experiments",
            dependencies: ["LoRA", "Notebook"],
            swiftSettings: optimisedEvenInDebug),

        // The real-text snapshot (fortunes, KJV Proverbs) and its reader; provenance in its README.
        .target(
            name: "Corpus",
            dependencies: ["LoRA"],
            exclude: ["README.md"],
            resources: [.copy("Text")],
            swiftSettings: optimisedEvenInDebug),
        // The tiny LLaMA of the real-text chapters: its recipe, evaluation and committed weights.
        .target(
            name: "TinyLlama",
            dependencies: ["LoRA", "Corpus"],
            resources: [.copy("Checkpoint")],
            swiftSettings: optimisedEvenInDebug),

        // MARK: - Tools
        // The one child-process runner of the tools and the tests.
        .target(name: "ChildProcess"),
        .executableTarget(
            name: "tour",
            dependencies: ["LoRA", "ChildProcess"] + chapterDependencies),
        .executableTarget(
            name: "lora-docs",
            dependencies: ["Notebook", "ExerciseChecks", "ChildProcess"] + chapterDependencies),
        .executableTarget(
            name: "safetensors-interop",
            dependencies: ["LoRA", "SafetensorsInteropSupport"]),
        // The interop check's sample files and fixture reader (not part of the public library).
        .target(
            name: "SafetensorsInteropSupport",
            dependencies: ["LoRA"]),
        // `make pretrain`: pre-trains the tiny LLaMA and writes Sources/TinyLlama/Checkpoint.
        .executableTarget(
            name: "pretrain",
            dependencies: ["TinyLlama", "Corpus", "LoRA", "Notebook"],
            swiftSettings: optimisedEvenInDebug),
        // `llama-adapt`: a learner's own LLaMA checkpoint: load, generate, LoRA/QLoRA, a few steps, save.
        .executableTarget(
            name: "llama-adapt",
            dependencies: ["LoRA", "Notebook"],
            swiftSettings: optimisedEvenInDebug),
        .executableTarget(
            name: "lora-bench",
            dependencies: ["LoRA", "Notebook", blasDependency],
            swiftSettings: optimisedEvenInDebug),

        // MARK: - Exercises
        // The stubs the learner edits (Exercises/NN-name.swift), the reference solutions
        // (Exercises/Solutions/), the checks and the manifest (Sources/ExerciseChecks), and the
        // learner's checker `swift run exercises`. The checker does not link the stubs: it builds
        // `exercise-runner` (stubs + checks) itself and runs each check in it, so that a stub that
        // does not compile, traps, loops or allocates without end is reported, not fatal.
        .target(
            name: "ExerciseStubs",
            dependencies: ["LoRA"],
            path: "Exercises",
            exclude: ["Solutions"]),
        .target(
            name: "ExerciseSolutions",
            dependencies: ["LoRA"],
            path: "Exercises/Solutions"),
        .target(
            name: "ExerciseChecks",
            dependencies: ["LoRA"]),
        .executableTarget(
            name: "exercises",
            dependencies: ["ExerciseChecks", "ChildProcess"]),
        .executableTarget(
            name: "exercise-runner",
            dependencies: ["ExerciseStubs", "ExerciseChecks"]),

        // MARK: - Tests
        .testTarget(
            name: "LoRATests",
            dependencies: ["LoRA", "SafetensorsInteropSupport"],
            resources: [.copy("Fixtures"), .copy("Resources/dynamic-map-f32.txt")]),
        .testTarget(
            name: "CorpusTests",
            dependencies: ["Corpus"]),
        .testTarget(
            name: "TinyLlamaTests",
            dependencies: ["TinyLlama", "Corpus", "LoRA"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NotebookTests",
            dependencies: ["Notebook"]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "LoRA", "Notebook"]),
        .testTarget(
            name: "ChapterTests",
            dependencies: ["ChildProcess", .target(name: "lora-docs"), .target(name: "lora-bench"), .target(name: "safetensors-interop"),
                           .target(name: "llama-adapt")]
                + chapterDependencies),
        .testTarget(
            name: "ExerciseTests",
            dependencies: ["ExerciseStubs", "ExerciseSolutions", "ExerciseChecks", "LoRA", "exercises", "exercise-runner"]),
    ] + chapterTargets,
    swiftLanguageModes: [.v6]
)
