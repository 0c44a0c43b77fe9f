import BPF
import Glibc
import Testing

/// kprobe, kretprobe and ksyscall programs (kprobe_open.bpf.c) seeing this process open marker
/// paths. Where kprobes are compiled out (the development host: no CONFIG_KPROBES), the attach
/// tests skip with the probed reason and `unsupportedKernelSaysWhy` checks that reason.
@Suite("kprobe", .serialized, .enabled(if: isRoot, "kprobes need root"))
struct KprobeTests {
    /// `struct hit` of kprobe_open.bpf.c: count, last_ret, cookie, path[64].
    struct Hit {
        var count: UInt64
        var lastRet: Int64
        var cookie: UInt64
        var path: String
        init(_ b: [UInt8]) {
            count = readLE(b, at: 0)
            lastRet = readLE(b, at: 8)
            cookie = readLE(b, at: 16)
            path = String(decoding: b[24..<88].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    let marker = "/tmp/swiftbpf-kprobe-\(getpid())-"

    func load(_ programs: Set<String>) throws -> BPFObject {
        var options = LoadOptions()
        options.set("target_tgid", to: UInt32(getpid()))
        options.set("marker", string: marker, size: 48)
        options.programs = programs
        return try BPFObject(ObjectSpec(bytes: EmbeddedObjects.kprobeOpen.bytes, name: "kprobe_open"), options: options)
    }

    func hit(_ object: BPFObject, _ index: UInt32) throws -> Hit {
        let bytes = try #require(try object.map("hits").lookup(key: withUnsafeBytes(of: index) { Array($0) }))
        return Hit(bytes)
    }

    /// Opens `path` (which need not exist) and returns the fd or -errno.
    func open(_ path: String, flags: Int32 = O_RDONLY | O_CLOEXEC) -> Int32 {
        let fd = Glibc.open(path, flags)
        if fd < 0 { return -errno }
        Glibc.close(fd)
        return fd
    }

    @Test(ProbedFeature.enabled(.kprobe))
    func kprobeSeesMarkerOpenWithCookie() throws {
        let object = try load(["kprobe_openat2"])
        let path = marker + "absent"
        let link = try KprobeProgram(object, name: "kprobe_openat2").attach(function: "do_sys_openat2", cookie: 0x5eed)
        #expect(try link.info().typeName == "perf_event")
        for _ in 0..<3 { #expect(open(path) == -ENOENT) }
        _ = open("/tmp/swiftbpf-not-the-marker-\(getpid())")
        link.close()
        _ = open(path)  // after close: not counted
        let h = try hit(object, 0)
        #expect(h.count == 3)
        #expect(h.path == path)
        if Features.probe(.bpfCookie).isSupported { #expect(h.cookie == 0x5eed) }
    }

    @Test(ProbedFeature.enabled(.kretprobe))
    func kretprobeSeesReturnValues() throws {
        let object = try load(["kprobe_openat2", "kretprobe_openat2"])
        // Auto-attach from SEC("kprobe/do_sys_openat2") and SEC("kretprobe/do_sys_openat2").
        let links = try object.attachAll()
        #expect(links.count == 2)
        #expect(open(marker + "absent") == -ENOENT)
        #expect(try hit(object, 1).lastRet == -Int64(ENOENT))
        // /tmp/swiftbpf-kprobe-PID-N matches the marker: its creation is the second open.
        let file = try MarkerFile("kprobe")
        let fd = Glibc.open(file.path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        Glibc.close(fd)
        let h = try hit(object, 1)
        #expect(h.count == 3)
        #expect(h.lastRet == Int64(fd), "the kretprobe sees the descriptor open(2) returned")
        #expect(try hit(object, 0).count == 3)
        for l in links { l.close() }
    }

    @Test(ProbedFeature.enabled(.syscallWrapper))
    func ksyscallSeesOpenatArguments() throws {
        let object = try load(["ksyscall_openat"])
        let link = try object.attach("ksyscall_openat")
        #expect(link.name.contains(KprobeTarget.syscallFunction("openat")))
        let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW
        #expect(open(marker + "ksyscall", flags: flags) == -ENOENT)
        link.close()
        let h = try hit(object, 2)
        #expect(h.count == 1)
        #expect(h.lastRet == Int64(flags), "BPF_KSYSCALL reads the third argument through the wrapper's pt_regs")
        #expect(h.path == marker + "ksyscall")
    }

    @Test(ProbedFeature.enabled(.kprobeTracefs))
    func tracefsKprobeIsRemovedWhenTheLinkCloses() throws {
        let object = try load(["kprobe_openat2"])
        let root = try #require(PerfEvent.tracefsRoot())
        func events() throws -> String { String(decoding: try Syscalls.readFile(root + "/kprobe_events"), as: UTF8.self) }
        let link = try KprobeProgram(object, name: "kprobe_openat2").attach(function: "do_sys_openat2", mechanism: .tracefs)
        let name = try #require(link.name.split(separator: "/").last.map { String($0.prefix { $0 != ")" }) })
        #expect(name.hasPrefix("swiftbpf_\(getpid())_"))
        #expect(try events().contains(name), "kprobe_events lists the link's event while it is attached")
        _ = open(marker + "tracefs")
        _ = open(marker + "tracefs")
        link.close()
        #expect(!(try events().contains(name)), "closing the link removes the event")
        #expect(try hit(object, 0).count == 2)
    }

    @Test(ProbedFeature.whereUnsupported(.kprobe))
    func unsupportedKernelSaysWhy() throws {
        let reason = try #require(Features.probe(.kprobe).reason)
        if !Syscalls.exists(KprobeTarget.pmuDirectory) {
            #expect(reason.contains("CONFIG_KPROBES") || reason.contains("tracefs"), "\(reason)")
        }
        let object = try load(["kprobe_openat2"])  // kprobe programs load; only the attach fails
        #expect {
            try object.attach("kprobe_openat2")
        } throws: { error in
            guard let e = error as? BPFError, case let .notSupported(_, why) = e else { return false }
            return why == reason
        }
        #expect(Features.probe(.kretprobe).isSupported == false)
    }

    @Test func sectionNamesParseAsLibbpf() throws {
        #expect(try KprobeSection.parse("kprobe/do_sys_openat2") == KprobeSection(target: .function("do_sys_openat2", offset: 0), retprobe: false))
        #expect(try KprobeSection.parse("kprobe/tcp_v4_connect+0x10") == KprobeSection(target: .function("tcp_v4_connect", offset: 16), retprobe: false))
        #expect(try KprobeSection.parse("kprobe/f+8") == KprobeSection(target: .function("f", offset: 8), retprobe: false))
        #expect(try KprobeSection.parse("kretprobe/vfs_read") == KprobeSection(target: .function("vfs_read", offset: 0), retprobe: true))
        #expect(try KprobeSection.parse("ksyscall/openat") == KprobeSection(target: .syscall("openat"), retprobe: false))
        #expect(try KprobeSection.parse("kretsyscall/openat") == KprobeSection(target: .syscall("openat"), retprobe: true))
        #expect(try KprobeSection.parse("kprobe") == nil)
        #expect(try KprobeSection.parse("kretsyscall") == nil)
        for bad in ["kretprobe/vfs_read+4", "kprobe/", "kprobe/a b", "kprobe/f+x", "kprobe/f+", "ksyscall/open at", "uprobe/x"] {
            #expect(throws: BPFError.self, "\(bad)") { try KprobeSection.parse(bad) }
        }
        #expect(KprobeTarget.syscallFunction("openat").hasSuffix("_sys_openat"))
    }

    @Test func badArgumentsAreRefusedBeforeTheKernel() throws {
        let object = try load(["kprobe_openat2"])
        let program = try object.program("kprobe_openat2")
        for name in ["", "a b", "f\n-:kprobes/x", String(repeating: "x", count: 300)] {
            #expect(throws: BPFError.self) { try Link.attachKprobe(program: program, function: name) }
        }
        #expect(throws: BPFError.self) { try Link.attachKprobe(program: program, function: "vfs_read", offset: 4, retprobe: true) }
    }
}
