/// Counters of a paged optimizer's traffic between "device" and "host".
public struct PagingCounters: Sendable, Equatable {
    /// Pages moved device → host (evictions).
    public var pagesOut = 0
    /// Pages moved host → device (faults on use).
    public var pagesIn = 0
    /// Bytes moved device → host.
    public var bytesOut = 0
    /// Bytes moved host → device.
    public var bytesIn = 0
    /// The most bytes of paged state resident on the device at once.
    public var peakDeviceBytes = 0
}

/// Errors a user can cause when configuring a paged optimizer.
public enum PagingError: Error, Equatable, CustomStringConvertible {
    /// One tensor's state (m and v) needs `bytes`, more than the whole device budget.
    case stateLargerThanBudget(tensor: Int, bytes: Int, budget: Int)
    /// The page size or budget is not positive.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .stateLargerThanBudget(let t, let bytes, let budget):
            "paged optimizer: tensor \(t)'s state needs \(bytes) bytes, more than the device budget of \(budget) bytes"
        case .invalidConfiguration(let why): "paged optimizer: \(why)"
        }
    }
}

/// AdamW whose large moment tensors live in a byte-budgeted "device" pool and are paged
/// least-recently-used to "host" storage: a CPU model of bitsandbytes' paged optimizers.
///
/// bitsandbytes allocates optimizer state with CUDA unified memory (`cudaMallocManaged`) and
/// prefetches it before each update; under memory pressure the driver evicts pages to host RAM
/// and faults them back when touched. Only states with at least 100,000 elements are paged
/// (bitsandbytes `Optimizer8bit`'s `min_8bit_size`/paging threshold); smaller ones stay put. The
/// update math is unchanged, so this optimizer's parameters are bit-identical to ``AdamW``'s.
///
/// Model: a tensor's state (m and v, 2·count·size(Scalar) bytes) is resident or not as a whole;
/// traffic is counted in pages of ``pageBytes`` (⌈bytes / pageBytes⌉ pages per move). Before a
/// tensor is updated it is brought in, evicting the least recently used resident states until
/// it fits the budget. Host copies are real copies, so the counters measure bytes really moved.
public struct PagedAdamW<Scalar: BLASScalar>: Sendable {
    /// The hyper-parameters.
    public var configuration: AdamWConfiguration
    /// Bytes of paged state allowed on the device at once.
    public let budgetBytes: Int
    /// Tensors with at least this many elements are paged (bitsandbytes: 100,000).
    public let pagingThreshold: Int
    /// The page size used to count traffic (CUDA unified memory migrates 4 KiB–2 MiB pages).
    public let pageBytes: Int
    /// Traffic so far.
    public private(set) var counters = PagingCounters()
    /// Steps taken.
    public private(set) var stepCount = 0

    /// Per tensor: its moments, where they live, and when they were last used.
    private var states: [(m: [Scalar], v: [Scalar])] = []
    private var onDevice: [Bool] = []
    private var lastUse: [Int] = []
    private var clock = 0
    /// Host storage of evicted states (index → moments).
    private var host: [Int: (m: [Scalar], v: [Scalar])] = [:]

    /// - Throws: ``PagingError/invalidConfiguration(_:)`` for a non-positive budget, page size or threshold.
    public init(
        configuration: AdamWConfiguration = AdamWConfiguration(), budgetBytes: Int,
        pagingThreshold: Int = 100_000, pageBytes: Int = 4096
    ) throws {
        guard budgetBytes > 0 else { throw PagingError.invalidConfiguration("budget must be positive, got \(budgetBytes) bytes") }
        guard pageBytes > 0 else { throw PagingError.invalidConfiguration("page size must be positive, got \(pageBytes) bytes") }
        guard pagingThreshold > 0 else { throw PagingError.invalidConfiguration("paging threshold must be positive, got \(pagingThreshold)") }
        self.configuration = configuration
        self.budgetBytes = budgetBytes
        self.pagingThreshold = pagingThreshold
        self.pageBytes = pageBytes
    }

    /// Bytes of a tensor's state (m and v).
    private func stateBytes(_ count: Int) -> Int { 2 * count * MemoryLayout<Scalar>.stride }

    /// Bytes of paged state currently on the device.
    public var residentBytes: Int {
        states.indices.filter { onDevice[$0] && states[$0].m.count >= pagingThreshold }.reduce(0) { $0 + stateBytes(states[$1].m.count) }
    }

    /// One update of every tensor, paging state in and out as needed.
    /// - Throws: ``PagingError/stateLargerThanBudget(tensor:bytes:budget:)`` when one tensor cannot fit.
    public mutating func step(parameters: inout [Matrix<Scalar>], gradients: [Matrix<Scalar>]) throws {
        AdamW<Scalar>.checkShapes(parameters, gradients)
        if states.isEmpty {
            for (i, p) in parameters.enumerated() where p.count >= pagingThreshold && stateBytes(p.count) > budgetBytes {
                throw PagingError.stateLargerThanBudget(tensor: i, bytes: stateBytes(p.count), budget: budgetBytes)
            }
            states = parameters.map { ([Scalar](repeating: 0, count: $0.count), [Scalar](repeating: 0, count: $0.count)) }
            onDevice = [Bool](repeating: false, count: parameters.count)
            lastUse = [Int](repeating: 0, count: parameters.count)
            // New state is allocated on the host side of the pool: the first use faults it in.
            for i in states.indices {
                if states[i].m.count >= pagingThreshold { host[i] = states[i]; states[i] = ([], []) } else { onDevice[i] = true }
            }
        }
        precondition(states.count == parameters.count, "PagedAdamW: \(parameters.count) tensors, but the state holds \(states.count)")
        stepCount += 1
        let s = configuration.scalars(step: stepCount, Scalar.self)
        for i in parameters.indices {
            if !onDevice[i] { pageIn(i) }
            clock += 1
            lastUse[i] = clock
            var (m, v) = states[i]
            states[i] = ([], [])  // hand the buffers over without copying
            AdamW.update(&parameters[i].storage, gradients[i].storage, &m, &v, s)
            states[i] = (m, v)
        }
    }

    /// Brings tensor i's state onto the device, evicting least-recently-used paged states first.
    private mutating func pageIn(_ i: Int) {
        let (m, v) = host.removeValue(forKey: i)!
        let needed = stateBytes(m.count)
        while residentBytes + needed > budgetBytes {
            let victim = states.indices
                .filter { onDevice[$0] && states[$0].m.count >= pagingThreshold }
                .min { lastUse[$0] < lastUse[$1] }!
            pageOut(victim)
        }
        states[i] = (Array(m), Array(v))  // the copy is the transfer
        onDevice[i] = true
        counters.pagesIn += (needed + pageBytes - 1) / pageBytes
        counters.bytesIn += needed
        counters.peakDeviceBytes = max(counters.peakDeviceBytes, residentBytes)
    }

    /// Moves tensor i's state to host storage.
    private mutating func pageOut(_ i: Int) {
        let bytes = stateBytes(states[i].m.count)
        host[i] = (Array(states[i].m), Array(states[i].v))
        states[i] = ([], [])
        onDevice[i] = false
        counters.pagesOut += (bytes + pageBytes - 1) / pageBytes
        counters.bytesOut += bytes
    }

    /// The first moment of tensor i, wherever it lives (for tests and inspection).
    public func firstMoment(_ i: Int) -> [Scalar] { onDevice[i] ? states[i].m : host[i]!.m }
    /// The second moment of tensor i, wherever it lives.
    public func secondMoment(_ i: Int) -> [Scalar] { onDevice[i] ? states[i].v : host[i]!.v }
}
