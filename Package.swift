// swift-tools-version:6.0
// A literate Swift package that teaches LoRA and QLoRA by running code.
// Read it as a table of contents: the library, the chapters, the tools, the tests.
import PackageDescription

// MARK: - Settings

/// The numeric library is compiled with optimisation even in debug builds, so that
/// `swift run chNN-...` (a debug build) runs the chapters in seconds, not minutes.
let optimisedEvenInDebug: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug))
]

/// BLAS: OpenBLAS through the `CBLAS` system module on Linux, Accelerate on Apple platforms.
let blasDependency: Target.Dependency = .target(
    name: "CBLAS", condition: .when(platforms: [.linux]))

// MARK: - Chapters (executables `chNN-name`, sources in Chapters/NN-name/main.swift)

let chapters: [String] = [
    "01-low-rank-update",
    "02-forward-and-scaling",
    "03-initialisation",
    "04-parameter-counts",
    "05-nf4",
    "06-double-quantization",
    "07-qlora",
    "08-merging",
    "09-training",
    "10-rank-targets-limits",
    "11-best-practice",
]

/// Every chapter executable, as a dependency: `tour`, `lora-docs` and the chapter tests run them.
let chapterDependencies: [Target.Dependency] = chapters.map { .target(name: "ch" + $0) }

let chapterTargets: [Target] = chapters.map { name in
    .executableTarget(
        name: "ch" + name,
        dependencies: ["LoRA", "Notebook"],
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
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        .target(
            name: "Notebook",
            swiftSettings: optimisedEvenInDebug),

        // MARK: - Tools
        .executableTarget(
            name: "tour",
            dependencies: ["LoRA"] + chapterDependencies),
        .executableTarget(
            name: "lora-docs",
            dependencies: ["Notebook", "ExerciseChecks"] + chapterDependencies),
        .executableTarget(
            name: "safetensors-interop",
            dependencies: ["LoRA"]),
        .executableTarget(
            name: "lora-bench",
            dependencies: ["LoRA", "Notebook", blasDependency],
            swiftSettings: optimisedEvenInDebug),

        // MARK: - Exercises
        // The stubs the learner edits (Exercises/NN-name.swift), the reference solutions
        // (Exercises/Solutions/), the checks and the manifest (Sources/ExerciseChecks), and the
        // learner's checker `swift run exercises`.
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
            dependencies: ["ExerciseStubs", "ExerciseChecks"]),

        // MARK: - Tests
        .testTarget(
            name: "LoRATests",
            dependencies: ["LoRA"],
            resources: [.copy("Fixtures"), .copy("Resources/dynamic-map-f32.txt")]),
        .testTarget(
            name: "NotebookTests",
            dependencies: ["Notebook"]),
        .testTarget(
            name: "ChapterTests",
            dependencies: [.target(name: "lora-docs")] + chapterDependencies),
        .testTarget(
            name: "ExerciseTests",
            dependencies: ["ExerciseStubs", "ExerciseSolutions", "ExerciseChecks", "LoRA", "exercises"]),
    ] + chapterTargets,
    swiftLanguageModes: [.v6]
)
