import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Chapters as a user runs them: from any folder, through a pipe, with a full disk.
@Suite struct ProgramOutputTests {
    /// Runs `/bin/sh -c script` (with the products directory as `$P`) in `directory`, with
    /// `LORA_FIGURES_DIR` and docs mode unset unless `environment` sets them.
    func shell(_ script: String, in directory: URL, environment: [String: String] = [:]) throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["LORA_FIGURES_DIR"] = nil
        env["LORA_DOCS_CELLS"] = nil
        env["P"] = Products.directory.path
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errData = ReadToEnd(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: errData.text())
    }

    @Test("a chapter run from another folder writes its figure under the package, never ./docs/figures, and says where",
          arguments: ["elsewhere", "Chapters"])
    func figuresGoUnderThePackage(folder: String) throws {
        let scratch = try Products.temporaryDirectory("figure-cwd")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let directory = folder == "Chapters" ? Products.packageRoot.appendingPathComponent("Chapters") : scratch
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let run = try shell("exec \"$P/ch02-parameter-counts\"", in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == before, "the chapter created files in \(directory.path)")
        let expected = Products.packageRoot.appendingPathComponent(".build/figures/ch02-trainable-share.svg").path
        #expect(run.stdout.contains("figure: \(expected) ("), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: expected))
    }

    @Test("a figure that cannot be written (file size limit, like a full disk) leaves no partial temporary file")
    func failedFigureWriteLeavesNoTemporary() throws {
        let scratch = try Products.temporaryDirectory("figure-full")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let figures = scratch.appendingPathComponent("figures")
        // Files larger than 1 KiB cannot be written (EFBIG; SIGXFSZ ignored), the figure is larger.
        let run = try shell("trap '' XFSZ; ulimit -f 2; exec \"$P/ch02-parameter-counts\"", in: scratch,
                            environment: ["LORA_FIGURES_DIR": figures.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot write figure \(figures.path)/ch02-trainable-share.svg"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: figures.path) == [], "a partial file was left behind")
    }

    @Test("a chapter's output through a pipe arrives line by line while it runs, and Ctrl-C loses none of it")
    func outputIsLineBufferedThroughAPipe() throws {
        let figures = FileManager.default.temporaryDirectory.appendingPathComponent("line-buffer-figures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: figures) }
        var env = ProcessInfo.processInfo.environment
        env["LORA_DOCS_CELLS"] = nil
        env["LORA_FIGURES_DIR"] = figures.path
        let program = try SpawnedProgram(Products.directory.appendingPathComponent("ch10-training"), environment: env)
        var ended = false
        defer { if !ended { kill(program.pid, SIGKILL); program.wait() } }
        // Read (up to 30 s; the whole chapter takes about a minute) until the first heading is in.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(30)
        while !String(decoding: received, as: UTF8.self).contains("The pre-trained model\n"), Date() < deadline {
            var pollFD = pollfd(fd: program.output, events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 1_000) == 1 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(program.output, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            received += buffer[0..<n]
            #expect(buffer[n - 1] == 0x0A, "output arrived in pieces that are not whole lines (block buffering?)")
        }
        #expect(String(decoding: received, as: UTF8.self).contains("The pre-trained model\n"), "nothing arrived within 30 s")
        #expect(kill(program.pid, 0) == 0, "the first output arrived only when the chapter ended")
        // Ctrl-C now: what was printed is not lost, and the chapter stops.
        let start = Date()
        kill(program.pid, SIGINT)
        let rest = program.readToEnd()
        let status = program.wait()
        ended = true
        #expect(Date().timeIntervalSince(start) < 10, "the chapter did not stop on SIGINT")
        #expect(status & 0x7F == SIGINT, "wait status \(status)")
        let text = String(decoding: received + rest, as: UTF8.self)
        #expect(text.hasSuffix("\n"), "\(text)")
    }
}

/// A pipe read to its end on another thread.
final class ReadToEnd: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }
    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
