import Foundation
import Testing

/// Verdict words belong to printed output, decided by code (STYLE 20, 22). In the prose of the
/// training chapters (10 and later) a line that uses one must cite a paper (a year or "et al.")
/// or point at the printed verdict ("verdict"); words inside quotes or code spans (the primer's
/// vocabulary, the seed's claims) are names, not readings.
enum ProseVerdicts {
    static let words = ["beats", "trails", "close to", "cannot separate", "plateau", "does not help", "matters", "no difference"]

    /// The prose lines of a chapter source: inside `/*: … */` blocks, and `//:` lines.
    static func proseLines(_ source: String) -> [(line: Int, text: String)] {
        var inside = false, lines: [(Int, String)] = []
        for (i, line) in source.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("/*:") { inside = true; continue }
            if inside && trimmed.hasPrefix("*/") { inside = false; continue }
            if inside || trimmed.hasPrefix("//:") { lines.append((i + 1, line)) }
        }
        return lines
    }

    /// Whether `line` reads a result in verdict words without citing a paper or a printed verdict.
    static func isUnsupportedVerdict(_ line: String) -> Bool {
        let unquoted = line.replacingOccurrences(of: #""[^"]*"|`[^`]*`|“[^”]*”"#, with: "", options: .regularExpression)
        if unquoted.range(of: #"et al\.|\b(19|20)\d\d\b|verdict"#, options: .regularExpression) != nil { return false }
        return words.contains { unquoted.range(of: #"\b\#($0)\b"#, options: .regularExpression) != nil }
    }
}

@Suite struct ProseVerdictTests {
    @Test func ruleCatchesReadingsAndAllowsCitationsAndQuotes() {
        #expect(ProseVerdicts.isUnsupportedVerdict("- LoRA+ does not help on this task."))
        #expect(ProseVerdicts.isUnsupportedVerdict("At a tuned rate the scaling rule matters much less than at a fixed one"))
        #expect(ProseVerdicts.isUnsupportedVerdict("so rsLoRA beats LoRA here"))
        #expect(!ProseVerdicts.isUnsupportedVerdict("Biderman et al. find that LoRA trails full fine-tuning on code"))
        #expect(!ProseVerdicts.isUnsupportedVerdict("the verdict line above says whether it beats LoRA"))
        #expect(!ProseVerdicts.isUnsupportedVerdict(#"inside ±margin → "close to"; containing 0 → "the seeds cannot separate""#))
    }

    @Test func trainingChaptersSayVerdictsOnlyInPrintedOutput() throws {
        let chapters = Products.packageRoot.appendingPathComponent("Chapters")
        let names = try FileManager.default.contentsOfDirectory(atPath: chapters.path).filter { (Int($0.prefix(2)) ?? 0) >= 10 }.sorted()
        #expect(names.count >= 6)
        var offending: [String] = []
        for name in names {
            let source = try String(contentsOf: chapters.appendingPathComponent(name).appendingPathComponent("main.swift"), encoding: .utf8)
            for (line, text) in ProseVerdicts.proseLines(source) where ProseVerdicts.isUnsupportedVerdict(text) {
                offending.append("\(name):\(line): \(text)")
            }
        }
        #expect(offending.isEmpty, "\(offending.joined(separator: "\n"))")
    }
}

/// The committed training pages: every printed verdict line carries its 95% CI and margin and
/// agrees with them (re-decided by `checkVerdicts`), and none is in the old "d ± h" form.
@Suite struct PageVerdictTests {
    @Test func everyPrintedVerdictOnTheTrainingPagesFollowsFromItsInterval() throws {
        let docs = Products.packageRoot.appendingPathComponent("docs")
        let pages = try FileManager.default.contentsOfDirectory(atPath: docs.path)
            .filter { $0.hasSuffix(".md") && (Int($0.prefix(2)) ?? 0) >= 10 }.sorted()
        var total = 0
        for page in pages {
            let text = try String(contentsOf: docs.appendingPathComponent(page), encoding: .utf8)
            let verdicts = checkVerdicts(in: text)
            #expect(verdicts.wrong.isEmpty, "\(page): \(verdicts.wrong)")
            #expect(!text.contains("95% interval; margin") && !text.contains("points, margin ±"), "\(page) has a verdict in the old form")
            total += verdicts.checked
        }
        #expect(total >= 40, "\(total) verdicts checked on \(pages)")
    }
}
