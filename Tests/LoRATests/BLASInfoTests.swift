import LoRA
import Testing

@Suite struct BLASInfoTests {
    @Test func hintOnlyWhenKernelIsFarBelowTheCPU() {
        let slow = BLASInfo(library: "OpenBLAS", configuration: "OpenBLAS 0.3.21", kernel: "Prescott", threads: 2, cpuFeatures: ["avx512f", "avx2", "avx", "sse3"])
        #expect(slow.hint?.contains("OPENBLAS_CORETYPE=SkylakeX") == true)
        let fast = BLASInfo(library: "OpenBLAS", configuration: "OpenBLAS 0.3.21", kernel: "SkylakeX", threads: 2, cpuFeatures: ["avx512f"])
        #expect(fast.hint == nil)
        let oldCPU = BLASInfo(library: "OpenBLAS", configuration: "OpenBLAS 0.3.21", kernel: "Prescott", threads: 1, cpuFeatures: ["sse3"])
        #expect(oldCPU.hint == nil)
        #expect(slow.description.contains("kernel Prescott"))
    }

    @Test func currentReportsALinkedLibrary() {
        let info = BLASInfo.current
        #expect(["OpenBLAS", "Accelerate"].contains(info.library))
        #expect(!info.kernel.isEmpty && info.kernel != "unknown")
    }
}
