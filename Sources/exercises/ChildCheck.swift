import ChildProcess
import ExerciseChecks
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one exercise's check in an `exercise-runner` child process, under a time and a memory
/// limit, and turns whatever happened into a verdict.
///
/// ```
/// spawn   exercise-runner N --verdict-fd 3 --nonce-fd 4 --memory-limit B --parent <our pid>
///         stdin /dev/null; stdout + stderr → one pipe (only its tail is kept); fd 3 → the verdict;
///         fd 4 ← a fresh nonce, which the runner's verdict record must carry
///         the runner starts its own session; Ctrl-C, SIGTERM, SIGHUP to the checker are
///         forwarded to its group; the runner arms a parent-death signal
/// wait    until it exits, or kill its session with SIGKILL when the time limit passes; then kill the
///         session anyway (a stub's background processes) and wait at most 10 s for the output's end
/// verdict exit 0 + "<nonce>␞passed" passed · exit 1 + "<nonce>␞failed␞fields" failed · exit 0/1 without
///         that record: the learner's code ended the process · "failed to allocate" ran out of memory · signal trapped
/// ```
struct ChildCheck {
    /// The built runner executable.
    let runner: URL
    /// The limits every check runs under.
    let limits: CheckLimits

    /// What the child process did.
    struct Outcome {
        var timedOut = false
        /// Exit status when it exited, signal number when a signal ended it.
        var exitCode: Int32?
        var signal: Int32?
        /// Peak resident memory in bytes.
        var peakResident = 0
    }

