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
    "04-parameter-counts",
    "05-nf4",
    "06-double-quantization",
    "07-qlora",
    "08-merging",
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
            dependencies: [blasDependency],
            swiftSettings: optimisedEvenInDebug),
        .target(
            name: "Notebook",
            swiftSettings: optimisedEvenInDebug),

        // MARK: - Tools
        .executableTarget(
            name: "tour",
            dependencies: ["LoRA"] + chapterDependencies),
        .executableTarget(
            name: "lora-docs",
            dependencies: ["Notebook"] + chapterDependencies),
        .executableTarget(
            name: "safetensors-interop",
            dependencies: ["LoRA"]),
        .executableTarget(
            name: "lora-bench",
            dependencies: ["LoRA", blasDependency],
            swiftSettings: optimisedEvenInDebug),

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
    ] + chapterTargets,
    swiftLanguageModes: [.v6]
)
