/// The `BPE` model of a `tokenizer.json`: a vocabulary of byte-level tokens and ranked merges,
/// applied to one word at a time by a priority queue of candidate pairs.
///
/// ```
/// word bytes → one token per byte (its table character's id)
/// queue: every adjacent pair with a merge, by (rank, position)
/// pop the lowest; if the pair there is still the one queued, join it and queue its new
/// neighbours' pairs; repeat until the queue is empty
/// ```
/// This is the order `tokenizers` merges in (its `Word::merge_all`); a popped entry is stale
/// when the symbols at its position no longer merge to the token it was queued for.
struct BPEModel: Sendable {
    /// A merge: its rank (0 first) and the id of the token it makes.
    struct Merge: Sendable {
        var rank: Int32
        var result: Int32
    }

    /// Token → id.
    let vocabulary: [String: Int]
    /// (left id, right id) packed as `left << 32 | right` → the merge.
    let merges: [UInt64: Merge]
    /// The id of each byte's one-character token, or −1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    /// `unk_token`'s id, used for bytes without a token (else such bytes are dropped, as in `tokenizers`).
    let unknownID: Int?
    /// `fuse_unk`: consecutive unknown bytes give one unknown token.
    let fuseUnknown: Bool
    /// `ignore_merges`: a word that is itself in the vocabulary is that token, merges or not.
    let ignoreMerges: Bool

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Appends the ids of the word whose UTF-8 bytes are `bytes` to `out`.
    /// - Complexity: O(n log n) for n bytes.
    func encode(word bytes: [UInt8], into out: inout [Int]) {
        if ignoreMerges, let id = vocabulary[ByteLevelAlphabet.encode(bytes)] {
            out.append(id)
            return
        }
        var symbols = initialSymbols(bytes)
        mergeAll(&symbols)
        out.append(contentsOf: symbols.lazy.map { Int($0) })
    }

    /// One id per byte, unknown bytes as `unk_token` (fused when `fuse_unk`) or dropped.
    private func initialSymbols(_ bytes: [UInt8]) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        var pendingUnknowns = 0
        func flushUnknowns() {
            guard pendingUnknowns > 0, let unknownID else { return }
            symbols.append(contentsOf: repeatElement(Int32(unknownID), count: fuseUnknown ? 1 : pendingUnknowns))
            pendingUnknowns = 0
        }
        for byte in bytes {
            let id = byteIDs[Int(byte)]
            if id >= 0 {
                flushUnknowns()
                symbols.append(id)
            } else if unknownID != nil {
                pendingUnknowns += 1
            }
        }
        flushUnknowns()
        return symbols
    }

    /// Joins pairs of `symbols` by rank until none has a merge.
    private func mergeAll(_ symbols: inout [Int32]) {
        let n = symbols.count
        guard n > 1 else { return }
        var next = (0..<n).map { Int32($0 + 1) }   // n means none
        var previous = (0..<n).map { Int32($0 - 1) }  // −1 means none
        var alive = [Bool](repeating: true, count: n)
        var queue = MergeQueue()
        for i in 0..<(n - 1) {
            if let merge = merges[Self.key(symbols[i], symbols[i + 1])] {
                queue.push(.init(rank: merge.rank, position: Int32(i), result: merge.result))
            }
        }
        while let top = queue.pop() {
            let i = Int(top.position)
            guard alive[i], next[i] < n else { continue }
            let j = Int(next[i])
            guard let merge = merges[Self.key(symbols[i], symbols[j])], merge.result == top.result else { continue }
            symbols[i] = top.result
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { previous[Int(next[j])] = Int32(i) }
            if previous[i] >= 0, let left = merges[Self.key(symbols[Int(previous[i])], symbols[i])] {
                queue.push(.init(rank: left.rank, position: previous[i], result: left.result))
            }
            if next[i] < n, let right = merges[Self.key(symbols[i], symbols[Int(next[i])])] {
                queue.push(.init(rank: right.rank, position: Int32(i), result: right.result))
            }
        }
        var kept: [Int32] = []
        kept.reserveCapacity(n)
        for i in 0..<n where alive[i] { kept.append(symbols[i]) }
        symbols = kept
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position).
struct MergeQueue {
    struct Entry {
        var rank: Int32
        var position: Int32
        var result: Int32

        @inline(__always)
        static func < (a: Entry, b: Entry) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.position < b.position
        }
    }

    private var heap: [Entry] = []

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left] < heap[smallest] { smallest = left }
                if right < heap.count, heap[right] < heap[smallest] { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
