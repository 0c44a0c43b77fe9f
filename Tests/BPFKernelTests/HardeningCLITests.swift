import BPF
import Foundation
import Glibc
import Synchronization
import Testing

/// Inputs a new user tries that once trapped, hung or answered with the wrong cause: each now
/// gets a clear message naming the bad value or path, and leaves nothing behind.
@Suite(.serialized, .enabled(if: isRoot && CLI.path != nil, "needs root and the built swiftbpf binary"))
struct HardeningCLITests {
    static let eventTools = ["execsnoop", "opensnoop", "exitsnoop", "killsnoop", "tcpconnect", "tcpaccept", "tcplife", "tcpretrans"]

    /// 4 GiB and more overflowed the u32 size arithmetic and trapped (SIGILL, no message).
    @Test(arguments: eventTools)
    func hugeBufferIsRefusedWithMessage(_ tool: String) throws {
        for kib in ["4194304", "8388608", "2147483648"] {
            let r = try TimedCommand.run(CLI.path!, [tool, "--buffer-kib", kib, "-d", "0.1"])
            #expect(!r.signaled && !r.timedOut, "\(tool) --buffer-kib \(kib) crashed or hung: \(r.stderr)")
            #expect(r.status != 0)
            #expect(r.stderr.contains("--buffer-kib") && r.stderr.contains(kib), "\(tool): \(r.stderr)")
        }
    }

