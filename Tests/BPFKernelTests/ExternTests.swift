@testable import BPF
import Foundation
import Testing

/// libbpf externs against the running kernel: `__kconfig` values, typed and typeless `__ksym`
/// variables, and kfunc calls (strong and `__weak`), loaded, triggered and read back.
@Suite(.serialized, .enabled(if: isRoot, "loading BPF programs needs root"))
struct ExternTests {
    /// The running kernel's config (`/boot/config-<release>`, else `/proc/config.gz` through zcat).
    static func kernelConfig() throws -> [String: String] {
        var text: String?
        var uts = utsname()
        uname(&uts)
        let r = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if let boot = try? String(contentsOfFile: "/boot/config-" + r, encoding: .utf8) {
            text = boot
        } else if let zcat = Command.which("zcat") {
            text = try Command.run(zcat, ["/proc/config.gz"]).stdout
        }
        var result: [String: String] = [:]
        for line in (text ?? "").split(separator: "\n") where line.hasPrefix("CONFIG_") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            result[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return result
    }

    /// `KERNEL_VERSION(a, b, min(c, 255))` from uname, computed independently of the library.
    static func unameKernelVersion() -> UInt64 {
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let n = release.split(whereSeparator: { !$0.isNumber }).prefix(3).map { UInt64($0) ?? 0 }
        return n[0] << 16 + n[1] << 8 + min(n[2], 255)
    }

    static func loadWithPID(_ embedded: EmbeddedObject) throws -> BPFObject {
        var options = LoadOptions()
        options.set("target_pid", to: UInt32(getpid()))
        return try BPFObject(ObjectSpec(bytes: embedded.bytes, name: embedded.name), options: options)
    }

    static func trigger(_ object: BPFObject, _ program: String) throws {
        let link = try object.attach(program)
        withExtendedLifetime(link) { _ = getpid() }
    }

    @Test func kconfigValuesReachTheProgram() throws {
        let config = try Self.kernelConfig()
        try #require(config["CONFIG_HZ"] != nil, "the kernel config is not readable (no /boot/config-* and no zcat for /proc/config.gz)")
        let object = try Self.loadWithPID(EmbeddedObjects.extKconfig)
        try Self.trigger(object, "read_kconfig")
        let values = try object.map("values")
        func value(_ key: UInt32) throws -> UInt64? { try values.lookup(key: key, as: UInt64.self) }

        #expect(try value(0) == Self.unameKernelVersion())
        #expect(try value(1) == (Features.kernelVersion >= LinuxVersion(5, 15) ? 1 : 0))
        // libbpf's probe creates a kprobe on __x64_sys_bpf: impossible without the kprobe PMU.
        if !FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe") {
            #expect(try value(2) == 0)
        }
        #expect(try value(3) == (config["CONFIG_BPF_SYSCALL"] == "y" ? 1 : 0))
        #expect(try value(4) == ["y": 1, "m": 2][config["CONFIG_BPF_JIT"] ?? "n"] ?? 0)
        #expect(try value(5) == UInt64(config["CONFIG_HZ"] ?? ""))
        #expect(try value(6) == UInt64(config["CONFIG_NR_CPUS"] ?? ""))
        #expect(try value(7) == 0, "a missing __weak CONFIG_ reads 0")
        let hostname = Array((config["CONFIG_DEFAULT_HOSTNAME"] ?? "\"\"").utf8.dropFirst().dropLast()) + [UInt8](repeating: 0, count: 8)
        let firstEight = hostname.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(try value(8) == firstEight)

        // The .kconfig map is frozen: user space cannot change it.
        let kconfig = try #require(object.spec.kconfigMap)
        let image = try #require(try object.map(kconfig.name).lookup(key: [0, 0, 0, 0]))
        #expect(throws: BPFError.self) { try object.map(kconfig.name).update(key: [0, 0, 0, 0], value: image) }
    }

    /// The `.kconfig` image is byte-for-byte libbpf's (bpftool's pinned map, read as hex).
    @Test(.enabled(if: Bpftool.path != nil, "needs bpftool")) func kconfigImageEqualsLibbpf() throws {
        let file = try ObjectFile(EmbeddedObjects.extKconfig)
        let pins = try PinDirectory("kconfig")
        let r = try Command.run(Bpftool.path!, ["prog", "loadall", file.path, pins.path + "/p", "pinmaps", pins.path + "/m"])
        try #require(r.status == 0, "bpftool prog loadall failed: \(r.stderr)")
        let pinned = try #require(try FileManager.default.contentsOfDirectory(atPath: pins.path + "/m").first { $0.hasSuffix("kconfig") })
        let dump = try Command.run(Bpftool.path!, ["-j", "map", "dump", "pinned", pins.path + "/m/" + pinned])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [[String: Any]])
        let hex = try #require(json.first?["value"] as? [String])
        let theirs = hex.compactMap { UInt8($0.dropFirst(2), radix: 16) }

