import ChildProcess
import ExerciseChecks
import Foundation

/// Compiles the learner's stubs (by building `exercise-runner`) before any check runs, and
/// turns a compile error into a message that starts with the failing file and line.
///
/// ```
/// swift build --package-path <root> --scratch-path <.build> -c <debug|release> --product exercise-runner
/// ```
/// The checker itself does not contain the stubs, so it still runs when they do not compile,
/// and can say why every exercise is blocked: the stubs form one module.
///
/// `EXERCISES_NO_BUILD=1` skips the build (tests, which have built everything already);
/// `EXERCISES_SWIFT` names the `swift` executable (default: `swift` on the PATH).
enum StubBuild {
    static let noBuildVariable = "EXERCISES_NO_BUILD"
    static let swiftVariable = "EXERCISES_SWIFT"
    /// The runner's product name in Package.swift.
    static let runnerProduct = "exercise-runner"

    /// The package root: three levels above this source file (Sources/exercises/StubBuild.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding this executable (and, once built, the runner).
    static var productsDirectory: URL {
        (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Builds the runner and returns its path, or the text to print when the build fails.
    static func runner(environment: [String: String]) -> Result<URL, BuildFailure> {
        let products = productsDirectory
        let runner = products.appendingPathComponent(runnerProduct)
        if environment[noBuildVariable] == "1" {
            guard FileManager.default.isExecutableFile(atPath: runner.path) else {
                return .failure(BuildFailure(report: "exercises: \(noBuildVariable)=1 but \(runner.path) is not built\n"))
            }
            return .success(runner)
        }
        var arguments = ["build", "--package-path", packageRoot.path,
                         "--scratch-path", products.deletingLastPathComponent().deletingLastPathComponent().path]
        if ["debug", "release"].contains(products.lastPathComponent) { arguments += ["-c", products.lastPathComponent] }
        arguments += ["--product", runnerProduct]
        let executable: URL
        if let swift = environment[swiftVariable], !swift.isEmpty {
            executable = URL(fileURLWithPath: swift)
        } else {
            executable = URL(fileURLWithPath: "/usr/bin/env")
            arguments.insert("swift", at: 0)
        }
        let build: ChildProcess.Finished
        do { build = try ChildProcess.run(executable, arguments: arguments) } catch let interrupted as ChildProcess.Interrupted {
            // Ctrl-C during the build: `swift build` was stopped too; end as a shell expects.
            FileHandle.standardError.write(Data("exercises: \(interrupted) while compiling; swift build was stopped too\n".utf8))
            exit(interrupted.exitStatus)
        } catch {
            return .failure(BuildFailure(report: "exercises: cannot run swift to compile the exercises (\(error))\n"))
        }
        guard build.succeeded else {
            return .failure(BuildFailure(report: report(buildOutput: build.stdout + build.stderr, status: build.status)))
        }
        return .success(runner)
    }

    /// One compiler error: the file relative to the package root, line, column, message.
    struct CompileError: Equatable {
        var file: String
        var line: Int
        var column: Int
        var message: String
    }

    /// The `path:line:column: error: message` lines of a build's output, without repeats.
    static func compileErrors(in output: String) -> [CompileError] {
        var errors: [CompileError] = []
        let root = packageRoot.path.hasSuffix("/") ? packageRoot.path : packageRoot.path + "/"
        for rawLine in output.split(separator: "\n") {
            let line = String(rawLine)
            guard let marker = line.range(of: ": error: ") else { continue }
            let location = line[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            guard location.count >= 3, let number = Int(location[location.count - 2]), let column = Int(location[location.count - 1]) else { continue }
            var file = location.dropLast(2).joined(separator: ":")
            if file.hasPrefix(root) { file.removeFirst(root.count) }
            let error = CompileError(file: file, line: number, column: column, message: String(line[marker.upperBound...]))
            if !errors.contains(error) { errors.append(error) }
        }
        return errors
    }

    /// The message for a failed build: the first error's file and line first, then why every
    /// exercise is blocked and how to get back to the shipped file.
    static func report(buildOutput: String, status: Int32) -> String {
        let errors = compileErrors(in: buildOutput)
        guard let first = errors.first else {
            let tail = buildOutput.split(separator: "\n").suffix(20).map { "    " + $0 }.joined(separator: "\n")
            return "exercises: could not build the exercises (swift build exited with status \(status)):\n\(tail)\n"
        }
        var lines = ["\(first.file):\(first.line):\(first.column): error: \(first.message)"]
        if let source = sourceLine(first.file, first.line) { lines.append("    \(first.line) | \(source)") }
        if errors.count > 1 {
            lines.append("(and \(errors.count - 1) more error\(errors.count == 2 ? "" : "s"): "
                + errors.dropFirst().prefix(3).map { "\($0.file):\($0.line)" }.joined(separator: ", ") + (errors.count > 4 ? ", …" : "") + ")")
        }
        lines.append("")
        if first.file.hasPrefix("Exercises/") {
            let exercise = Manifest.exercises.first { $0.path == first.file }.map { ", not only exercise \($0.number)" } ?? ""
            lines += [
                "✗ The exercises do not compile, so none of them can be checked.",
                "All the stubs in Exercises/ are compiled together as one module (ExerciseStubs): a compile",
                "error in one file stops every exercise\(exercise).",
                "Fix the line above, or put the file back as it was shipped (this discards your changes to it):",
                "    git checkout -- \(first.file)",
                "then run `swift run exercises` again.",
            ]
        } else if first.file == wiringFile, let culprit = stubCalled(onLine: first.line) {
            // The shipped runner calls each stub by its shipped signature: an error there means a
            // stub's name, labels or types were changed, and the learner's file is the one to fix.
            lines += ["✗ The exercises do not compile, so none of them can be checked."]
            if let file = culprit.file {
                lines += [
                    "The checker calls `\(culprit.name)` with the signature \(file) was shipped with; the",
                    "error says that signature was changed there (its name, an argument label or a type).",
                    "Put the `func \(culprit.name)(…)` line back as shipped and keep your body; `git diff \(file)` shows",
                    "what changed. \(wiringFile) is not the file to edit.",
                ]
            } else {
                lines += [
                    "The checker calls `\(culprit.name)`, but no file in Exercises/ defines it any more: it was",
                    "renamed or deleted. Give it back its shipped name (`git diff Exercises/` shows what changed);",
                    "\(wiringFile) is not the file to edit.",
                ]
            }
        } else {
            lines += [
                "✗ The package does not compile, so no exercise can be checked.",
                "The error is in \(first.file), not in your exercise files: if you changed it, put it back with",
                "    git checkout -- \(first.file)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The runner's file that calls the stubs.
    static let wiringFile = "Sources/exercise-runner/Wiring.swift"

    /// The stub called on line `number` of the wiring file, and the exercise file that defines a
    /// function of that name (nil when none does: renamed or deleted).
    static func stubCalled(onLine number: Int) -> (name: String, file: String?)? {
        guard let source = sourceLine(wiringFile, number),
              let call = source.firstMatch(of: /ExerciseStubs\.([A-Za-z_][A-Za-z0-9_]*)/) else { return nil }
        let name = String(call.1)
        let folder = packageRoot.appendingPathComponent("Exercises")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        let defining = files.first { file in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { return false }
            return text.contains("func \(name)(") || text.contains("func \(name)<")
        }
        return (name, defining.map { "Exercises/" + $0 })
    }

    /// Line `number` of `file` (relative to the package root), trimmed, if it can be read.
    private static func sourceLine(_ file: String, _ number: Int) -> String? {
        guard let text = try? String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard number >= 1, number <= lines.count else { return nil }
        return lines[number - 1].trimmingCharacters(in: .whitespaces)
    }
}

/// A build that failed, with the text to print.
struct BuildFailure: Error {
    let report: String
}
