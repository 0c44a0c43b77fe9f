import CBPF

/// The uprobe perf event of one USDT site, opened through the `uprobe` PMU with the probe's
/// semaphore as the uprobe's reference counter: the kernel adds 1 to the 2-byte semaphore in
/// every process that maps the file while the event exists, and subtracts it again when the
/// event is closed (`ref_ctr_offset`, Linux 4.20; libbpf's `bpf_program__attach_uprobe_opts`).
enum USDTUprobeEvent {
    static let referenceCounterFormat = "/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset"

    /// The lowest `config` bit of `ref_ctr_offset` ("config:32-63" → 32), or nil if the kernel's
    /// uprobe PMU has no reference counters.
    static func referenceCounterShift() throws(BPFError) -> UInt64? {
        guard Syscalls.exists(referenceCounterFormat) else { return nil }
        let text = String(decoding: try Syscalls.readFile(referenceCounterFormat), as: UTF8.self).strippingCharacters(" \n")
        guard text.hasPrefix("config:"),
              let low = UInt64(text.dropFirst("config:".count).split(separator: "-").first ?? ""), low < 64 else {
            throw .invalidArgument("unexpected contents '\(text)' in \(referenceCounterFormat)")
        }
        return low
    }

    /// Opens the uprobe at file offset `offset` of `path`, with `semaphoreOffset` (if not 0) as its
    /// reference counter. `pid` -1 probes every process (on cpu 0, as for any uprobe).
    static func open(path: String, offset: UInt64, semaphoreOffset: UInt64, referenceCounterShift: UInt64?, pid: Int32) throws(BPFError) -> FileDescriptor {
        var attr = perf_event_attr()
        attr.type = try PerfEvent.pmuType("uprobe")
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.sample_period = 1
        attr.wakeup_events = 1
        if semaphoreOffset != 0 {
            guard let shift = referenceCounterShift else {
                throw .notSupported(feature: "USDT semaphores (uprobe reference counters)",
                                    reason: "\(referenceCounterFormat) does not exist; Linux 4.20 added them")
            }
            let width = 64 - shift
            guard width >= 64 || semaphoreOffset >> width == 0 else {
                throw .invalidArgument("USDT semaphore offset 0x\(String(semaphoreOffset, radix: 16)) in '\(path)' does not fit the \(width)-bit ref_ctr_offset field")
            }
            attr.config = semaphoreOffset << shift
        }
        attr.config2 = offset
        let label = "uprobe \(path)+0x\(String(offset, radix: 16))" + (semaphoreOffset != 0 ? " (semaphore at 0x\(String(semaphoreOffset, radix: 16)))" : "")
        let raw: Int32 = try BPFCommands.withCString(path) { (p) throws(BPFError) -> Int32 in
            attr.config1 = UInt64(UInt(bitPattern: p))
            do throws(BPFError) {
                return try Syscalls.perfEventOpen(&attr, pid: pid, cpu: pid == -1 ? 0 : -1).release()
            } catch {
                guard case let .syscall(_, e) = error else { throw error }
                if e.rawValue == 3 { throw .missing("process \(pid) for \(label)") }  // ESRCH
                throw .syscall(operation: "perf_event_open(\(label))", errno: e)
            }
        }
        return try FileDescriptor(taking: raw)
    }
}
