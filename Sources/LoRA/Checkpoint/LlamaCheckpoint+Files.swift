import Foundation

/// Reading a checkpoint folder (one weights file or shards) and writing one atomically.
///
/// ```
/// read   config.json → LlamaConfig            (refuses what it does not implement, by name)
///        model.safetensors  if present, else model.safetensors.index.json → each shard once
///        every tensor header-first (SafetensorsReader), converted to Float; then validate()
/// write  config.json + model.safetensors (F32) into a fresh folder, swapped in as one unit
/// ```
/// transformers also looks for the single file first, so a folder holding both is read alike.
extension LlamaCheckpoint {
    /// Reads the checkpoint in `directory`.
    /// - Throws: ``CheckpointError`` naming the full path of the file concerned: the config's
    ///   problems; ``CheckpointError/Kind/io`` when neither weights file exists;
    ///   ``CheckpointError/Kind/missingShard`` for a shard the index names that is not there;
    ///   ``CheckpointError/Kind/corruptFile`` for a malformed index or weights file;
    ///   ``CheckpointError/Kind/unsupportedDType`` for a dtype other than F32, F16, BF16;
    ///   and everything ``validate(files:)`` checks.
    public static func read(from directory: URL) throws(CheckpointError) -> LlamaCheckpoint {
        let config = try LlamaConfig.read(contentsOf: directory.appendingPathComponent(LlamaConfig.fileName))
        var tensors: [String: SafetensorsTensor] = [:]
        var files: [String: String] = [:]
        let single = directory.appendingPathComponent(weightsFileName)
        let index = directory.appendingPathComponent(indexFileName)
        do throws(CheckpointError) {
            if FileManager.default.fileExists(atPath: single.path) {
                tensors = try readWeights(single).tensors
            } else if FileManager.default.fileExists(atPath: index.path) {
                let map = try weightMap(index)
                for shard in Set(map.values).sorted() {
                    let url = directory.appendingPathComponent(shard)
                    guard FileManager.default.fileExists(atPath: url.path) else {
                        let example = map.keys.sorted().first { map[$0] == shard }!
                        throw CheckpointError(file: shard, subject: example, kind: .missingShard,
                                              problem: "\(indexFileName) puts \(map.values.filter { $0 == shard }.count) weight(s) in this shard, which is not in the folder")
                    }
                    for (name, tensor) in try readWeights(url).tensors {
                        guard map[name] == shard else {
                            throw CheckpointError(file: shard, subject: name, kind: .unexpectedTensor,
                                                  problem: "the shard holds a weight \(indexFileName) does not place in it",
                                                  expected: map[name].map { "in \($0)" } ?? "listed in weight_map")
                        }
                        tensors[name] = tensor
                        files[name] = shard
                    }
                }
                if let lost = map.keys.sorted().first(where: { tensors[$0] == nil }) {
                    throw CheckpointError(file: map[lost]!, subject: lost, kind: .missingTensor,
                                          problem: "\(indexFileName) places this weight in the shard, which does not hold it")
                }
            } else {
                let pickled = ["pytorch_model.bin", "pytorch_model.bin.index.json"]
                    .first { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
                throw CheckpointError(file: weightsFileName, kind: .io,
                                      problem: "the folder has neither \(weightsFileName) nor \(indexFileName)"
                                          + (pickled.map { " (\($0) is PyTorch's pickle format, which this package does not read: "
                                              + "save the model again with save_pretrained(safe_serialization=True))" } ?? ""))
            }
            var checkpoint = LlamaCheckpoint(config: config, tensors: tensors)
            try checkpoint.validate(files: files)
            return checkpoint
        } catch {
            var located = error
            if located.path == nil { located.path = directory.appendingPathComponent(error.file).path }
            throw located
        }
    }

    /// One safetensors file, its errors as ``CheckpointError``.
    private static func readWeights(_ url: URL) throws(CheckpointError) -> SafetensorsDocument {
        do { return try SafetensorsReader.read(contentsOf: url) } catch { throw CheckpointError(error) }
    }

    /// `weight_map` of an index file: tensor name → shard file name (a plain name in the folder).
    static func weightMap(_ url: URL) throws(CheckpointError) -> [String: String] {
        let name = url.lastPathComponent
        func corrupt(_ subject: String?, _ problem: String, expected: String? = nil, found: String? = nil) -> CheckpointError {
            CheckpointError(file: name, path: url.path, subject: subject, kind: .corruptFile, problem: problem, expected: expected, found: found)
        }
        let bytes: [UInt8]
        do { bytes = try RegularFile.wholeFile(at: url, maximumSize: LlamaConfig.maximumFileSize) } catch {
            switch error {
            case .tooLarge(let size):
                throw corrupt(nil, "the index is too large", expected: "at most \(LlamaConfig.maximumFileSize) bytes", found: "\(size) bytes")
            case .unreadable(let problem):
                throw CheckpointError(file: name, path: url.path, kind: .io, problem: "cannot read the file: \(problem.reason)")
            }
        }
        let tree: HeaderJSON
        do { tree = try HeaderJSONParser.parse(bytes) } catch {
            throw corrupt(nil, "not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object(let members) = tree, case .object(let entries)? = members.last(where: { $0.key == "weight_map" })?.value else {
            throw corrupt("weight_map", "missing", expected: "an object {\"<tensor>\": \"<shard file>\", …}")
        }
        var map: [String: String] = [:]
        for (tensor, value) in entries {
            guard case .string(let shard) = value, !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw corrupt("weight_map.\(tensor)", "not a file name in the folder", expected: "a shard file name", found: value.typeName)
            }
            guard map[tensor] == nil else { throw corrupt("weight_map.\(tensor)", "listed twice") }
            map[tensor] = shard
        }
        return map
    }

    /// Writes `config.json` and `model.safetensors` (F32, `format: pt` metadata) into
    /// `directory` as one unit: both go into a fresh folder that is then swapped in (see the
    /// internal `AtomicFolder`), so a crash leaves the complete old checkpoint or the complete
    /// new one. Other files in `directory` are kept.
    /// - Throws: ``CheckpointError`` of kind ``CheckpointError/Kind/io`` naming the folder.
    public func write(to directory: URL) throws(CheckpointError) {
        let document = SafetensorsDocument(tensors: tensors, metadata: ["format": "pt"])
        var written = config
        written.dtype = "float32"
        let files = [
            (name: Self.weightsFileName, bytes: SafetensorsWriter.serialize(document)),
            (name: LlamaConfig.fileName, bytes: written.encoded()),
        ]
        do {
            try AtomicFolder.replace(directory, with: files)
        } catch {
            throw CheckpointError(file: directory.lastPathComponent, path: directory.path, kind: .io,
                                  problem: "cannot save the checkpoint: \(error.reason)")
        }
    }
}
