import Foundation
import LoRA
import Testing

/// Messages that say what happened: the field and the type expected for valid JSON of the wrong
/// kind, what a path is when it is not a file, and always the full path that was tried.
@Suite struct AdapterMessageTests {
    func configError(_ json: String) -> AdapterError? {
        do {
            _ = try AdapterConfig.decode(Data(json.utf8), fileName: "adapter_config.json")
            return nil
        } catch { return error }
    }

    @Test("a fractional or huge r names the field and the expected integer, not 'not valid JSON'")
    func rThatIsNotAnInteger() throws {
        let fraction = try #require(configError(#"{"r": 4.5, "lora_alpha": 8}"#))
        #expect(fraction.kind == .invalidConfig && fraction.subject == "r")
        #expect(fraction.expected == "an integer" && fraction.found == "the number 4.5")
        #expect(!fraction.description.contains("JSON"), "\(fraction)")
        #expect(fraction.description == "adapter file 'adapter_config.json', field 'r': not a whole number: expected an integer, found the number 4.5")
        let huge = try #require(configError(#"{"r": 1e30}"#))
        #expect(huge.subject == "r" && huge.expected == "an integer" && huge.found == "the number 1e30")
        #expect(huge.problem == "too large for an integer")
        #expect(!huge.description.contains("JSON"), "\(huge)")
    }

    @Test("a wrongly typed field says what was found, once")
    func wrongTypeSaysWhatWasFound() throws {
        let e = try #require(configError(#"{"target_modules": 5}"#))
        #expect(e.description == "adapter file 'adapter_config.json', field 'target_modules': wrong type: expected a list of strings or a string, found the number 5")
        let item = try #require(configError(#"{"target_modules": ["q_proj", 7]}"#))
        #expect(item.subject == "target_modules[1]" && item.expected == "a string" && item.found == "the number 7", "\(item)")
        let text = try #require(configError(#"{"r": "16"}"#))
        #expect(text.found == "the string \"16\"")
    }

    @Test("text that is not JSON is still called that, with the byte offset")
    func invalidJSON() throws {
        let e = try #require(configError(#"{"r": 8,"#))
        #expect(e.kind == .invalidConfig && e.problem.hasPrefix("not valid JSON") && e.problem.contains("at byte"), "\(e)")
        let array = try #require(configError("[1, 2]"))
        #expect(array.problem == "not a JSON object" && array.found == "a list of 2 items")
    }

    /// An adapter folder whose `name` is replaced by what `make` creates; returns the load error.
    func loadError(replacing name: String, _ make: (URL) throws -> Void) throws -> (AdapterError, URL)? {
        let dir = try makeTemporaryDirectory("not-a-file")
        try AdapterFiles.save(try sampleLayers(), to: dir)
        let url = dir.appendingPathComponent(name)
        try FileManager.default.removeItem(at: url)
        try make(url)
        let start = Date()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try AdapterFiles.read(from: dir)
            return nil
        } catch {
            #expect(Date().timeIntervalSince(start) < 2, "refusing \(name) took too long")
            return (error, url)
        }
    }

    @Test("a directory, a symlink loop, a FIFO or a device in place of a file is named for what it is",
          arguments: [AdapterFiles.weightsFileName, AdapterConfig.fileName])
    func nonRegularFiles(name: String) throws {
        let cases: [(String, (URL) throws -> Void)] = [
            ("is a directory, not a regular file", { try FileManager.default.createDirectory(at: $0, withIntermediateDirectories: false) }),
            ("is a symbolic link loop", { url in
                let other = url.deletingLastPathComponent().appendingPathComponent("loop-b")
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: other.path)
                try FileManager.default.createSymbolicLink(atPath: other.path, withDestinationPath: url.path)
            }),
            ("is a named pipe (FIFO), not a regular file", { #expect(mkfifo($0.path, 0o644) == 0) }),
            ("is a character device (such as /dev/zero), not a regular file", {
                try FileManager.default.createSymbolicLink(atPath: $0.path, withDestinationPath: "/dev/zero")
            }),
            ("no such file", { _ in }),
        ]
        for (reason, make) in cases {
            let (e, url) = try #require(try loadError(replacing: name, make), "\(reason)")
            #expect(e.kind == .io, "\(e)")
            #expect(e.problem.contains(reason), "\(e)")
            #expect(e.path == url.path)
            #expect(e.description.hasPrefix("adapter file '\(url.path)'"), "\(e)")
            #expect(!e.description.contains("error 256") && !e.description.contains("permission"), "\(e)")
        }
    }

    @Test("errors found after reading name the full path of the file concerned")
    func validationErrorsNameTheFullPath() throws {
        let dir = try makeTemporaryDirectory("full-path")
        defer { try? FileManager.default.removeItem(at: dir) }
        try AdapterFiles.save(try sampleLayers(rank: 2), to: dir)
        var config = try AdapterConfig.read(contentsOf: dir.appendingPathComponent(AdapterConfig.fileName))
        config.r = 3
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        do { _ = try AdapterFiles.read(from: dir); Issue.record("r = 3 accepted") } catch {
            #expect(error.kind == .rankMismatch)
            #expect(error.path == dir.appendingPathComponent(AdapterFiles.weightsFileName).path, "\(error)")
        }
        // A shape that does not fit the destination: found when applying, still with the path.
        config.r = 2
        try config.write(to: dir.appendingPathComponent(AdapterConfig.fileName))
        var small = try sampleLayers(rank: 2)
        var rng = SeededGenerator(seed: 11)
        small["layers.0.self_attn.q_proj"] = try LoRALinear(base: Linear<Float>(weight: .zeros(6, 5)), hyperparameters: LoRAHyperparameters(rank: 2, alpha: 4), using: &rng)
        do { try AdapterFiles.load(from: dir, into: &small); Issue.record("wrong shape accepted") } catch {
            #expect(error.kind == .shapeMismatch)
            #expect(error.description.hasPrefix("adapter file '\(dir.appendingPathComponent(AdapterFiles.weightsFileName).path)'"), "\(error)")
        }
        let badJSON = dir.appendingPathComponent(AdapterConfig.fileName)
        try Data("{\"r\": 4.5}".utf8).write(to: badJSON)
        do { _ = try AdapterFiles.read(from: dir); Issue.record("r = 4.5 accepted") } catch {
            #expect(error.path == badJSON.path && error.subject == "r")
        }
    }
}
