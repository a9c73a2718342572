import Foundation
@testable import LoRA
import Testing

/// Saving into odd places: special files in the folder, a file-size limit, symbolic links at
/// the target. Each must end in a typed error or a completed save, never a hang or a signal.
@Suite struct AdapterSaveTargetTests {
    @Test("a save under a file-size limit (ulimit -f) reports 'file too large' instead of dying of SIGXFSZ")
    func fileSizeLimit() async throws {
        let parent = try makeTemporaryDirectory("fsize")
        defer { try? FileManager.default.removeItem(at: parent) }
        await #expect(processExitsWith: .success) { [directory = parent.appendingPathComponent("adapter") as URL] in
            var limit = rlimit(rlim_cur: 64, rlim_max: MemoryBudget.unlimited)
            #if os(Linux)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
            #else
            _ = setrlimit(RLIMIT_FSIZE, &limit)
            #endif
            do {
                try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
                exit(3)
            } catch let error as AdapterError {
                exit(error.kind == .io && "\(error)".contains("file too large") ? 0 : 4)
            }
        }
    }

    @Test("a named pipe in the adapter folder is kept and never opened: the save completes", .timeLimit(.minutes(5)))
    func namedPipeInFolder() async throws {
        let parent = try makeTemporaryDirectory("fifo")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        let pipe = directory.appendingPathComponent("events.fifo")
        #expect(mkfifo(pipe.path, 0o600) == 0)
        // In a child with an alarm: the code before this fix blocked for ever opening the pipe.
        await #expect(processExitsWith: .success) { [directory = directory as URL] in
            alarm(20)
            try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
        }
        let loaded = try AdapterFiles.read(from: directory)
        #expect(loaded.factors["layers.0.self_attn.q_proj"]?.a == (try sampleLayers(seed: 4))["layers.0.self_attn.q_proj"]!.a)
        var info = stat()
        #expect(lstat(pipe.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the pipe is kept")
    }

    /// The folder's identity and permissions: inode, device, mode (with setgid), owner and group.
    func identity(_ url: URL) -> [UInt64] {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return [] }
        return [UInt64(info.st_ino), UInt64(info.st_dev), UInt64(info.st_mode), UInt64(info.st_uid), UInt64(info.st_gid)]
    }

    @Test("saving keeps the folder itself: inode, mode 700, 2770 with setgid, 555; a shell inside stays in it",
          arguments: [0o700, 0o2770, 0o555] as [mode_t])
    func folderIsKept(mode: mode_t) throws {
        let parent = try makeTemporaryDirectory("keep-folder")
        defer { chmod(parent.appendingPathComponent("adapter").path, 0o755); try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        #expect(chown(directory.path, getuid(), 4) == 0 || getuid() != 0)  // a group other than ours, when we may
        #expect(chmod(directory.path, mode) == 0)
        let before = identity(directory)
        var saved = true
        let next = try sampleLayers(seed: 4)
        do {
            try AdapterFiles.save(next, to: directory)
        } catch {
            saved = false  // a read-only folder may refuse the save (not as root); it must then be unchanged
            #expect(mode == 0o555 && error.kind == .io, "\(error)")
        }
        #expect(identity(directory) == before, "mode \(String(mode, radix: 8)): the folder was replaced or changed")
        let loaded = try AdapterFiles.read(from: directory)
        let expected = try sampleLayers(seed: saved ? 4 : 3)["layers.0.self_attn.q_proj"]!.a
        #expect(loaded.factors["layers.0.self_attn.q_proj"]?.a == expected)
        if mode & 0o2000 != 0 {
            var info = stat()
            stat(directory.appendingPathComponent("adapter_model.safetensors").path, &info)
            #expect(info.st_gid == 4 || getuid() != 0, "a new file in a setgid folder takes the folder's group")
        }
    }

    @Test("an unreadable subfolder and the files the save does not write are left exactly as they were")
    func otherEntriesAreUntouched() throws {
        let parent = try makeTemporaryDirectory("untouched")
        defer { chmod(parent.appendingPathComponent("adapter/private").path, 0o755); try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        let sub = directory.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        try Data("secret\n".utf8).write(to: sub.appendingPathComponent("notes.txt"))
        try Data("mine\n".utf8).write(to: directory.appendingPathComponent("notes.md"))
        #expect(chmod(sub.path, 0) == 0)
        let subBefore = identity(sub), notesBefore = identity(directory.appendingPathComponent("notes.md"))
        try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)
        try AdapterFiles.save(try sampleLayers(seed: 5), to: directory)
        #expect(identity(sub) == subBefore && identity(directory.appendingPathComponent("notes.md")) == notesBefore)
        #expect(chmod(sub.path, 0o755) == 0)
        #expect(try String(contentsOf: sub.appendingPathComponent("notes.txt"), encoding: .utf8) == "secret\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["adapter_config.json", "adapter_model.safetensors", "notes.md", "private"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["adapter"], "nothing beside the folder")
    }

    @Test("a dangling or looping symbolic link at the save target is refused and left as it is")
    func badSymlinkTarget() throws {
        let parent = try makeTemporaryDirectory("symlink")
        defer { try? FileManager.default.removeItem(at: parent) }
        let dangling = parent.appendingPathComponent("dangling"), loop = parent.appendingPathComponent("loop")
        #expect(symlink(parent.appendingPathComponent("nowhere").path, dangling.path) == 0)
        #expect(symlink(loop.path, loop.path) == 0)
        for link in [dangling, loop] {
            #expect(throws: AdapterError.self, "\(link.lastPathComponent)") { try AdapterFiles.save(try sampleLayers(seed: 3), to: link) }
            var info = stat()
            #expect(lstat(link.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link is left as it is")
        }
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("nowhere").path))
        // A link to a folder is followed.
        let real = parent.appendingPathComponent("real"), alias = parent.appendingPathComponent("alias")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: false)
        #expect(symlink(real.path, alias.path) == 0)
        try AdapterFiles.save(try sampleLayers(seed: 3), to: alias)
        #expect(try AdapterFiles.read(from: real).modules.count == 2)
    }

    @Test("a temporary whose writer holds the folder's lock is not swept, whatever its process id", .timeLimit(.minutes(5)))
    func liveTemporaryIsKept() async throws {
        let parent = try makeTemporaryDirectory("live-temp")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3), to: directory)
        let live = directory.appendingPathComponent(".adapter_model.safetensors.lora-new-00000000000000aa")
        let ready = parent.appendingPathComponent("ready")
        // The "other writer": holds the lock, writes its temporary, and checks it survives 1 s.
        async let writer = #expect(processExitsWith: .success) { [directory = directory as URL, live = live as URL, ready = ready as URL] in
            let fd = open(directory.path, O_RDONLY | O_DIRECTORY)
            guard fd >= 0, flock(fd, LOCK_EX) == 0 else { exit(3) }
            try Data("partial".utf8).write(to: live)
            try Data().write(to: ready)
            usleep(1_000_000)
            exit(FileManager.default.fileExists(atPath: live.path) ? 0 : 4)
        }
        while !FileManager.default.fileExists(atPath: ready.path) { try await Task.sleep(nanoseconds: 10_000_000) }
        try AdapterFiles.save(try sampleLayers(seed: 4), to: directory)  // waits for the lock, then sweeps
        _ = await writer
        #expect(!FileManager.default.fileExists(atPath: live.path), "swept once its writer was gone")
    }

    @Test("loads racing saves never mix one save's config with another's weights", .timeLimit(.minutes(5)))
    func concurrentSavesAndLoads() async throws {
        let parent = try makeTemporaryDirectory("race")
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("adapter")
        try AdapterFiles.save(try sampleLayers(seed: 3, alpha: 4), to: directory)
        let done = parent.appendingPathComponent("done")
        let saves = 200
        async let writer = #expect(processExitsWith: .success) { [directory = directory as URL, done = done as URL] in
            let a = try sampleLayers(seed: 3, alpha: 4), b = try sampleLayers(seed: 4, alpha: 8)
            for i in 0..<200 { try AdapterFiles.save(i % 2 == 0 ? b : a, to: directory) }
            try Data().write(to: done)
        }
        let q = "layers.0.self_attn.q_proj"
        let aFactor = try sampleLayers(seed: 3)[q]!.a, bFactor = try sampleLayers(seed: 4)[q]!.a
        var loads = 0, mixed = 0, interrupted = 0, failed: [String] = []
        let start = Date()
        while !FileManager.default.fileExists(atPath: done.path), Date().timeIntervalSince(start) < 90 {
            do {
                let loaded = try AdapterFiles.read(from: directory)
                let alpha = loaded.hyperparameters(for: q).alpha
                let factor = loaded.factors[q]?.a
                if !((factor == aFactor && alpha == 4) || (factor == bFactor && alpha == 8)) { mixed += 1 }
                loads += 1
            } catch where error.kind == .interruptedSave {
                interrupted += 1
            } catch {
                failed.append("\(error)")
            }
        }
        _ = await writer
        print("concurrent: \(saves) saves, \(loads) loads, \(interrupted) reported interrupted, \(mixed) mixed, \(failed.count) failed")
        #expect(mixed == 0)
        #expect(failed.isEmpty, "\(failed.prefix(3))")
        #expect(interrupted == 0, "a live save should finish within the reader's retries")
        #expect(loads > 0)
    }

    @Test("a single-file write never sweeps a temporary whose writer holds its lock, whatever process id its name shows",
          .timeLimit(.minutes(5)))
    func liveSingleFileTemporaryIsKept() async throws {
        let dir = try makeTemporaryDirectory("live-tmp-file")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A process id that is not running here (as a writer in another PID namespace would look).
        let live = dir.appendingPathComponent(".manifest.json.tmp-2147483646-1")
        try Data("partial".utf8).write(to: live)
        let ready = dir.appendingPathComponent("ready"), done = dir.appendingPathComponent("done")
        // The "other writer" holds the lock until the parent has written. On a loaded machine the
        // parent's task may wait a minute or more to resume (CI saw it), so the writer waits for
        // `done` until just before the test's own limit, and says so if it gave up first.
        async let writer = #expect(processExitsWith: .success) { [live = live as URL, ready = ready as URL, done = done as URL] in
            let fd = open(live.path, O_RDWR)
            guard fd >= 0, flock(fd, LOCK_EX) == 0 else { exit(3) }
            try Data().write(to: ready)
            for _ in 0..<2_700 where !FileManager.default.fileExists(atPath: done.path) { usleep(100_000) }
            guard FileManager.default.fileExists(atPath: done.path) else { exit(5) }  // gave up waiting
            exit(FileManager.default.fileExists(atPath: live.path) ? 0 : 4)
        }
        while !FileManager.default.fileExists(atPath: ready.path) { try await Task.sleep(nanoseconds: 10_000_000) }
        try AtomicFile.write(Array("{}\n".utf8), to: dir.appendingPathComponent("manifest.json"))
        #expect(FileManager.default.fileExists(atPath: live.path), "a live writer's temporary was swept")
        try Data().write(to: done)
        _ = await writer
        // The writer has exited, so its lock is gone; on a loaded machine (parallel tests spawning
        // processes) give the next writes a few seconds before calling the temporary kept.
        var swept = false
        for _ in 0..<50 where !swept {
            try AtomicFile.write(Array("{}\n".utf8), to: dir.appendingPathComponent("manifest.json"))
            swept = !FileManager.default.fileExists(atPath: live.path)
            if !swept { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(swept, "swept once its writer was gone")
    }
}
