import Testing
@testable import lora_docs

/// The chapter parser's hide markers (`// hide`, `//- hide` … `//- show`): hidden lines run but
/// never reach the page, and a malformed block is an error naming the file and line.
@Suite struct ChapterSourceTests {
    /// A chapter whose second chunk is `body`.
    func chapter(_ body: String) -> String {
        """
        import Notebook
        /*:
        # 99 · Demo
        */
        \(body)
        /*:
        The end.
        */
        """
    }

    /// The code shown for each chunk.
    func listings(_ text: String) throws -> [String] {
        try ChapterSource(name: "99-demo", text: text).segments.compactMap {
            if case .code(_, _, let code) = $0 { code } else { nil }
        }
    }

    func problem(_ text: String) -> String? {
        do {
            _ = try ChapterSource(name: "99-demo", text: text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func hiddenLinesAreLeftOutAndMarkersNeverShow() throws {
        let shown = try listings(chapter("""
            cell()
            //- hide
            var options = Options(program: "ch99-demo", summary: "Demo.")
            let rank = options.int("rank", default: 8, "rank")
            options.finish()
            //- show

            let table = Table(columns: ["r"])   // hide
            print(rank)

            blackHole(rank)  // hide

            table.print()
            """))
        #expect(shown == ["print(rank)\n\ntable.print()"])
        for marker in ["hide", "show", "//-", "Options", "Table(", "blackHole"] {
            #expect(!shown[0].contains(marker), "\(marker) leaked: \(shown[0])")
        }
    }

    @Test func aChunkOfOnlyHiddenLinesShowsNoCode() throws {
        let source = try ChapterSource(name: "99-demo", text: chapter("""
            //- hide
            cell()
            setThreads(1)
            //- show
            """))
        #expect(source.chunkCount == 1)
        #expect(try listings(chapter("cell()\nsetThreads(1) // hide")) == [""])
        // The hidden chunk still spans its lines, so its output lands under it.
        #expect(source.chunk(containing: 6) == 0)
    }

    @Test func aHideBlockLeftOpenNamesTheFileAndItsLine() {
        #expect(problem(chapter("cell()\n//- hide\nprint(1)"))
            == "Chapters/99-demo/main.swift:6: hide block '//- hide' is not closed with '//- show' before the prose at line 8")
        #expect(problem("import Notebook\n/*:\n# 99 · Demo\n*/\ncell()\n//- hide\nprint(1)\n")
            == "Chapters/99-demo/main.swift:6: hide block '//- hide' is never closed with '//- show'")
    }

    @Test func strayAndMistypedMarkersAreErrors() {
        #expect(problem(chapter("cell()\nprint(1)\n//- show"))
            == "Chapters/99-demo/main.swift:7: '//- show' without an open '//- hide'")
        #expect(problem(chapter("cell()\n//- hide\n//- hide\n//- show"))?
            .hasPrefix("Chapters/99-demo/main.swift:7: '//- hide' inside the hide block opened at line 6") == true)
        #expect(problem(chapter("cell()\n//- hdie\nprint(1)"))?
            .hasPrefix("Chapters/99-demo/main.swift:6: unknown marker '//- hdie'") == true)
    }

    @Test func theCellCheckStillSeesHiddenLines() {
        #expect(problem(chapter("let x = 1 // hide\ncell()"))?
            .hasPrefix("Chapters/99-demo/main.swift:5: a code chunk must start with cell()") == true)
    }

    @Test func unmarkedCodeIsShownUnchanged() throws {
        #expect(try listings(chapter("cell()\nlet hideout = 1 // the hideout\nprint(hideout)"))
            == ["let hideout = 1 // the hideout\nprint(hideout)"])
    }
}
