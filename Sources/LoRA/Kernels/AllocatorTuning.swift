#if canImport(Glibc)
import Glibc
#endif

/// Lets the C allocator keep freed memory for reuse, so training steps stop paying page faults.
///
/// Every training step allocates and frees the same tensors. glibc's `malloc` serves blocks of
/// 128 KiB or more with fresh `mmap` pages and returns free memory at the top of the heap to the
/// kernel, so each step touches new pages and the kernel zeroes them: on the tiny model at batch
/// 32 that is a third of the step's time. Raising both thresholds keeps the memory mapped:
/// ```
/// M_MMAP_THRESHOLD = 32 MiB    (glibc's ceiling on 64-bit)   blocks below it come from the heap
/// M_TRIM_THRESHOLD = 1 GiB                                   the heap is not shrunk after each step
/// ```
/// This changes a process-wide setting; the library applies it only when a training loop starts
/// (``Trainer/train(_:optimizer:configuration:nextBatch:progress:)``, through ``appliedOnce``).
/// It does nothing off glibc.
public enum AllocatorTuning {
    /// The settings, applied the first time this is read (thread-safe, once per process).
    public static let appliedOnce: Bool = keepFreedMemoryForReuse()

    /// Applies the settings above; returns whether the allocator accepted them (false off glibc).
    @discardableResult
    public static func keepFreedMemoryForReuse() -> Bool {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export: look it up.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let (mTrimThreshold, mMmapThreshold): (Int32, Int32) = (-1, -3)  // <malloc.h>
        let mmap = mallopt(mMmapThreshold, 32 << 20)
        let trim = mallopt(mTrimThreshold, 1 << 30)
        return mmap == 1 && trim == 1
        #else
        return false
        #endif
    }
}
