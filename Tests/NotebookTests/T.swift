import Testing
@testable import Notebook
@Test func debugLabel() {
    let a = Axis(covering: [0.0078, 2.37], scale: .log, name: "y")
    print(a.ticks, a.ticks.map(a.label))
    print(Axis.label(0.001, step: 0.009), fmt(0.001, 3))
}
