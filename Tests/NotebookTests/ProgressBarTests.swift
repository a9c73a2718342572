import Testing
import Notebook

@Suite struct ProgressBarTests {
    /// Collects what a bar writes (a class so the bar's closure can append to it).
    final class Sink: @unchecked Sendable { var text = "" }

    @Test func silentWhenNotATerminal() {
        let sink = Sink()
        let bar = ProgressBar(total: 10, label: "work", width: 10, isTerminal: false) { sink.text += $0 }
        for i in 0...10 { bar.update(i, note: "step \(i)") }
        bar.finish()
        #expect(sink.text.isEmpty)
    }

    @Test func drawsOnATerminalAndOnlyWhenTheLineChanges() {
        let sink = Sink()
        let bar = ProgressBar(total: 4, label: "work", width: 8, isTerminal: true) { sink.text += $0 }
        bar.update(2)
        bar.update(2)  // same line: no redraw
        #expect(sink.text == "\rwork [####----] 50%\u{1B}[K")
        bar.update(9)  // clamped to total
        #expect(sink.text.hasSuffix("\rwork [########] 100%\u{1B}[K"))
        bar.finish()
        #expect(sink.text.hasSuffix("\r\u{1B}[K"))
    }
}
