import BPF
import Foundation
import Glibc
import SwiftBPFSecurity
import Testing

/// Pinned guards (`guard load` / `guard status` / `guard unload`), through the command as a user
/// runs it: the policy keeps killing after the loading process has exited, `status` reads the
/// counters from the pins, and `unload` leaves no pin, link, program or map (bpftool's word);
/// bad input is refused with its cause and leaves nothing behind.
extension GuardTests {
    /// A bpffs directory of this test's own for `--pin-root`, removed with what is left in it.
    final class PinRoot {
        let path = "/sys/fs/bpf/swiftbpf_test_guard_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        deinit {
            // Whatever a failed test left: unload through the library, then the directories.
            for location in GuardPinLocation.installed(root: path) { _ = try? PinnedGuard.uninstall(name: location.name, root: path) }
            _ = try? Command.run("/bin/rm", ["-rf", path])
        }
    }

    /// `swiftbpf guard ARGS`, bounded: loading takes seconds here and half a minute on a loaded
    /// machine; a hang fails the test instead of the run.
    func guardCommand(_ args: [String]) throws -> TimedResult {
        let r = try TimedCommand.run(CLI.path!, ["guard"] + args, timeout: 180)
        #expect(!r.timedOut, "swiftbpf guard \(args.joined(separator: " ")) did not finish in 180 s")
        return r
    }

    /// The ids of the kernel objects pinned under `directory`: links, programs, and the maps
    /// both pinned and used by the programs. The descriptors opened to read them are closed on
    /// return, so that they hold nothing alive.
    func pinnedObjectIDs(_ directory: String) throws -> CreatedObjects {
        var ids = CreatedObjects()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/links") {
            try ids.add(Link.open(pinned: directory + "/links/" + name))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/programs") {
            try ids.add(Program.open(pinned: directory + "/programs/" + name))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/maps") {
            ids.add(try Map.open(pinned: directory + "/maps/" + name))
        }
        return ids
    }

    /// The ids bpftool lists for `object` (prog, link or map).
    func bpftoolIDs(_ object: String) throws -> Set<UInt32> {
        let r = try TimedCommand.run(Bpftool.path!, [object, "show", "-j"], timeout: 30)
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return Set(list.compactMap { ($0["id"] as? Int).map(UInt32.init) })
    }

    /// Which of `ids` bpftool still lists, after waiting up to 5 s for the kernel to free them
    /// (a link is released from a work queue, maps after an RCU grace period).
    func stillListed(_ ids: CreatedObjects) throws -> CreatedObjects {
        var left = ids
        for _ in 0..<100 {
            left = CreatedObjects(programs: ids.programs.intersection(try bpftoolIDs("prog")),
                                  maps: ids.maps.intersection(try bpftoolIDs("map")),
                                  links: ids.links.intersection(try bpftoolIDs("link")))
            if left.isEmpty { break }
            usleep(50_000)
        }
        return left
    }

    @Test(.enabled(if: CLI.path != nil && Bpftool.path != nil, "needs the swiftbpf binary and bpftool"))
    func pinnedGuardKeepsKillingAfterItsLoaderExitsAndUnloadLeavesNothing() throws {
        let ws = try Workspace()
        let root = PinRoot()
        let forbidden = try ws.copyOfHelper("forbidden")
        let secret = ws.path("secret")
        FileManager.default.createFile(atPath: secret, contents: Data("x".utf8))
        let policy = ws.path("pinned-test.yaml")
        try """
            - {name: no-forbidden, events: [exec], binary: \(forbidden), action: kill}
            - {name: watch-secret, events: [open], paths: [\(secret)], action: kill, mode: monitor}
            """.write(toFile: policy, atomically: true, encoding: .utf8)

        let load = try guardCommand(["load", "--policy", policy, "--pin-root", root.path])
        #expect(load.status == 0, "\(load.stdout)\(load.stderr)")
        #expect(load.stdout.contains("guard 'pinned-test' loaded: 2 rules"), "\(load.stdout)")
        let directory = root.path + "/pinned-test"
        #expect(access(directory + "/programs/guard_exec", F_OK) == 0)
        #expect(access(directory + "/maps/guard_rules", F_OK) == 0)
        #expect(access(directory + "/links/guard_exec", F_OK) == 0)

        // The loader has exited: the kernel alone kills, before the binary writes its marker.
        let status = run(forbidden, [forbidden, ws.path("m-pinned")])
        #expect(killedBySIGKILL(status), "wait status \(status)")
        #expect(!ws.exists("m-pinned"))
        // The monitored rule counts and lets the open through.
        #expect(run(ws.helper, [ws.helper, "--open", secret, ws.path("m-open")]) == 0)
        #expect(ws.exists("m-open"))

        let shown = try guardCommand(["status", "--pin-root", root.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("guard 'pinned-test' (pinned at \(directory), program id "), "\(shown.stdout)")
        #expect(shown.stdout.contains("[0] no-forbidden: enforce kill on exec: matched 1, acted 1"), "\(shown.stdout)")
        #expect(shown.stdout.contains("[1] watch-secret: monitor kill on open: matched 1, acted 0"), "\(shown.stdout)")
        let fromPins = try GuardStatus.pinned(root: root.path)
        #expect(fromPins.count == 1 && fromPins.first?.pinned?.name == "pinned-test")

        let ids = try pinnedObjectIDs(directory)
        #expect(!ids.programs.isEmpty && !ids.links.isEmpty && !ids.maps.isEmpty)
        let unload = try guardCommand(["unload", "pinned-test", "--pin-root", root.path])
        #expect(unload.status == 0, "\(unload.stderr)")
        #expect(unload.stdout.contains("guard 'pinned-test' unloaded ("), "\(unload.stdout)")
        #expect(access(directory, F_OK) != 0 && access(root.path, F_OK) != 0, "pins left under \(root.path)")
        let left = try stillListed(ids)
        #expect(left.isEmpty, "bpftool still lists \(left) of \(ids)")

        // Enforcement is gone with the pins.
        #expect(run(forbidden, [forbidden, ws.path("m-after")]) == 0)
        #expect(ws.exists("m-after"))
        let again = try guardCommand(["unload", "--pin-root", root.path])
        #expect(again.status != 0 && again.stderr.contains("no guard is loaded (nothing pinned under \(root.path))"), "\(again.stderr)")
    }

    @Test(.enabled(if: CLI.path != nil, "needs the swiftbpf binary"))
    func pinnedGuardRefusesBadInputAndLeavesNothing() throws {
        let ws = try Workspace()
        let root = PinRoot()
        let policy = ws.path("p.yaml")
        try "- {name: no-marker, events: [exec], binary: \(try ws.copyOfHelper("forbidden")), action: kill}\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let guardsBefore = try GuardStatus.loaded().count

        // A root that is not on bpffs (as when bpffs is not mounted at /sys/fs/bpf).
        let notBPFFS = ws.path("not-bpffs")
        let r1 = try guardCommand(["load", "--policy", policy, "--pin-root", notBPFFS])
        #expect(r1.status != 0 && r1.stderr.contains("\(notBPFFS) is not on a BPF filesystem (bpffs)"), "\(r1.stderr)")
        #expect(access(notBPFFS, F_OK) != 0)

        // A directory of that name made by another tool, with a pin of its own: refused, untouched.
        let foreign = root.path + "/other"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        do {
            let map = try Map.create(MapCreateAttributes(name: "not_guard", type: .array, keySize: 4, valueSize: 4, maxEntries: 1))
            try map.pin(foreign + "/not_guard")
        }
        let r2 = try guardCommand(["load", "--policy", policy, "--name", "other", "--pin-root", root.path])
        #expect(r2.status != 0 && r2.stderr.contains("\(foreign) exists and does not hold a guard"), "\(r2.stderr)")
        let r3 = try guardCommand(["unload", "other", "--pin-root", root.path])
        #expect(r3.status != 0 && r3.stderr.contains("\(foreign) does not hold a guard"), "\(r3.stderr)")
        #expect(access(foreign + "/not_guard", F_OK) == 0)
        // `status` and a name-less `unload` do not take it for a guard.
        let listed = try guardCommand(["status", "--pin-root", root.path])
        #expect(listed.status == 0 && !listed.stdout.contains("'other'"), "\(listed.stdout)\(listed.stderr)")
        let r4 = try guardCommand(["unload", "--pin-root", root.path])
        #expect(r4.status != 0 && r4.stderr.contains("no guard is loaded"), "\(r4.stderr)")

        // A name that cannot be pinned, a policy with no rules, and unloading a name never loaded.
        let r5 = try guardCommand(["load", "--policy", policy, "--name", "a.b", "--pin-root", root.path])
        #expect(r5.status != 0 && r5.stderr.contains("'a.b' cannot name a pinned guard"), "\(r5.stderr)")
        let empty = ws.path("empty.yaml")
        try "[]\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let r6 = try guardCommand(["load", "--policy", empty, "--pin-root", root.path])
        #expect(r6.status != 0 && r6.stderr.contains("the rule list is empty"), "\(r6.stderr)")
        do {
            _ = try PinnedGuard.install(policy: CompiledGuardPolicy(rules: []), name: "empty", root: root.path)
            Issue.record("a policy with no rules was pinned")
        } catch {
            #expect(error.description.contains("the policy has no rules"), "\(error)")
        }
        #expect(access(root.path + "/empty", F_OK) != 0)
        let r7 = try guardCommand(["unload", "never-loaded", "--pin-root", root.path])
        #expect(r7.status != 0 && r7.stderr.contains("no guard named 'never-loaded' is loaded"), "\(r7.stderr)")

        // The same name twice: the second load is refused and the first stays as it was.
        let first = try guardCommand(["load", "--policy", policy, "--name", "twice", "--pin-root", root.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try guardCommand(["load", "--policy", policy, "--name", "twice", "--pin-root", root.path])
        #expect(second.status != 0 && second.stderr.contains("a guard named 'twice' is already loaded"), "\(second.stderr)")
        #expect(try GuardStatus.pinned(root: root.path).map { $0.pinned?.name } == ["twice"])
        // A guard whose pins are incomplete (a load killed halfway, or a pin removed by hand):
        // status names it and fails, unload still removes it whole.
        #expect(unlink(root.path + "/twice/maps/guard_rules") == 0)
        let broken = try guardCommand(["status", "--pin-root", root.path])
        #expect(broken.status != 0 && broken.stderr.contains("cannot read the guard pinned at \(root.path)/twice"), "\(broken.stderr)")
        #expect(broken.stderr.contains("'guard unload twice' removes it"), "\(broken.stderr)")
        #expect(try guardCommand(["unload", "twice", "--pin-root", root.path]).status == 0)
        #expect(access(root.path + "/twice", F_OK) != 0)
        // The refused loads left no program behind (the kernel frees them shortly after exit).
        var guardsAfter = try GuardStatus.loaded().count
        for _ in 0..<100 where guardsAfter > guardsBefore {
            usleep(50_000)
            guardsAfter = try GuardStatus.loaded().count
        }
        #expect(guardsAfter <= guardsBefore, "\(guardsAfter) guard instances loaded, \(guardsBefore) before")
        #expect(access(foreign + "/not_guard", F_OK) == 0)
    }

    /// With the BPF LSM (the kernel matrix's 6.1 VM): a pinned deny keeps refusing a write-open
    /// with EPERM after its loader exits, and stops with `unload`.
    @Test(ProbedFeature.enabled(.lsm), .enabled(if: CLI.path != nil, "needs the swiftbpf binary"))
    func pinnedLSMDenyOutlivesItsLoader() throws {
        let ws = try Workspace()
        let root = PinRoot()
        let file = ws.path("guarded")
        FileManager.default.createFile(atPath: file, contents: Data("original".utf8))
        let policy = ws.path("lsm.yaml")
        try "- {name: no-write, events: [open], paths: [\(file)], access: write, action: deny}\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let load = try guardCommand(["load", "--policy", policy, "--pin-root", root.path])
        #expect(load.status == 0, "\(load.stderr)")
        let fd = open(file, O_WRONLY | O_TRUNC)
        let error = fd < 0 ? errno : 0
        if fd >= 0 { close(fd) }
        #expect(error == EPERM)
        #expect((try? String(contentsOfFile: file, encoding: .utf8)) == "original")
        #expect(try guardCommand(["unload", "lsm", "--pin-root", root.path]).status == 0)
        var reopened: Int32 = -1
        for _ in 0..<100 {
            reopened = open(file, O_WRONLY)
            if reopened >= 0 { break }
            usleep(50_000)
        }
        #expect(reopened >= 0, "the write-open still fails after unload: errno \(errno)")
        if reopened >= 0 { close(reopened) }
    }
}
