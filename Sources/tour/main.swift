// tour: runs every chapter in order, or one chapter: `swift run tour [N]`.
//
// The chapters are the `chNN-name` executables built beside this one (this target depends on
// every chapter in Package.swift, so `swift run tour` builds them). A chapter that fails stops
// the tour, naming the chapter and its exit status.
import ChildProcess
import Foundation
import LoRA

let usage = """
    usage: tour [N]
      Runs every chapter in order, or only chapter N (a number such as 4 or 04).
    """

/// Prints to standard error.
func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The package's `Chapters/NN-name` folders, found from this file's path (nil when the sources
/// are not there). A build folder can hold executables of chapters since renamed or renumbered;
/// only those that are still chapters run.
let chapterFolders: Set<String>? = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Chapters")
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
    return Set(names.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("main.swift").path) })
}()

let products = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
    .resolvingSymlinksInPath().deletingLastPathComponent()
let names = ((try? FileManager.default.contentsOfDirectory(atPath: products.path)) ?? []).filter { name in
    let chars = Array(name)
    return chars.count > 5 && name.hasPrefix("ch") && chars[2].isNumber && chars[3].isNumber && chars[4] == "-"
        && !name.contains(".") && FileManager.default.isExecutableFile(atPath: products.appendingPathComponent(name).path)
        && (chapterFolders.map { $0.contains(String(name.dropFirst(2))) } ?? true)
}.sorted()

let arguments = Array(CommandLine.arguments.dropFirst())
var selected = names
if arguments == ["--help"] || arguments == ["-h"] {
    print(usage)
    exit(0)
} else if arguments.count == 1 {
    guard let number = Int(arguments[0]), number >= 0 else {
        warn("tour: '\(arguments[0])' is not a chapter number\n\(usage)")
        exit(2)
    }
    selected = names.filter { Int($0.dropFirst(2).prefix(2)) == number }
    if selected.isEmpty {
        let available = names.map { String($0.dropFirst(2).prefix(2)) }.joined(separator: ", ")
        warn("tour: there is no chapter \(number) (chapters: \(available.isEmpty ? "none built" : available))\n\(usage)")
        exit(2)
    }
} else if arguments.count > 1 {
    warn("tour: expected at most one chapter number, got \(arguments.count) arguments\n\(usage)")
    exit(2)
}
guard !selected.isEmpty else {
    warn("tour: no chapter executables found in \(products.path)")
    exit(1)
}

let info = BLASInfo.current
print("BLAS: \(info)")
if let hint = info.hint { print("hint: \(hint)") }

for name in selected {
    let rule = String(repeating: "━", count: 72)
    print("\n\(rule)\n\(name)\n\(rule)")
    fflush(nil)
    let start = Date()
    let finished: ChildProcess.Finished
    do {
        finished = try ChildProcess.run(products.appendingPathComponent(name), passThrough: true)
    } catch let interrupted as ChildProcess.Interrupted {
        warn("tour: \(interrupted) while \(name) ran; it was stopped too")
        exit(interrupted.exitStatus)
    } catch {
        warn("tour: \(error)")
        exit(1)
    }
    guard finished.succeeded else {
        let how = finished.exitedNormally ? "exit status \(finished.status)" : "signal \(finished.status)"
        warn("tour: \(name) failed with \(how); stopping the tour")
        exit(finished.status == 0 ? 1 : finished.status)
    }
    print("(\(name) finished in \(String(format: "%.2f", Date().timeIntervalSince(start))) s)")
}
print("\ntour: \(selected.count) chapter\(selected.count == 1 ? "" : "s") ran successfully")