        let object = try BPFObject(path: file.path)
        let kconfig = try #require(object.spec.kconfigMap)
        let ours = try object.map(kconfig.name).lookup(key: [0, 0, 0, 0])
        #expect(ours == theirs, "ours \(String(describing: ours)) libbpf \(theirs)")
    }

    @Test(.enabled(if: KernelFunctions.exist("bpf_rcu_read_lock"), "the object calls the kfunc bpf_rcu_read_lock, which this kernel's BTF lacks (added in 6.2)"))
    func typelessKsymIsTheKallsymsAddress() throws {
        // /proc files report size 0, so read through a reader that does not trust it.
        let kallsyms = try #require(FileHandle(forReadingAtPath: "/proc/kallsyms")).readDataToEndOfFile()
        let line = try #require(String(decoding: kallsyms, as: UTF8.self).split(separator: "\n").first { $0.hasSuffix(" __x64_sys_getpid") })
        let address = try #require(UInt64(line.prefix { $0 != " " }, radix: 16))
        let object = try Self.loadWithPID(EmbeddedObjects.extKsym)
        try Self.trigger(object, "read_ksyms")
        #expect(try object.map("values").lookup(key: UInt32(0), as: UInt64.self) == address)
        // A missing __weak ksym has address 0: the program took the "absent" branch.
        #expect(try object.map("values").lookup(key: UInt32(1), as: UInt64.self) == 4)
    }

    /// A typed ksym becomes `BPF_PSEUDO_BTF_ID` with the kernel's BTF id. The kernel then looks
    /// the symbol up in kallsyms: without CONFIG_KALLSYMS_ALL it fails naming the symbol (so the
    /// id was right), exactly as under libbpf.
    @Test func typedKsymThroughPerCPUHelpers() throws {
        do {
            let object = try Self.loadWithPID(EmbeddedObjects.extKsymTyped)
            try Self.trigger(object, "read_typed_ksym")
            // bpf_prog_active counts the tracing programs running on this CPU: this one.
            #expect(try object.map("values").lookup(key: UInt32(0), as: UInt64.self) == 1)
            #expect(try object.map("values").lookup(key: UInt32(1), as: UInt64.self) == 1)
        } catch let BPFError.verifier(_, _, log, _) {
            #expect(log.contains("failed to find the address for kernel symbol 'bpf_prog_active'"), "\(log)")
            if let bpftool = Bpftool.path {
                let file = try ObjectFile(EmbeddedObjects.extKsymTyped)
                let pins = try PinDirectory("typed")
                let r = try Command.run(bpftool, ["prog", "loadall", file.path, pins.path + "/p"])
                #expect(r.status != 0 && r.stderr.contains("failed to find the address for kernel symbol 'bpf_prog_active'"),
                        "libbpf behaves differently: \(r.stderr)")
            }
        }
    }

    @Test(.enabled(if: KernelFunctions.exist("bpf_task_from_pid"), "the kfunc bpf_task_from_pid is not in this kernel's BTF (added in 6.2)"))
    func kfuncsAcquireAndReleaseATask() throws {
        let object = try Self.loadWithPID(EmbeddedObjects.extKfunc)
        // The kernel took the object's BTF with its .ksyms fix-ups (int VARs, dummy_ksym).
        #expect(object.btfFD != nil)
        try Self.trigger(object, "find_task")
        #expect(try object.map("values").lookup(key: UInt32(0), as: UInt64.self) == 2, "bpf_task_from_pid found this process")
    }

    @Test(.enabled(if: KernelFunctions.exist("bpf_task_from_pid"), "the kfunc bpf_task_from_pid is not in this kernel's BTF (added in 6.2)"))
    func missingWeakKfuncIsDeadCode() throws {
        let object = try Self.loadWithPID(EmbeddedObjects.extWeakKfunc)
        try Self.trigger(object, "weak_kfunc")
        #expect(try object.map("values").lookup(key: UInt32(0), as: UInt64.self) == 2)
        #expect(try object.map("values").lookup(key: UInt32(1), as: UInt64.self) == 3, "the weak kfunc is absent")
        #expect(object.programs["unguarded_weak_kfunc"] == nil, "'?' sections do not load by default")
    }

    /// An unguarded call to a missing weak kfunc reaches the verifier as libbpf's poisoned call,
    /// and the error names the kfunc.
    @Test(.enabled(if: KernelFunctions.exist("bpf_task_from_pid"), "the kfunc bpf_task_from_pid is not in this kernel's BTF (added in 6.2)"))
    func unguardedWeakKfuncIsExplained() throws {
        var options = LoadOptions()
        options.programs = ["unguarded_weak_kfunc"]
        let spec = try ObjectSpec(bytes: EmbeddedObjects.extWeakKfunc.bytes, name: "ext_weak_kfunc")
        var failure: BPFError?
        do {
            _ = try BPFObject(spec, options: options)
        } catch {
            failure = error as? BPFError
        }
        guard case let .verifier(_, _, log, hint) = failure else {
            Issue.record("expected a verifier error, got \(String(describing: failure))")
            return
        }
        #expect(log.contains("unknown#2002000"), "\(log)")
        #expect(hint?.contains("kfunc 'swiftbpf_no_such_kfunc'") == true, "\(String(describing: hint))")
    }

    @Test func missingStrongExternsAreClearErrors() throws {
        let spec = try ObjectSpec(bytes: EmbeddedObjects.extMissing.bytes, name: "ext_missing")
        func loadError(_ options: LoadOptions) -> String {
            do {
                _ = try BPFObject(spec, options: options)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        // Resolution order is libbpf's: kconfig, then kallsyms, then kernel BTF.
        var options = LoadOptions()
        #expect(loadError(options).contains("'CONFIG_SWIFTBPF_NOT_SET' (strong): not resolved"))
        options.kconfig = "CONFIG_SWIFTBPF_NOT_SET=7\n"
        #expect(loadError(options).contains("'swiftbpf_no_such_symbol'"))
        // A value of the wrong kind for the extern's type is refused, naming the option.
        options.kconfig = "CONFIG_SWIFTBPF_NOT_SET=\"text\"\n"
        #expect(loadError(options).contains("CONFIG_SWIFTBPF_NOT_SET"))
    }

    /// The inflater against gzip(1): text and random bytes (stored, fixed and dynamic Huffman
    /// blocks), several members, and the kernel's own /proc/config.gz against zcat.
    @Test(.enabled(if: Command.which("gzip") != nil, "needs gzip")) func gzipMatchesZcat() throws {
        let gzip = try #require(Command.which("gzip"))
        var generator = SystemRandomNumberGenerator()
        let text = (0..<4000).map { "CONFIG_OPTION_\($0 % 97)=\($0 * 31 % 7 == 0 ? "y" : "m")\n" }.joined()
        let random = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let short = Array("a".utf8)
        for (label, input) in [("text", Array(text.utf8)), ("random", random), ("short", short), ("empty", [])] {
            for level in ["-1", "-9"] {
                let file = try TemporaryFile(input, suffix: ".bin")
                _ = try Command.run(gzip, [level, "-k", "-f", file.path])
                let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path + ".gz")))
                try? FileManager.default.removeItem(atPath: file.path + ".gz")
                #expect(try Gzip.decompress(compressed) == input, "\(label) \(level)")
                // Two members back to back decode as the concatenation.
                #expect(try Gzip.decompress(compressed + compressed) == input + input, "\(label) \(level) twice")
                // An FEXTRA field (3 bytes) is skipped.
                var extra = compressed
                extra[3] |= 0x04
                extra.insert(contentsOf: [3, 0, 0x61, 0x62, 0x63], at: 10)
                #expect(try Gzip.decompress(extra) == input, "\(label) \(level) with FEXTRA")
            }
        }
        #expect(throws: BPFError.self) { try Gzip.decompress([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]) }
        #expect(throws: BPFError.self) { try Gzip.decompress([1, 2, 3]) }
        if FileManager.default.fileExists(atPath: "/proc/config.gz"), let zcat = Command.which("zcat") {
            let ours = String(decoding: try Gzip.decompress(try Syscalls.readFile("/proc/config.gz")), as: UTF8.self)
            #expect(ours == (try Command.run(zcat, ["/proc/config.gz"]).stdout))
        }
    }
}
