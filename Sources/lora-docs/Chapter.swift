import ChildProcess
import Foundation

/// One chapter: a directory `Chapters/NN-name` with `main.swift`, built as `chNN-name`.
struct Chapter {
    /// The directory name, e.g. `02-parameter-counts`.
    let name: String
    /// The two-digit number, e.g. `04`.
    var number: String { String(name.prefix(2)) }
    /// The executable's name, e.g. `ch02-parameter-counts`.
    var executable: String { "ch" + name }
    /// The generated page's file name, e.g. `02-parameter-counts.md`.
    var pageName: String { name + ".md" }
    /// The source path relative to the package root.
    var sourcePath: String { "Chapters/\(name)/main.swift" }

    /// The chapters of the package at `root`, in order: every `Chapters/NN-name/main.swift`.
    /// This directory listing is the single list of chapters for the docs; Package.swift's
    /// `chapters` array must name the same directories (a missing executable says so).
    static func all(root: URL) throws -> [Chapter] {
        let directory = root.appendingPathComponent("Chapters")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { name in
            name.count > 3 && name.prefix(2).allSatisfy(\.isNumber) && name.dropFirst(2).first == "-"
                && FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("main.swift").path)
        }.sorted().map(Chapter.init(name:))
    }
}

/// The result of running a program to completion.
/// Runs `executable` with `arguments` in `directory`, adding `environment` to this process's,
/// and collects its standard output and error (the package's one runner, ``ChildProcess``).
func run(_ executable: URL, arguments: [String] = [], in directory: URL, environment: [String: String]) throws -> ChildProcess.Finished {
    try ChildProcess.run(executable, arguments: arguments, in: directory, environment: environment)
}
