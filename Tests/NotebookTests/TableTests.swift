import Testing
import Notebook

@Suite struct TableTests {
    func sample() -> Table {
        var table = Table(columns: ["target", "r", "trainable", "share"])
        table.add("q, v", "8", grouped(4_194_304), "0.0622%")
        table.add("all-linear", "64", grouped(159_907_840), "2.3731%")
        table.add("q, k, v, o", "1", grouped(1_048_576), "0.0156%")
        return table
    }

    @Test func plainTextLinesHaveEqualWidthAndColumnsLineUp() {
        let lines = sample().plainText().split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(Set(lines.map(\.count)).count == 1, "line widths: \(lines.map(\.count))")
        // Numbers are right-aligned: every row's last character of column 3 sits in one place.
        let header = lines[0]
        let end = header.range(of: "trainable")!.upperBound
        let offset = header.distance(from: header.startIndex, to: end)
        for line in lines.dropFirst(2) {
            let chars = Array(line)
            #expect(chars[offset - 1].isNumber, "'\(line)' has no digit ending at column \(offset)")
            #expect(chars[offset] == " ")
        }
        // Text is left-aligned: every row starts with its first cell.
        #expect(lines[2].hasPrefix("q, v "))
    }

    @Test func alignmentDetection() {
        let table = sample()
        #expect(!table.isRightAligned(0))
        #expect(table.isRightAligned(1) && table.isRightAligned(2) && table.isRightAligned(3))
        var forced = Table(columns: [Table.Column("n", align: .left)])
        forced.add("12")
        #expect(!forced.isRightAligned(0))
    }

    @Test func markdownForm() {
        let md = sample().markdown().split(separator: "\n").map(String.init)
        #expect(md[0] == "| target | r | trainable | share |")
        #expect(md[1] == "|---|---:|---:|---:|")
        #expect(md[2] == "| q, v | 8 | 4,194,304 | 0.0622% |")
        var piped = Table(columns: ["a"])
        piped.add("x|y")
        #expect(piped.markdown().hasSuffix("| x\\|y |"))
    }
}
