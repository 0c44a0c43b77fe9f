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
func isErrno(_ error: any Error, _ errno: Errno) -> Bool {
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
    static func counting(counter: Map, pidTgid: UInt64, syscall: Int32? = nil) throws(BPFError) -> [Instruction] {
        var a = Assembler()
        a.emit(.mov64(.r6, .r1))
        a.emit(.call(helper: .getCurrentPidTgid))
        a.emit(Instruction.loadImm64(.r1, pidTgid))
        a.jump(.ne, .r0, .r1, to: "out")
        if let syscall {
            a.emit(.ldx(.double, .r1, .r6, offset: 8))
            a.jump(.ne, .r1, imm: syscall, to: "out")
        }
        a.emit(.st(.word, .fp, offset: -4, imm: 0))
        a.emit(.mov64(.r2, .fp))
        a.emit(.add64(.r2, imm: -4))
        a.emit(Instruction.loadMapFD(.r1, fd: counter.fd))
        a.emit(.call(helper: .mapLookupElem))
        a.jump(.eq, .r0, imm: 0, to: "out")
        a.emit(.mov64(.r1, imm: 1))
        a.emit(.atomicAdd(.double, .r0, offset: 0, .r1))
        a.label("out")
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
        a.emit(.st(.word, .fp, offset: -4, imm: 0))
        a.emit(.mov64(.r2, .fp))
        a.emit(.add64(.r2, imm: -4))
        a.emit(Instruction.loadMapFD(.r1, fd: counter.fd))
        a.emit(.call(helper: .mapLookupElem))
        a.jump(.eq, .r0, imm: 0, to: "out")
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
        a.emit(.st(.word, .fp, offset: -4, imm: 0))
        a.emit(.mov64(.r2, .fp))
        a.emit(.add64(.r2, imm: -4))
        a.emit(Instruction.loadMapFD(.r1, fd: counter.fd))
        a.emit(.call(helper: .mapLookupElem))
        a.jump(.eq, .r0, imm: 0, to: "out")
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
        a.emit(.st(.word, .fp, offset: -4, imm: 0))
        a.emit(.mov64(.r2, .fp))
        a.emit(.add64(.r2, imm: -4))
        a.emit(Instruction.loadMapFD(.r1, fd: counter.fd))
        a.emit(.call(helper: .mapLookupElem))
        a.jump(.eq, .r0, imm: 0, to: "out")
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
