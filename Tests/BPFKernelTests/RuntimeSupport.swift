import BPF
import Glibc
import Testing

/// The runtime tests: one serialized parent suite, so that descriptor counts and per-thread
/// event counts are not disturbed by the other runtime tests. Skipped unless root.
@Suite("Runtime", .serialized, .enabled(if: RuntimeTestEnvironment.isRoot, RuntimeTestEnvironment.skipReason))
struct RuntimeTests {}

/// Shared conditions of the runtime tests.
enum RuntimeTestEnvironment {
    /// The runtime tests need root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN for pins).
    static let isRoot = geteuid() == 0
    static let skipReason: Comment = "needs root: runtime tests create maps, load programs and attach them to the running kernel"
    /// A unique bpffs folder name for this test process.
    static func uniquePinDirectory(_ tag: String) -> String {
        "/sys/fs/bpf/swiftbpf_rt_\(getpid())_\(tag)"
    }
}

func makeMap(_ name: String, _ type: MapType, key: UInt32, value: UInt32, max: UInt32, flags: MapFlags = [], inner: Int32? = nil, extra: UInt64 = 0) throws -> Map {
    try Map.create(MapCreateAttributes(name: name, type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags, mapExtra: extra, innerMapFD: inner))
}

func bytes<T: BitwiseCopyable>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

/// Whether `error` is a failed system call with `errno`.
func isErrno(_ error: any Error, _ errno: BPFErrno) -> Bool {
    if let e = error as? BPFError, case let .syscall(_, got) = e { return got == errno }
    return false
}

/// The calling thread's `bpf_get_current_pid_tgid()` value: tgid (process id) << 32 | tid.
/// Tests filter on it so that other tests running in parallel in this process do not count.
func currentPidTgid() -> UInt64 {
    var buffer = [CChar](repeating: 0, count: 64)
    let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
    // "PID/task/TID"
    let text = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    let tid = text.split(separator: "/").last.flatMap { UInt64($0) } ?? 0
    return UInt64(getpid()) << 32 | tid
}

/// getpid(2), `count` times (glibc does not cache it).
func callGetpid(_ count: Int) {
    for _ in 0..<count { _ = getpid() }
}

/// Programs assembled for the runtime tests.
enum TestPrograms {
    static let getpidSyscallNumber: Int32 = 39  // x86_64

    /// Increments `counter[0]` (u64) each time it runs on the thread `pidTgid`. For a
    /// raw_tracepoint on `sys_enter`, `syscall` also filters on args[1] (the syscall number).
    static func counting(counter: Map, pidTgid: UInt64, syscall: Int32? = nil, returning result: Int32 = 0) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.mov64(.r6, .r1))
        a.emit(.call(helper: .getCurrentPidTgid))
        a.emit(Instruction.loadImm64(.r1, pidTgid))
        a.jump(.ne, .r0, .r1, to: "out")
        if let syscall {
            a.emit(.ldx(.double, .r1, .r6, offset: 8))
            a.jump(.ne, .r1, imm: syscall, to: "out")
        }
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("out")
        a.emit(Instruction.returning(result))
        return try a.assemble()
    }

    /// XDP: counts frames whose EtherType is 0x88b5 (local experimental) in `counter[0]`;
    /// passes every frame.
    static func xdpEtherTypeCounter(counter: Map) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.ldx(.word, .r2, .r1, offset: 0))  // xdp_md.data
        a.emit(.ldx(.word, .r3, .r1, offset: 4))  // xdp_md.data_end
        a.emit(.mov64(.r4, .r2))
        a.emit(.add64(.r4, imm: 14))
        a.jump(.gt, .r4, .r3, to: "pass")
        a.emit(.ldx(.half, .r5, .r2, offset: 12))
        a.jump(.ne, .r5, imm: 0xb588, to: "pass")  // 0x88b5 in network order, loaded little-endian
        a.lookupSlotZero(counter, orJumpTo: "pass")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("pass")
        a.emit(Instruction.returning(2))  // XDP_PASS
        return try a.assemble()
    }

    /// sched_cls: counts packets whose `__sk_buff.protocol` is EtherType 0x88b5 in `counter[0]`;
    /// returns TC_ACT_OK (0).
    static func tcEtherTypeCounter(counter: Map) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.ldx(.word, .r2, .r1, offset: 16))  // __sk_buff.protocol (network order)
        a.jump(.ne, .r2, imm: 0xb588, to: "pass")
        a.lookupSlotZero(counter, orJumpTo: "pass")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("pass")
        a.emit(Instruction.returning(0))
        return try a.assemble()
    }

    static let recordMagic: UInt64 = 0x5357_4946_5442_5046

    /// On the thread `pidTgid`: `seq = ++counter[0]`, then `bpf_ringbuf_output(ring,
    /// {magic, seq}, 16, 0)`.
    static func ringbufWriter(ring: Map, counter: Map, pidTgid: UInt64) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.call(helper: .getCurrentPidTgid))
        a.emit(Instruction.loadImm64(.r1, pidTgid))
        a.jump(.ne, .r0, .r1, to: "out")
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.ldx(.double, .r1, .r0, offset: 0))
        a.emit(.add64(.r1, imm: 1))
        a.emit(.stx(.double, .r0, offset: 0, .r1))
        a.emit(.stx(.double, .fp, offset: -16, .r1))
        a.emit(Instruction.loadImm64(.r2, recordMagic))
        a.emit(.stx(.double, .fp, offset: -24, .r2))
        a.emit(Instruction.loadMapFD(.r1, fd: ring.fd))
        a.emit(.mov64(.r2, .fp))
        a.emit(.add64(.r2, imm: -24))
        a.emit(.mov64(.r3, imm: 16))
        a.emit(.mov64(.r4, imm: 0))
        a.emit(.call(helper: .ringbufOutput))
        a.label("out")
        a.emit(Instruction.returning(0))
        return try a.assemble()
    }

    static func load(_ name: String, _ type: ProgramType, _ insns: [Instruction], logLevel: UInt32? = nil) throws(BPFError) -> Program {
        try Program.load(ProgramLoadAttributes(name: name, type: type, instructions: insns, license: "GPL", logLevel: logLevel))
    }
}

