import Testing
import Notebook

@Suite struct OptionsTests {
    func parse(_ arguments: [String]) -> (rank: Int, scale: Double, verbose: Bool, problem: Options.Problem?) {
        var options = Options(program: "test", summary: "A test.", arguments: arguments)
        let rank = options.int("rank", default: 8, "rank", in: 1...4096)
        let scale = options.double("scale", default: 1.5, "scale")
        let verbose = options.flag("verbose", "talk more")
        do {
            try options.check()
            return (rank, scale, verbose, nil)
        } catch {
            return (rank, scale, verbose, error)
        }
    }

    @Test func defaultsAndValues() {
        let none = parse([])
        #expect(none.rank == 8 && none.scale == 1.5 && !none.verbose && none.problem == nil)
        let some = parse(["--rank", "16", "--scale=0.25", "--verbose"])
        #expect(some.rank == 16 && some.scale == 0.25 && some.verbose && some.problem == nil)
    }

    @Test func badValuesAreRejectedWithTheirName() {
        for (arguments, fragment) in [
            (["--rank", "zero"], "--rank expects an integer in 1...4096, got 'zero'"),
            (["--rank", "0"], "got '0'"),
            (["--rank"], "got ''"),
            (["--scale", "nan"], "--scale expects a number"),
            (["--verbose=yes"], "--verbose takes no value"),
            (["--depth", "3"], "unknown option --depth"),
            (["stray"], "unexpected argument 'stray'"),
            (["--rank", "4", "--rank", "5"], "--rank given twice"),
        ] {
            guard case .invalid(let messages)? = parse(arguments).problem else {
                Issue.record("\(arguments) was accepted")
                continue
            }
            #expect(messages.contains { $0.contains(fragment) }, "\(arguments): \(messages)")
        }
    }

    @Test func helpIsReportedAndUsageListsKnobs() {
        #expect(parse(["--help"]).problem == .helpRequested)
        var options = Options(program: "ch99-demo", summary: "Demo.", arguments: [])
        _ = options.int("rank", default: 8, "LoRA rank", in: 1...64)
        let usage = options.usage
        #expect(usage.contains("usage: ch99-demo [options]"))
        #expect(usage.contains("--rank N"))
        #expect(usage.contains("--help"))
    }
}

@Suite struct KnobSummaryTests {
    @Test func theSummaryNamesEveryKnobWithItsDefaultAndHelpInOrder() {
        var options = Options(program: "ch99-demo", summary: "Demo.", arguments: ["--steps", "7"])
        _ = options.int("steps", default: 150, "fine-tuning steps per run", in: 1...5000)
        _ = options.double("alpha", default: 0.5, "LoRA α")
        _ = options.double("scale", default: 16, "s (= α/r)")
        _ = options.string("task", default: "reverse", "fine-tuning task")
        _ = options.string("out", "where to write")
        _ = options.flag("verbose", "talk more")
        #expect(options.knobSummary == "Knobs: `--steps 150` — fine-tuning steps per run; `--alpha 0.5` — LoRA α; "
            + "`--scale 16` — s (= α/r); `--task reverse` — fine-tuning task; `--out TEXT` — where to write; "
            + "`--verbose` — talk more. `swift run ch99-demo --help` lists them with their ranges.")
    }

    @Test func noKnobsNoSummary() {
        let options = Options(program: "ch99-demo", summary: "Demo.", arguments: [])
        #expect(options.knobSummary.isEmpty)
    }
}
