import ChildProcess
import Foundation
import Testing

/// Ctrl-C (SIGINT) or SIGTERM to a tool while it runs a chapter or `swift build` stops the
/// child's whole process group too, and the tool learns of it as an error it can clean up after.
@Suite struct SignalForwardingTests {
    @Test("a signal to the parent reaches the child's process group, which is waited for",
          .timeLimit(.minutes(5)), arguments: [SIGINT, SIGTERM])
    func signalIsForwarded(_ signal: Int32) async throws {
        let dir = try Products.temporaryDirectory("signal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pidFile = dir.appendingPathComponent("grandchild.pid")
        await #expect(processExitsWith: .success) { [pidFile = pidFile as URL, signal = signal as Int32] in
            // The child starts a grandchild in its group and waits; the "user" signals us after 1 s.
            Thread.detachNewThread {
                usleep(1_000_000)
                kill(getpid(), signal)
            }
            do {
                _ = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"),
                                         arguments: ["-c", "sh -c 'echo $$ > \"$0\"; exec sleep 60' '\(pidFile.path)'; echo finished"])
                exit(3)  // the child finished on its own: the signal was not forwarded
            } catch let interrupted as ChildProcess.Interrupted {
                guard interrupted.signal == signal, interrupted.exitStatus == 128 + signal else { exit(4) }
            }
            let text = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let grandchild = Int32(text) else { exit(5) }
            // The grandchild in the child's group is gone, or a zombie (its parent died first
            // and whoever adopted it has not reaped it yet).
            for _ in 0..<50 {
                guard kill(grandchild, 0) == 0 else { exit(0) }
                #if os(Linux)
                if let stat = try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8),
                   let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].split(separator: " ").first == "Z" { exit(0) }
                #endif
                usleep(100_000)
            }
            exit(6)
        }
    }
}