func usleepMilliseconds(_ ms: UInt32) { usleep(ms * 1000) }

extension TestPrograms {
    /// On the thread `pidTgid`: `seq = ++counter[0]`; reserve 16 bytes in `ring`, write
    /// {magic, seq}, then submit odd sequence numbers and discard even ones.
    static func ringbufReserver(ring: Map, counter: Map, pidTgid: UInt64) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.call(helper: .getCurrentPidTgid))
        a.emit(Instruction.loadImm64(.r1, pidTgid))
        a.jump(.ne, .r0, .r1, to: "out")
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.ldx(.double, .r7, .r0, offset: 0))
        a.emit(.add64(.r7, imm: 1))
        a.emit(.stx(.double, .r0, offset: 0, .r7))
        a.emit(Instruction.loadMapFD(.r1, fd: ring.fd))
        a.emit(.mov64(.r2, imm: 16))
        a.emit(.mov64(.r3, imm: 0))
        a.emit(.call(helper: .ringbufReserve))
        a.jump(.eq, .r0, imm: 0, to: "out")
        a.emit(.mov64(.r6, .r0))
        a.emit(Instruction.loadImm64(.r1, recordMagic))
        a.emit(.stx(.double, .r6, offset: 0, .r1))
        a.emit(.stx(.double, .r6, offset: 8, .r7))
        a.emit(.mov64(.r1, .r6))
        a.emit(.mov64(.r2, imm: 0))
        a.jump(.set, .r7, imm: 1, to: "submit")
        a.emit(.call(helper: .ringbufDiscard))
        a.goto("out")
        a.label("submit")
        a.emit(.call(helper: .ringbufSubmit))
        a.label("out")
        a.emit(Instruction.returning(0))
        return try a.assemble()
    }

    /// A straight-line program of `count` ALU instructions (verifier logs grow with it).
    static func long(_ count: Int) -> [Instruction] {
        [.mov64(.r0, imm: 0)] + (0..<count).map { _ in .add64(.r0, imm: 1) } + [.exit()]
    }
}

