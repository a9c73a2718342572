// safetensors-interop: the Swift half of Tests/interop/run.sh.
//
//   swift run safetensors-interop write DIR   sample adapter → DIR/adapter, manifest → DIR/manifest.json;
//                                             adapter saved from a TransformerModel → DIR/model_adapter,
//                                             its manifest → DIR/model_manifest.json
//   swift run safetensors-interop read DIR    check DIR/expected.json's files (written by Python)
//
// Exit codes: 0 done (or --help), 1 a write failed or a check found mismatches, 2 bad arguments.
import Foundation
import LoRA
import SafetensorsInteropSupport

let usage = """
    usage: safetensors-interop write DIR | read DIR | --help

      write DIR   write the sample adapter to DIR/adapter (manifest DIR/manifest.json) and an
                  adapter saved from a TransformerModel to DIR/model_adapter (DIR/model_manifest.json)
      read DIR    check the files listed in DIR/expected.json (written by Tests/interop's Python side)
    """

/// Prints `message` and the usage to standard error and exits 2.
func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("safetensors-interop: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
// Swift shows invalid UTF-8 bytes in arguments as U+FFFD: such a path would name another folder.
for i in 1..<Int(CommandLine.argc) where CommandLine.unsafeArgv[i].map({ String(validatingCString: $0) == nil }) ?? false {
    usageError("argument \(i) ('\(CommandLine.arguments[i])') is not valid UTF-8; give the directory in UTF-8")
}
if arguments.contains("--help") || arguments.contains("-h") {
    guard arguments.count == 1 else { usageError("--help takes no other arguments") }
    print(usage)
    exit(0)
}
guard let mode = arguments.first else { usageError("missing the mode: write or read") }
guard mode == "write" || mode == "read" else { usageError("unknown mode '\(mode)'; the modes are write and read") }
guard arguments.count == 2 else {
    usageError(arguments.count == 1 ? "\(mode) needs a directory" : "\(mode) takes one directory, got \(arguments.count - 1) arguments")
}
let path = arguments[1]
let directory = URL(fileURLWithPath: path)
var isFolder: ObjCBool = false
if mode == "read", !(FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder) && isFolder.boolValue) {
    FileHandle.standardError.write(Data("safetensors-interop: read: \(directory.path) is not a folder (it does not exist or is a file)\n".utf8))
    exit(1)
}
// `write` creates DIR itself, not a whole missing path: a mistyped parent is an error.
if mode == "write", !(FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().path, isDirectory: &isFolder) && isFolder.boolValue) {
    FileHandle.standardError.write(Data("safetensors-interop: write: the folder \(directory.deletingLastPathComponent().path) does not exist\n".utf8))
    exit(1)
}
switch mode {
case "write":
    do {
        let layers = try SafetensorsInterop.writeSample(to: directory)
        print("safetensors-interop: wrote \(layers.count) adapted modules to \(directory.appendingPathComponent("adapter").path)")
        let model = try SafetensorsInterop.writeModelSample(to: directory)
        print("safetensors-interop: wrote \(model.adaptedLayerNames.count) adapted modules of a TransformerModel to \(directory.appendingPathComponent("model_adapter").path)")
    } catch {
        FileHandle.standardError.write(Data("safetensors-interop: \(error)\n".utf8))
        exit(1)
    }
case "read":
    let (mismatches, checked) = SafetensorsInterop.checkFixtures(in: directory)
    for line in mismatches { FileHandle.standardError.write(Data("safetensors-interop: \(line)\n".utf8)) }
    print("safetensors-interop: \(checked) tensors checked, \(mismatches.count) mismatches")
    exit(mismatches.isEmpty && checked > 0 ? 0 : 1)
default:
    usageError("unknown mode '\(mode)'")
}
