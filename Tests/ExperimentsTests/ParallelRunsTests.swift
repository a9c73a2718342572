import Experiments
import Testing

/// ``parallelRuns(_:progress:_:)``: results in the items' order, and the first failure in that
/// order whichever run fails first in time.
@Suite struct ParallelRunsTests {
    struct Failure: Error, Equatable { let item: Int }

    @Test func resultsComeInTheOrderOfTheItems() throws {
        let items = Array(0..<40)
        let results = try parallelRuns(items) { i in String(i * i) }
        #expect(results == items.map { String($0 * $0) })
    }

    @Test func theFirstFailureInItemOrderIsRethrownAfterEveryRunFinished() {
        let items = Array(0..<16)
        #expect(throws: Failure(item: 3)) {
            try parallelRuns(items) { i -> Int in
                if i == 3 || i == 11 { throw Failure(item: i) }
                return i
            }
        }
    }
}
