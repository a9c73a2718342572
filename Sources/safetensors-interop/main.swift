// safetensors-interop: the Swift half of Tests/interop/run.sh.
//
//   swift run safetensors-interop write DIR   sample adapter → DIR/adapter, manifest → DIR/manifest.json;
//                                             adapter saved from a TransformerModel → DIR/model_adapter,
//                                             its manifest → DIR/model_manifest.json
//   swift run safetensors-interop read DIR    check DIR/expected.json's files (written by Python)
import Foundation
import LoRA
import SafetensorsInteropSupport

let usage = "usage: safetensors-interop write DIR | read DIR"
let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let mode = arguments.first, let path = arguments.last else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: path)
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
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