    /// A character device, a FIFO and a file too large are refused before anything is read:
    /// no hang, no memory growth.
    @Test(arguments: [["object", "inspect"], ["object", "load"], ["btf", "dump", "--file"]])
    func nonRegularInputFilesAreRefused(_ command: [String]) throws {
        let dir = try TemporaryDirectory("harden-input")
        let fifo = dir.path + "/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        let huge = dir.path + "/huge.o"
        let fd = open(huge, O_CREAT | O_WRONLY, 0o600)
        try #require(fd >= 0)
        try #require(ftruncate(fd, off_t(Syscalls.maximumInputFileSize) + 4096) == 0)  // sparse
        close(fd)
        let pin = dir.path + "/pins"
        for (path, cause) in [("/dev/zero", "character device"), (fifo, "FIFO"), (huge, "bytes")] {
            var args = command + [path]
            if command[1] == "load" { args += ["--pin", "/sys/fs/bpf/harden-never-\(getpid())"] }
            let r = try TimedCommand.run(CLI.path!, args, timeout: 15)
            #expect(!r.timedOut, "\(args) hung")
            #expect(!r.signaled && r.status != 0, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(path) && r.stderr.contains(cause), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Usage:"), "\(args) printed the usage: \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: pin))
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/harden-never-\(getpid())"))
    }

    /// Byte words are parsed in linear time: ArgumentParser's own handling of 16,000 words took
    /// 10 s and of 100,000 did not end. The deadline only catches that hang.
    @Test func mapUpdateWithManyByteWordsIsLinear() throws {
        let count = 100_000
        let map = try makeMap("harden_words", .array, key: 4, value: UInt32(count), max: 1)
        let value = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let words = value.enumerated().map { $0.offset % 2 == 0 ? "0x" + String($0.element, radix: 16) : String($0.element) }
        let r = try TimedCommand.run(CLI.path!, ["map", "update", String(map.id), "key", "0", "0", "0", "0", "value"] + words, timeout: 60)
        #expect(!r.timedOut, "100,000 byte words did not parse within 60 s")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try map.lookup(key: [0, 0, 0, 0]) == value)
        // The hex form and a bad word in a long run are still parsed and named.
        let reversed = Array(value.reversed())
        let hex = try TimedCommand.run(CLI.path!, ["map", "update", String(map.id), "key", "hex", "00", "000000", "value", "hex"] + reversed.map { String(format: "%02x", $0) })
        #expect(hex.status == 0, "\(hex.stderr)")
        #expect(try map.lookup(key: [0, 0, 0, 0]) == reversed)
        let bad = try TimedCommand.run(CLI.path!, ["map", "update", String(map.id), "key", "0", "0", "0", "0", "value"] + words.dropLast() + ["0x1ff"])
        #expect(bad.status != 0 && bad.stderr.contains("'0x1ff' is not a byte"), "\(bad.stderr)")
    }

    /// Negative numbers were taken for options ("Missing value for '-p <pid>'", "Unknown
    /// option '-1'"); the message names the bad value.
    @Test(arguments: [
        (["opensnoop", "-p", "-1"], "'-1'"), (["execsnoop", "-d", "-5"], "-5"), (["killsnoop", "--uid", "-1"], "'-1'"),
        (["profile", "-F", "-1"], "'-1'"), (["syscount", "--top", "-1"], "-1"), (["prog", "show", "-1"], "'-1'"),
        (["map", "show", "-7"], "'-7'"), (["link", "show", "-2"], "'-2'"), (["tcpconnect", "--lport", "-80"], "'-80'"),
    ])
    func negativeValuesAreNamed(_ args: [String], _ named: String) throws {
        let r = try TimedCommand.run(CLI.path!, args)
        #expect(r.status != 0 && !r.signaled)
        #expect(r.stderr.contains(named), "\(args): \(r.stderr)")
        #expect(!r.stderr.contains("Missing value") && !r.stderr.contains("Unknown option"), "\(args): \(r.stderr)")
    }

    /// An error found while a command runs is printed alone, not followed by the top-level
    /// usage; a syscall number that does not exist is refused instead of counting nothing.
    @Test func runtimeErrorsPrintOnlyTheError() throws {
        let object = try ObjectFile(EmbeddedObjects.minimal)
        let stripped = try TemporaryDirectory("harden-nobtf")
        let noBTF = stripped.path + "/nobtf.o"
        let strip = try Command.run(try #require(Command.which("llvm-objcopy") ?? Command.which("objcopy")),
                                    ["--remove-section=.BTF", "--remove-section=.BTF.ext", object.path, noBTF])
        try #require(strip.status == 0, "objcopy: \(strip.stderr)")
        let cases: [([String], String)] = [
            (["btf", "dump", "--file", noBTF], "has no .BTF section"),
            (["syscount", "--syscall", "nosuchcall", "-d", "0.1"], "nosuchcall"),
            (["syscount", "--syscall", "99999", "-d", "0.1"], "99999"),
            (["syscount", "--syscall", "-1", "-d", "0.1"], "-1"),
            (["map", "lookup", "id", "x"], "numeric"),
        ]
        for (args, named) in cases {
            let r = try TimedCommand.run(CLI.path!, args)
            #expect(r.status != 0, "\(args) was accepted: \(r.stdout)")
            #expect(r.stderr.contains(named), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Usage:") && !r.stderr.contains("--help"), "\(args) printed a usage: \(r.stderr)")
        }
    }

    /// A pin directory off bpffs is named as such (the kernel only says EPERM, which reads as
    /// "not root"), and no directory is left behind; opening a file off bpffs likewise.
    @Test func pinPathsOffBPFFilesystemAreNamed() throws {
        let object = try ObjectFile(EmbeddedObjects.minimal)
        let tmp = try TemporaryDirectory("harden-pin")
        let pin = tmp.path + "/a/b"
        let r = try TimedCommand.run(CLI.path!, ["object", "load", object.path, "--pin", pin])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not on a BPF filesystem") && r.stderr.contains(pin), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/a"), "object load left \(tmp.path)/a behind")
        let bpffsPin = try PinDirectory("harden_pinmaps")
        let maps = try TimedCommand.run(CLI.path!, ["object", "load", object.path, "--pin", bpffsPin.path + "/p", "--pin-maps", pin])
        #expect(maps.status != 0)
        #expect(maps.stderr.contains("not on a BPF filesystem") && maps.stderr.contains("--pin-maps"), "\(maps.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bpffsPin.path + "/p"), "object load left its pin directory behind")
        for args in [["map", "lookup", "pinned", "/etc/passwd", "key", "0"], ["prog", "show", "/etc/passwd"], ["link", "show", "pinned", "/etc/hostname"]] {
            let r = try TimedCommand.run(CLI.path!, args)
            #expect(r.status != 0)
            #expect(r.stderr.contains("not on a BPF filesystem") && r.stderr.contains(args.first { $0.hasPrefix("/etc") }!), "\(args): \(r.stderr)")
        }
        // The library says the same to its callers.
        do {
            _ = try Map.open(pinned: "/etc/passwd")
            Issue.record("/etc/passwd opened as a map")
        } catch {
            #expect(error.description.contains("not on a BPF filesystem"), "\(error)")
        }
    }

    /// With tracefs and bpffs unmounted (in a private mount namespace, so the host keeps its
    /// mounts), a tool mounts tracefs and an object load mounts bpffs, each saying so; neither
    /// claims the kernel lacks support. debugfs goes too: where it is mounted, its `tracing`
    /// directory mounts tracefs again on first access, and the tool would rightly use that.
    @Test func missingMountsAreMountedAndAnnounced() throws {
        let unshare = try #require(Command.which("unshare"), "unshare (util-linux) is needed for a private mount namespace")
        let object = try ObjectFile(EmbeddedObjects.minimal)
        let cli = CLI.path!
        let pin = "/sys/fs/bpf/harden_mount_\(getpid())"
        // Everything after the unmounts runs inside the namespace; its mounts vanish with it.
        let script = """
            umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null
            umount /sys/kernel/debug 2>/dev/null
            umount /sys/fs/bpf || exit 90
            grep -q ' tracefs ' /proc/mounts && exit 91
            \(cli) opensnoop -d 0.2 >/dev/null || exit 92
            \(cli) object load \(object.path) --pin \(pin) >/dev/null || exit 93
            rm -r \(pin)
            """
        let r = try TimedCommand.run(unshare, ["-m", "--propagation", "private", "/bin/sh", "-c", script], timeout: 60)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("mounted tracefs at /sys/kernel/tracing"), "\(r.stderr)")
        #expect(r.stderr.contains("mounted bpffs at /sys/fs/bpf"), "\(r.stderr)")
        #expect(!r.stderr.contains("not supported by this kernel"), "\(r.stderr)")
        // The host's mounts are untouched.
        #expect(Syscalls.isOn(.bpf, "/sys/fs/bpf") && Syscalls.isOn(.tracefs, "/sys/kernel/tracing"))
        #expect(!FileManager.default.fileExists(atPath: pin))
    }

    /// The library names the missing mount rather than a missing kernel feature.
    @Test func tracepointWithoutTracefsNamesTheMount() throws {
        let unshare = try #require(Command.which("unshare"), "unshare (util-linux) is needed for a private mount namespace")
        let cli = CLI.path!
        // opensnoop would mount tracefs; an empty tmpfs over /sys/kernel leaves no mount point.
        // Kernel BTF stays reachable (bound back in), so the load gets as far as the attach.
        let keep = "/tmp/swiftbpf-harden-btf-\(getpid())"
        let script = """
            umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug/tracing 2>/dev/null
            umount /sys/kernel/debug 2>/dev/null
            mkdir -p \(keep) && mount --bind /sys/kernel/btf \(keep) || exit 90
            mount -t tmpfs none /sys/kernel || exit 90
            mkdir /sys/kernel/btf && mount --bind \(keep) /sys/kernel/btf || exit 90
            \(cli) opensnoop -d 0.2
            """
        defer { rmdir(keep) }
        let r = try TimedCommand.run(unshare, ["-m", "--propagation", "private", "/bin/sh", "-c", script], timeout: 60)
        #expect(r.status != 0 && r.status != 90, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("tracefs") && r.stderr.contains("not mounted at /sys/kernel/tracing"), "\(r.stderr)")
        #expect(!r.stderr.contains("not supported by this kernel"), "\(r.stderr)")
    }

    /// Without capabilities (uid 0 with an empty bounding set, so exec grants none), doctor says
    /// first that its answers are for this user; with them it says nothing of the kind.
    @Test func doctorWithoutPrivilegesSaysSoFirst() throws {
        let setpriv = try #require(Command.which("setpriv"), "setpriv (util-linux) is needed to drop capabilities")
        let r = try TimedCommand.run(setpriv, ["--bounding-set=-all", "--inh-caps=-all", CLI.path!, "doctor"], timeout: 120)
        #expect(r.stderr.hasPrefix("swiftbpf doctor: not running with the privileges"), "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").first?.contains("answers below are for this user") == true, "\(r.stdout.prefix(300))")
        #expect(r.stderr.contains("CAP_BPF"))
        let json = try TimedCommand.run(setpriv, ["--bounding-set=-all", "--inh-caps=-all", CLI.path!, "doctor", "--json"], timeout: 120)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["privileged"] as? Bool == false)
        #expect((object?["missing_capabilities"] as? [String])?.contains("CAP_PERFMON") == true)
        let root = try TimedCommand.run(CLI.path!, ["doctor", "--json"], timeout: 120)
        let rootObject = try JSONSerialization.jsonObject(with: Data(root.stdout.utf8)) as? [String: Any]
        #expect(rootObject?["privileged"] as? Bool == true)
        #expect(!root.stderr.contains("privileges"))
    }

    /// Loss is reported while it happens: with a 4 KiB ring buffer and a thread opening files
    /// without pause, opensnoop reports lost events each second (stderr, and a JSON record
    /// between the events), not only at exit.
    @Test func lostEventsAreReportedWhileRunning() throws {
        let stop = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while !stop.load(ordering: .relaxed) {
                let fd = open("/dev/null", O_RDONLY)
                if fd >= 0 { close(fd) }
            }
            done.signal()
        }
        defer {
            stop.store(true, ordering: .relaxed)
            done.wait()
        }
        let r = try TimedCommand.run(CLI.path!, ["opensnoop", "--json", "--buffer-kib", "4", "-p", String(getpid()), "-d", "3.5"], timeout: 30)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let lossIndices = records.indices.filter { records[$0]["lost"] != nil }
        #expect(lossIndices.count >= 2, "expected a loss record per second under overload; stderr: \(r.stderr)")
        // Events continue after the first loss record: it came while the tool ran.
        if let first = lossIndices.first { #expect(records[(first + 1)...].contains { $0["path"] != nil }) }
        let lostSum = lossIndices.compactMap { records[$0]["lost"] as? Int }.reduce(0, +)
        #expect(lostSum > 0)
        let lastTotal = lossIndices.last.flatMap { records[$0]["total_lost"] as? Int }
        #expect(lastTotal == lostSum)
        // The final total still ends the output, and is at least what was reported on the way.
        let final = records.last?["dropped"] as? Int
        #expect(final.map { $0 >= lostSum } == true, "last line: \(lines.last ?? "")")
        #expect(r.stderr.split(separator: "\n").filter { $0.contains("events lost in the last") }.count == lossIndices.count, "\(r.stderr)")
    }

    /// Part of an object loads: bad_sections has a program in a section no kernel knows, which
    /// --programs leaves out by naming the other and --skip-programs by naming it.
    @Test func objectLoadSelectsPrograms() throws {
        let object = try ObjectFile(EmbeddedObjects.badSections)
        let all = try TimedCommand.run(CLI.path!, ["object", "load", object.path, "--pin", PinDirectory("harden_all").path + "/x"])
        #expect(all.status != 0 && all.stderr.contains("unknown_section"), "\(all.stderr)")
        for selection in [["--programs", "known_section"], ["--skip-programs", "unknown_section"]] {
            let dir = try PinDirectory("harden_select")
            let r = try TimedCommand.run(CLI.path!, ["object", "load", object.path, "--pin", dir.path] + selection)
            #expect(r.status == 0, "\(selection): \(r.stderr)")
            #expect(r.stdout.hasPrefix("known_section id "), "\(r.stdout)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["known_section"])
        }
        let unknown = try TimedCommand.run(CLI.path!, ["object", "load", object.path, "--pin", "/sys/fs/bpf/harden_never", "--programs", "known_section,nosuch"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no program named nosuch"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/bpf/harden_never"))
    }
}

/// A directory under /tmp removed with everything in it when the value goes away.
final class TemporaryDirectory {
    let path: String
    init(_ prefix: String) throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: p)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
