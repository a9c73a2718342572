import Foundation
import Testing

@Suite struct Chapter02Tests {
    @Test func runsAndConfirmsTheSeedsRatio() throws {
        let run = try runProduct("ch02-parameter-counts")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("ratio r(d + k) / (d·k)          = 0.390625%"))
        #expect(run.stdout.contains("6,738,415,616"), "LLaMA-7B total")
        #expect(run.stdout.contains("trainable params: 4,194,304 || all params: 6,742,609,920"))
        #expect(!run.stdout.contains("\u{1E}"), "docs markers leaked into a normal run")
    }

    @Test func knobsChangeTheResult() throws {
        let run = try runProduct("ch02-parameter-counts", ["--rank", "16", "--d", "1024", "--k=1024"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("= 3.125000%"), "2·16/1024")
    }

    @Test func badValueGivesUsageAndExitTwo() throws {
        for arguments in [["--rank", "zero"], ["--rank", "0"], ["--depth", "3"], ["--rank", "5000", "--d", "4096"]] {
            let run = try runProduct("ch02-parameter-counts", arguments)
            #expect(run.status == 2, "\(arguments): status \(run.status)")
            #expect(run.stderr.contains("usage: ch02-parameter-counts"), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(arguments): printed results anyway")
        }
        let zero = try runProduct("ch02-parameter-counts", ["--rank", "zero"])
        #expect(zero.stderr.contains("--rank expects an integer"))
    }

    @Test func helpPrintsUsageAndExitsZero() throws {
        let run = try runProduct("ch02-parameter-counts", ["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--rank N"))
    }

    @Test func docsModeMarksEveryChunk() throws {
        let run = try runProduct("ch02-parameter-counts", environment: ["LORA_DOCS_CELLS": "1"])
        #expect(run.status == 0)
        let markers = run.stdout.split(separator: "\n").filter { $0.hasPrefix("\u{1E}cell ") }
        let source = try String(contentsOf: Products.packageRoot.appendingPathComponent("Chapters/02-parameter-counts/main.swift"), encoding: .utf8)
        let cells = source.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("cell(") }
        #expect(markers.count == cells.count && markers.count > 5)
        #expect(run.stdout.contains("\u{1E}figure ch02-trainable-share.svg\t"))
    }
}
