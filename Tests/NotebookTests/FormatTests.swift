import Testing
@testable import Notebook

@Suite struct FormatTests {
    @Test func fixedDigits() {
        #expect(fmt(3.14159, 3) == "3.142")
        #expect(fmt(2.5, 0) == "2")        // round-half-even as printf does
        #expect(fmt(-0.0001, 2) == "0.00") // no negative zero
        #expect(fmt(-1.5, 1) == "-1.5")
        #expect(fmt(Double.nan, 2) == "nan")
        #expect(fmt(-Double.infinity, 2) == "-inf")
        #expect(fmt(Float(0.1), 3) == "0.100")
    }

    @Test func percentages() {
        #expect(percent(0.00390625, 6) == "0.390625%")
        #expect(percent(1, 1) == "100.0%")
        #expect(percent(-0.000001, 2) == "0.00%")
    }

    @Test func scientific() {
        #expect(sci(0.000123456, 2) == "1.23e-04")
        #expect(sci(6.7e9, 1) == "6.7e+09")
        #expect(sci(-0.0, 2) == "0.00e+00")
    }

    @Test func thousandsSeparators() {
        #expect(grouped(0) == "0")
        #expect(grouped(999) == "999")
        #expect(grouped(1000) == "1,000")
        #expect(grouped(6_738_415_616) == "6,738,415,616")
        #expect(grouped(-1_234_567) == "-1,234,567")
    }

    @Test func byteUnits() {
        #expect(bytes(512) == "512 B")
        #expect(bytes(1536) == "1.50 KiB")
        #expect(bytes(3 * 1024 * 1024) == "3.00 MiB")
        #expect(bytes(130e9, decimal: true, digits: 1) == "130.0 GB")
        #expect(bytes(13_476_831_232, decimal: true) == "13.48 GB")
        #expect(bytes(1023.5) == "1023.50 B")
    }

    @Test func axisLabels() {
        #expect(Axis.label(0.001, step: 0.009) == "0.001")
        #expect(Axis.label(64, step: 16) == "64")
        #expect(Axis.label(0.25, step: 0.05) == "0.25")
        #expect(Axis.label(2_000_000, step: 1_000_000) == "2e6")
        #expect(Axis.label(0.0001, step: 0.0001) == "1e-4")
        let log = Axis(covering: [0.0078, 2.37], scale: .log, name: "y")
        #expect(log.ticks.map(log.label) == ["0.001", "0.01", "0.1", "1", "10"])
        let linear = Axis(covering: [0.3, 9.2], scale: .linear, name: "x")
        #expect(linear.ticks == [0, 2, 4, 6, 8, 10])
    }
}
