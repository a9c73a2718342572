import LoRA
import Testing

/// The allocator setting training loops apply.
@Suite struct TrainingAllocatorTests {
    @Test func glibcAcceptsTheSettings() {
        #if canImport(Glibc)
        #expect(AllocatorTuning.keepFreedMemoryForReuse())
        #expect(AllocatorTuning.appliedOnce)
        #else
        #expect(!AllocatorTuning.keepFreedMemoryForReuse())
        #endif
    }
}
