// swift-tools-version:6.0
// A package that uses LoRAByCode as a dependency, the way a reader's own project would:
// `.package(path:)` here (built by .ci/run); `Tests/DependentPackage/check.sh` also checks the
// `.package(url:from:)` form against a tagged local clone.
import PackageDescription

/// SwiftPM names a dependency after the last component of its path or URL.
let (dependency, packageName): (Package.Dependency, String) = {
    if let url = Context.environment["LORA_PACKAGE_URL"] {
        return (.package(url: url, from: "0.1.0"), String(url.split(separator: "/").last!))
    }
    let path = Context.environment["LORA_PACKAGE_PATH"] ?? "../.."
    return (.package(path: path), String(path.split(separator: "/").last!))
}()

let package = Package(
    name: "DependentPackage",
    platforms: [.macOS(.v13)],
    dependencies: [dependency],
    targets: [
        .executableTarget(
            name: "lora-dependent",
            dependencies: [.product(name: "LoRA", package: packageName)]),
    ],
    swiftLanguageModes: [.v6]
)
