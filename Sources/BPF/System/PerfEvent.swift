import CBPF
import Glibc

/// perf_event_open(2) for the events the runtime attaches programs to, and the ioctls on them.
package enum PerfEvent {
    /// The tracefs roots, in the order they are tried.
    package static let tracefsRoots = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

    /// The tracefs mount that has an `events` directory, or nil if tracefs is not mounted.
    package static func tracefsRoot() -> String? {
        tracefsRoots.first { Syscalls.exists($0 + "/events") }
    }

    /// Whether `s` names one entry of a directory: not empty, not `.` or `..`, no `/`.
    /// (Byte comparisons: `String.contains(String)` would bring the string-search code of
    /// `_StringProcessing` into every tool's resident pages for this one check.)
    static func isFileName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && !s.utf8.contains(UInt8(ascii: "/"))
    }

    /// The id of tracepoint `category:name` from `<tracefs>/events/CAT/NAME/id`.
    /// Throws `.missing` naming the mount if tracefs is not mounted, or the tracepoint if it does not exist.
    package static func tracepointID(category: String, name: String) throws(BPFError) -> UInt64 {
        guard isFileName(category), isFileName(name) else {
            throw .invalidArgument("tracepoint name '\(category):\(name)' must be CATEGORY:NAME, each a directory name of tracefs's events/ (not empty, '.' or '..', no '/')")
        }
        guard let root = tracefsRoot() else {
            // The kernel supports it; it is only not mounted.
            throw .missing("tracefs: it is not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing; mount it with `mount -t tracefs tracefs /sys/kernel/tracing`")
        }
        let path = "\(root)/events/\(category)/\(name)/id"
        let bytes: [UInt8]
        do {
            bytes = try Syscalls.readFile(path)
        } catch {
            if BPFCommands.isErrno(error, .ENOENT) {
                throw .missing("tracepoint \(category):\(name) (no \(path))")
            }
            throw error
        }
        let text = String(decoding: bytes, as: UTF8.self).strippingCharacters(" \n")
        guard let id = UInt64(text) else { throw .invalidArgument("unexpected contents '\(text)' in \(path)") }
        return id
    }

    /// Opens a `PERF_TYPE_TRACEPOINT` event for tracepoint id `id` on all processes of `cpu`
    /// (pid -1), with `sample_period` 1. A BPF program attached to it runs on every CPU: the
    /// tracepoint itself is global, the cpu only scopes the perf buffer.
    package static func openTracepoint(id: UInt64, cpu: Int32 = 0, label: String) throws(BPFError) -> FileDescriptor {
        var attr = perf_event_attr()
        attr.type = PERF_TYPE_TRACEPOINT.rawValue
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = id
        attr.sample_period = 1
        attr.wakeup_events = 1
        do {
            return try Syscalls.perfEventOpen(&attr, pid: -1, cpu: cpu)
        } catch {
            if case let .syscall(_, e) = error { throw .syscall(operation: "perf_event_open(tracepoint \(label))", errno: e) }
            throw error
        }
    }

    /// Opens a sampling perf event for a `perf_event` program: `type` is `PERF_TYPE_SOFTWARE` (1),
    /// `PERF_TYPE_HARDWARE` (0)... and `config` the counter (for software: 0 cpu-clock,
    /// 1 task-clock). Samples `frequency` times per second (or every `period` events if given).
    /// `pid` -1 with a `cpu` watches every process on that CPU.
    package static func openSampling(type: UInt32, config: UInt64, frequency: UInt64 = 99, period: UInt64? = nil, pid: Int32 = -1, cpu: Int32) throws(BPFError) -> FileDescriptor {
        var attr = perf_event_attr()
        attr.type = type
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = config
        if let period {
            attr.sample_period = period
        } else {
            attr.freq = 1
            attr.sample_freq = frequency
        }
        do {
            return try Syscalls.perfEventOpen(&attr, pid: pid, cpu: cpu)
        } catch {
            if case let .syscall(_, e) = error { throw .syscall(operation: "perf_event_open(type \(type), config \(config), cpu \(cpu))", errno: e) }
            throw error
        }
    }

    /// Opens the `PERF_COUNT_SW_BPF_OUTPUT` event of one CPU that `bpf_perf_event_output`
    /// writes to (through a perf event array map): `PERF_SAMPLE_RAW` samples, a wakeup every
    /// `wakeupEvents` samples.
    package static func openBPFOutput(cpu: Int32, wakeupEvents: UInt32 = 1) throws(BPFError) -> FileDescriptor {
        var attr = perf_event_attr()
        attr.type = PERF_TYPE_SOFTWARE.rawValue
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        attr.config = UInt64(PERF_COUNT_SW_BPF_OUTPUT.rawValue)
        attr.sample_type = UInt64(PERF_SAMPLE_RAW.rawValue)
        attr.sample_period = 1
        attr.wakeup_events = max(wakeupEvents, 1)
        do {
            return try Syscalls.perfEventOpen(&attr, pid: -1, cpu: cpu)
        } catch {
            if case let .syscall(_, e) = error { throw .syscall(operation: "perf_event_open(bpf-output, cpu \(cpu))", errno: e) }
            throw error
        }
    }

    /// The type number of a dynamic PMU such as `uprobe` or `kprobe`
    /// (`/sys/bus/event_source/devices/NAME/type`).
    package static func pmuType(_ pmu: String) throws(BPFError) -> UInt32 {
        let path = "/sys/bus/event_source/devices/\(pmu)/type"
        guard let bytes = try? Syscalls.readFile(path) else {
            throw .notSupported(feature: "\(pmu) perf PMU", reason: "\(path) does not exist (the kernel lacks CONFIG_\(pmu.uppercased())_EVENTS, or sysfs is not mounted)")
        }
        let text = String(decoding: bytes, as: UTF8.self).strippingCharacters(" \n")
        guard let type = UInt32(text) else { throw .invalidArgument("unexpected contents '\(text)' in \(path)") }
        return type
    }

    /// The `config` bit that makes a probe PMU's event a return probe
    /// (`/sys/bus/event_source/devices/NAME/format/retprobe`, "config:N").
    package static func retprobeBit(_ pmu: String) throws(BPFError) -> UInt64 {
        let path = "/sys/bus/event_source/devices/\(pmu)/format/retprobe"
        let text = String(decoding: try Syscalls.readFile(path), as: UTF8.self).strippingCharacters(" \n")
        guard text.hasPrefix("config:"), let bit = UInt64(text.dropFirst("config:".count)), bit < 64 else {
            throw .invalidArgument("unexpected contents '\(text)' in \(path)")
        }
        return bit
    }

    /// Opens a uprobe or kprobe through its perf PMU (no tracefs needed): `target` is the binary's
    /// path (uprobe, `uprobe_path`) or the kernel function's name (kprobe, `kprobe_func`), and
    /// `offset` the file offset (uprobe) or the offset into the function (kprobe). `pid` -1 with
    /// cpu 0 probes every process.
    package static func openProbe(pmu: String, target: String, offset: UInt64, retprobe: Bool, pid: Int32 = -1) throws(BPFError) -> FileDescriptor {
        var attr = perf_event_attr()
        attr.type = try pmuType(pmu)
        attr.size = UInt32(MemoryLayout<perf_event_attr>.size)
        if retprobe { attr.config |= 1 << (try retprobeBit(pmu)) }
        attr.sample_period = 1
        attr.wakeup_events = 1
        let label = "\(retprobe ? "ret" : "")\(pmu) \(target)+0x\(String(offset, radix: 16))"
        let raw: Int32 = try BPFCommands.withCString(target) { (p) throws(BPFError) in
            attr.config1 = UInt64(UInt(bitPattern: p))
            attr.config2 = offset
            let r = cbpf_sys_perf_event_open(&attr, pid, pid == -1 ? 0 : -1, -1, UInt(PERF_FLAG_FD_CLOEXEC))
            guard r >= 0 else { throw .syscall(operation: "perf_event_open(\(label))", errno: .current) }
            return Int32(r)
        }
        return try FileDescriptor(taking: raw)
    }

    /// `PERF_EVENT_IOC_SET_BPF`: the legacy way to attach a program to a perf event.
    package static func setBPF(perfFD: Int32, programFD: Int32, label: String) throws(BPFError) {
        try Syscalls.ioctl(perfFD, CBPF_PERF_EVENT_IOC_SET_BPF, UInt(programFD), "ioctl(PERF_EVENT_IOC_SET_BPF, \(label))")
    }

    /// `PERF_EVENT_IOC_ENABLE`.
    package static func enable(perfFD: Int32, label: String) throws(BPFError) {
        try Syscalls.ioctl(perfFD, CBPF_PERF_EVENT_IOC_ENABLE, 0, "ioctl(PERF_EVENT_IOC_ENABLE, \(label))")
    }

    /// `PERF_EVENT_IOC_DISABLE`.
    package static func disable(perfFD: Int32, label: String) throws(BPFError) {
        try Syscalls.ioctl(perfFD, CBPF_PERF_EVENT_IOC_DISABLE, 0, "ioctl(PERF_EVENT_IOC_DISABLE, \(label))")
    }
}

extension String {
    /// Trims the given characters from both ends (no Foundation).
    func strippingCharacters(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let c = s.first, chars.contains(c) { s = s.dropFirst() }
        while let c = s.last, chars.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