    /// Runs exercise `e`'s check in a child and returns its verdict.
    func run(_ e: Exercise) -> CheckResult {
        var outputPipe: [Int32] = [0, 0], verdictPipe: [Int32] = [0, 0], noncePipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&verdictPipe) == 0, pipe(&noncePipe) == 0 else {
            return cannotStart(e, String(cString: strerror(errno)))
        }
        // A fresh nonce per check, handed over through a pipe the runner reads and closes before
        // the learner's code runs: only the runner's own record can carry it.
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "-")
        _ = Array(nonce.utf8).withUnsafeBytes { write(noncePipe[1], $0.baseAddress, $0.count) }
        close(noncePipe[1])
        let arguments = [runner.path, String(e.number), "--verdict-fd", "3", "--nonce-fd", "4",
                         "--memory-limit", String(limits.memoryBytes), "--parent", String(getpid())]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash report of a few lines, not a page
        environment["OPENBLAS_NUM_THREADS"] = "1"      // small products; keeps the address space small
        let pid: pid_t
        switch spawn(arguments, environment: environment, output: outputPipe[1], verdict: verdictPipe[1], nonce: noncePipe[0],
                     pipeEnds: outputPipe + verdictPipe + [noncePipe[0]]) {
        case .success(let p): pid = p
        case .failure(let reason):
            for fd in outputPipe + verdictPipe + [noncePipe[0]] { close(fd) }
            return cannotStart(e, reason.description)
        }
        close(outputPipe[1])
        close(verdictPipe[1])
        close(noncePipe[0])
        let output = OutputTail(reading: outputPipe[0])
        let verdict = BoundedReader(reading: verdictPipe[0])
        SignalForwarding.begin(group: pid)
        let outcome = wait(for: pid)
        // Whatever the check left running in its session (a stub's background process, which
        // Foundation's Process puts in a group of its own) goes too; the output pipe then ends.
        // One that left the session is not waited for.
        killSession(pid)
        SignalForwarding.end()
        if let signal = SignalForwarding.takeReceived() {
            FileHandle.standardError.write(Data("exercises: interrupted (signal \(signal)); the check was stopped too\n".utf8))
            exit(128 + signal)
        }
        let ended = output.wait(seconds: 10)
        let text = verdict.wait(seconds: 10) ? verdict.text() : ""
        return verdictFor(e, outcome, output: ended ? output : nil, verdict: VerdictRecord.read(text, nonce: nonce))
    }

    /// Waits for `pid`, killing it when the time limit passes.
    private func wait(for pid: pid_t) -> Outcome {
        var outcome = Outcome()
        let deadline = Date().addingTimeInterval(limits.seconds)
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if r < 0, errno != EINTR { return outcome }
            if Date() >= deadline {
                killSession(pid)  // processes the check started die with it
                while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
                outcome.timedOut = true
                break
            }
            usleep(5_000)
        }
        #if os(Linux)
        outcome.peakResident = usage.ru_maxrss * 1024
        #else
        outcome.peakResident = usage.ru_maxrss
        #endif
        let low = status & 0x7F
        if low == 0 { outcome.exitCode = (status >> 8) & 0xFF } else if low != 0x7F { outcome.signal = low }
        return outcome
    }

    /// Kills the session the runner `leader` started (its process group, and on Linux every
    /// process whose session is `leader`, found in /proc), and the runner itself.
    private func killSession(_ leader: pid_t) {
        kill(leader, SIGKILL)
        kill(-leader, SIGKILL)
        #if os(Linux)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "(comm)": state, ppid, pgrp, session, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 3, pid_t(fields[3]) == leader { kill(pid, SIGKILL) }
        }
        #endif
    }

    /// The verdict for what happened.
    private func verdictFor(_ e: Exercise, _ outcome: Outcome, output: OutputTail?, verdict: VerdictRecord.Reading) -> CheckResult {
        let indent = String(repeating: " ", count: 12)
        let printed = output?.summary(indent: indent) ?? ""
        let withOutput = { (text: String) in printed.isEmpty ? text : text + "\n" + printed }
        if outcome.timedOut {
            return .failed(CheckFailure(
                checking: "running exercise \(e.number)",
                expected: "the check to finish within \(limits.timeDescription)",
                got: withOutput("it did not finish in \(limits.timeDescription) and was stopped"),
                why: "an endless loop? Look for a loop whose condition never becomes false, or a recursion without a base case (the limit is \(CheckLimits.timeVariable) seconds)"))
        }
        // Only the runner's record, written after the check returned, is a verdict.
        if outcome.exitCode == 0, verdict == .passed { return .passed }
        if outcome.exitCode == 1, case .failed(let failure) = verdict {
            var shown = failure
            shown.got = withOutput(failure.got)
            return .failed(shown)
        }
        if verdict == .malformed {
            return .failed(CheckFailure(
                checking: "running exercise \(e.number)",
                expected: "the check's own verdict",
                got: withOutput("the verdict channel (file descriptor 3) held something else"),
                why: "your code wrote to file descriptor 3, which the check uses for its verdict; print to standard output instead"))
        }
        if outcome.exitCode == 0 || outcome.exitCode == 1 {
            return .failed(CheckFailure(
                checking: "running exercise \(e.number)",
                expected: "the check to finish and give its verdict",
                got: withOutput("the program ended (exit status \(outcome.exitCode!)) before the check returned"),
                why: "your code ended the program, e.g. with exit(); return a value instead"))
        }
        if output?.reportsAllocationFailure ?? false || outcome.peakResident >= limits.memoryBytes / 10 * 9 {
            return .failed(CheckFailure(
                checking: "running exercise \(e.number)",
                expected: "the check to finish within \(limits.memoryDescription) of memory",
                got: withOutput("it ran out of memory (limit \(limits.memoryDescription)) and was stopped"),
                why: "something allocates without end, such as an array that grows in a loop that never stops (the limit is \(CheckLimits.memoryVariable))"))
        }
        let how = outcome.signal.map { "the program stopped (signal \($0))" } ?? "the program exited with status \(outcome.exitCode ?? -1)"
        if let signal = outcome.signal, signal == SIGSEGV || signal == SIGBUS {
            // Swift reports its traps with SIGILL or SIGTRAP; a segmentation fault from pure
            // Swift is almost always the stack running out.
            return .failed(CheckFailure(
                checking: "running your code",
                expected: "the check to finish",
                got: withOutput("\(how) while running exercise \(e.number)"),
                why: "a stack overflow, most likely: a recursion without a base case, or one that goes too deep"))
        }
        let crash = (output?.crashLines ?? []).map { indent + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        return .failed(CheckFailure(
            checking: "running your code",
            expected: "the check to finish",
            got: withOutput("\(how) while running exercise \(e.number)" + (crash.isEmpty ? "" : "\n" + crash)),
            why: "your code trapped: an index out of range, a failed precondition, a force-unwrapped nil or an arithmetic overflow"))
    }

    private func cannotStart(_ e: Exercise, _ reason: String) -> CheckResult {
        .failed(CheckFailure(checking: "starting the check of exercise \(e.number)", expected: "\(runner.path) to start",
                             got: "it could not be started (\(reason))"))
    }

    /// posix_spawn with stdin from /dev/null, stdout and stderr to `output`, fd 3 to `verdict`,
    /// default handling of SIGINT, SIGTERM and SIGPIPE, and no blocked signals.
    private func spawn(_ arguments: [String], environment: [String: String], output: Int32, verdict: Int32, nonce: Int32,
                       pipeEnds: [Int32]) -> Result<pid_t, SpawnError> {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t = nil  // an opaque pointer on Darwin
        var attributes: posix_spawnattr_t = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        posix_spawn_file_actions_adddup2(&actions, verdict, 3)
        posix_spawn_file_actions_adddup2(&actions, nonce, 4)
        for fd in Set(pipeEnds) where fd > 4 { posix_spawn_file_actions_addclose(&actions, fd) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // The runner starts its own session (setsid) first thing, so that the time limit and
        // Ctrl-C (forwarded by the caller) reach every process the check starts.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard code == 0 else { return .failure(SpawnError(String(cString: strerror(code)))) }
        return .success(pid)
    }
}

/// Why a child could not be started.
struct SpawnError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
