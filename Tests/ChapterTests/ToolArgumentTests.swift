import Foundation
import LoRA
@testable import lora_bench
import Testing

/// The tools as a user runs them: help exits 0, bad input names what was wrong and exits 2.
@Suite struct ToolArgumentTests {
    @Test("lora-bench caps --repetitions and says so, at once")
    func benchRepetitionsAreCapped() throws {
        let start = Date()
        let run = try runProduct("lora-bench", ["--repetitions", "1000000000000"])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(run.status == 2)
        #expect(run.stderr.contains("--repetitions must be an integer from 3 to 1000"), "\(run.stderr)")
        #expect(run.stderr.contains("'1000000000000'"))
        #expect(run.stdout.isEmpty)
    }

    @Test("lora-bench --help names each OpenBLAS kernel by the CPU feature it needs")
    func benchHelpNamesKernelsByFeature() throws {
        let run = try runProduct("lora-bench", ["--help"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains("SkylakeX") })
        for line in lines where line.contains("SkylakeX") {
            #expect(line.contains("AVX-512"), "SkylakeX suggested without saying it needs AVX-512: \(line)")
        }
        #expect(run.stdout.contains("Haswell needs AVX2"))
    }

    @Test("lora-bench runs on a kernel this CPU supports and says which")
    func benchPicksASupportedKernel() throws {
        let run = try runProduct("lora-bench", ["--blas"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("BLAS: "))
        let info = BLASInfo.current
        let kernel = try #require(run.stdout.components(separatedBy: "kernel ").dropFirst().first?
            .prefix { $0.isLetter || $0.isNumber }, "\(run.stdout)")
        if let needed = KernelChoice.requiredFeature(of: String(kernel)) {
            #expect(info.cpuFeatures.contains(needed), "\(kernel) needs \(needed), this CPU has \(info.cpuFeatures)")
        }
    }

    @Test("a kernel the CPU cannot run is refused; a slow pick is replaced by the fastest supported one")
    func kernelDecisions() {
        let avx2Only = BLASInfo(library: "OpenBLAS", configuration: "OpenBLAS 0.3.21", kernel: "Prescott", threads: 2, cpuFeatures: ["avx2", "avx", "sse3"])
        guard case .refuse(let message) = KernelChoice.decide(requested: "SkylakeX", info: avx2Only, alreadyRestarted: false) else {
            Issue.record("SkylakeX accepted on an AVX2-only CPU")
            return
        }
        #expect(message.contains("needs AVX-512") && message.contains("Haswell"), "\(message)")
        #expect(KernelChoice.decide(requested: "Haswell", info: avx2Only, alreadyRestarted: false) == .keep)
        #expect(KernelChoice.decide(requested: nil, info: avx2Only, alreadyRestarted: false) == .restart(with: "Haswell"))
        #expect(KernelChoice.decide(requested: nil, info: avx2Only, alreadyRestarted: true) == .keep)
        let good = BLASInfo(library: "OpenBLAS", configuration: "OpenBLAS 0.3.21", kernel: "Haswell", threads: 2, cpuFeatures: ["avx2", "avx", "sse3"])
        #expect(KernelChoice.decide(requested: nil, info: good, alreadyRestarted: false) == .keep)
    }

    @Test("the README suggests no kernel without the CPU feature it needs")
    func readmeNamesKernelsByFeature() throws {
        let readme = try String(contentsOf: Products.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let paragraphs = readme.components(separatedBy: "\n\n")
        #expect(paragraphs.contains { $0.contains("OPENBLAS_CORETYPE") })
        for paragraph in paragraphs where paragraph.contains("SkylakeX") {
            #expect(paragraph.contains("AVX-512"), "\(paragraph)")
        }
    }

    @Test("safetensors-interop --help exits 0; an unknown mode is named, exit 2")
    func interopArguments() throws {
        let help = try runProduct("safetensors-interop", ["--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: safetensors-interop"), "\(help.stderr)")
        let unknown = try runProduct("safetensors-interop", ["verify", "/tmp"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("safetensors-interop: unknown mode 'verify'"), "\(unknown.stderr)")
        let missing = try runProduct("safetensors-interop", ["read"])
        #expect(missing.status == 2 && missing.stderr.contains("read needs a directory"))
    }

    @Test("lora-docs --root naming no package prints the usage and exits 2",
          arguments: ["/nonexistent", "/etc/passwd", "/tmp"])
    func docsRootMustBeThePackage(root: String) throws {
        let run = try runProduct("lora-docs", ["--check", "--root", root])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("lora-docs: --root \(root)"), "\(run.stderr)")
        #expect(run.stderr.contains("usage: lora-docs"))
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test("lora-docs --chapters naming a chapter that does not exist is refused, not reported OK")
    func docsChaptersMustExist() throws {
        let run = try runProduct("lora-docs", ["--chapters", "99", "--check"])
        #expect(run.status == 2)
        #expect(!run.stdout.contains("OK"))
        #expect(run.stderr.contains("chapter 99, which does not exist"), "\(run.stderr)")
    }
}