extension TestPrograms {
    /// On the thread `pidTgid`: `seq = ++counter[0]`, then `bpf_perf_event_output(ctx, events,
    /// BPF_F_CURRENT_CPU, {magic, seq, seq}, 24)`. Samples are 40 bytes in the perf ring, which
    /// does not divide the page size, so records straddle the ring's end.
    static func perfOutputWriter(events: Map, counter: Map, pidTgid: UInt64) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.mov64(.r6, .r1))
        a.emit(.call(helper: .getCurrentPidTgid))
        a.emit(Instruction.loadImm64(.r1, pidTgid))
        a.jump(.ne, .r0, .r1, to: "out")
        a.lookupSlotZero(counter, orJumpTo: "out")
        a.emit(.ldx(.double, .r1, .r0, offset: 0))
        a.emit(.add64(.r1, imm: 1))
        a.emit(.stx(.double, .r0, offset: 0, .r1))
        a.emit(.stx(.double, .fp, offset: -16, .r1))
        a.emit(.stx(.double, .fp, offset: -8, .r1))
        a.emit(Instruction.loadImm64(.r2, recordMagic))
        a.emit(.stx(.double, .fp, offset: -24, .r2))
        a.emit(.mov64(.r1, .r6))
        a.emit(Instruction.loadMapFD(.r2, fd: events.fd))
        a.emit(Instruction.loadImm64(.r3, 0xffff_ffff))  // BPF_F_CURRENT_CPU
        a.emit(.mov64(.r4, .fp))
        a.emit(.add64(.r4, imm: -24))
        a.emit(.mov64(.r5, imm: 24))
        a.emit(.call(helper: .perfEventOutput))
        a.label("out")
        a.emit(Instruction.returning(0))
        return try a.assemble()
    }
}

/// The file and file offset of a C function of this process (e.g. libc's `getpid`), from its
/// address (dlsym) and /proc/self/maps: the target of a uprobe.
func fileOffset(ofFunction name: String) throws -> (path: String, offset: UInt64) {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else {
        throw BPFError.missing("function \(name) in this process")
    }
    let address = UInt64(UInt(bitPattern: symbol))
    let maps = String(decoding: try Syscalls.readFile("/proc/self/maps"), as: UTF8.self)
    for line in maps.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6 else { continue }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
              let offset = UInt64(fields[2], radix: 16), start <= address, address < end else { continue }
        return (String(fields[5...].joined(separator: " ")), address - start + offset)
    }
    throw BPFError.missing("mapping of \(name) at 0x\(String(address, radix: 16))")
}

/// connect(2) of a UDP socket to 127.0.0.1:9 (no packet is sent). Returns errno or 0.
func udpConnectLoopback() -> Int32 {
    let sock = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard sock >= 0 else { return errno }
    defer { close(sock) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(9).bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let r = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return r == 0 ? 0 : errno
}

/// Sends `count` broadcast Ethernet frames with EtherType 0x88b5 out of interface `ifindex`
/// through an AF_PACKET socket. Returns how many were sent.
func sendRawFrames(ifindex: Int32, count: Int) -> Int {
    let sock = socket(17 /* AF_PACKET */, Int32(SOCK_RAW.rawValue), Int32(UInt16(3).bigEndian) /* ETH_P_ALL */)
    guard sock >= 0 else { return 0 }
    defer { close(sock) }
    // struct sockaddr_ll: family, protocol (be), ifindex, hatype, pkttype, halen, addr[8].
    var link = [UInt8](repeating: 0, count: 20)
    link[0] = 17
    link[2] = 0x88; link[3] = 0xb5
    withUnsafeBytes(of: ifindex.littleEndian) { for i in 0..<4 { link[4 + i] = $0[i] } }
    link[11] = 6
    for i in 12..<18 { link[i] = 0xff }
    var frame = [UInt8](repeating: 0, count: 60)
    for i in 0..<6 { frame[i] = 0xff }
    frame[6] = 0x02; frame[11] = 0x01
    frame[12] = 0x88; frame[13] = 0xb5
    var sent = 0
    for _ in 0..<count {
        let n = frame.withUnsafeBytes { f in
            link.withUnsafeBytes { l in
                sendto(sock, f.baseAddress, f.count, 0, l.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(l.count))
            }
        }
        if n == frame.count { sent += 1 }
    }
    return sent
}

extension Assembler {
    /// `r0 = bpf_map_lookup_elem(map, &(u32)0)`, the key on the stack at fp-4; jumps to
    /// `missing` when the lookup returns NULL.
    mutating func lookupSlotZero(_ map: Map, orJumpTo missing: String) {
        emit(.st(.word, .fp, offset: -4, imm: 0))
        emit(.mov64(.r2, .fp))
        emit(.add64(.r2, imm: -4))
        emit(Instruction.loadMapFD(.r1, fd: map.fd))
        emit(.call(helper: .mapLookupElem))
        jump(.eq, .r0, imm: 0, to: missing)
    }
}
